# METADATA
# description: |
#   Resource checks against the catalog (IAM Service Authorization Reference:
#   the "Resource types" column; "If there is no value for this column, you
#   must specify all resources ("*")"). The seed page gives the ARN formats:
#   datasets of Cognito Sync for UpdateRecords and ListRecords, identity pools
#   with the service name cognito-sync for Cognito Sync APIs.
package cognito.analysis.lint.rules.resources_test

import data.cognito.analysis.lint.rules.resources

_pool := "us-east-1:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

_sync_pool := sprintf("arn:aws:cognito-sync:us-east-1:111122223333:identitypool/%s", [_pool])

_user_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_A"

_input(statement) := {"policies": [{"name": "p.json", "document": {"Version": "2012-10-17", "Statement": [statement]}}]}

_rules(found) := {[f.rule, f.message] | some f in found}

test_list_records_on_an_identity_pool_only if {
	found := resources.report with input as _input({
		"Effect": "Allow", "Action": "cognito-sync:ListRecords",
		"Resource": _sync_pool,
	})
	found == {{
		"rule": "resource-type-unused", "policy": "p.json", "position": 0, "statement": 0,
		"message": sprintf(
			"Resource %q names cognito-sync identitypool, a resource type that %s (it uses: cognito-sync dataset)",
			[_sync_pool, "cognito-sync:ListRecords does not use"],
		),
		"hint": concat("", [
			"use arn:${Partition}:cognito-sync:${Region}:${Account}:identitypool/${IdentityPoolId}",
			"/identity/${IdentityId}/dataset/${DatasetName}",
		]),
	}}
}

test_several_actions_none_using_the_type if {
	found := resources.report with input as _input({
		"Effect": "Allow", "Action": ["cognito-sync:ListRecords", "cognito-sync:UpdateRecords"],
		"Resource": _sync_pool,
	})
	_rules(found) == {[
		"resource-type-unused",
		sprintf("Resource %q names cognito-sync identitypool, a resource type that %s %s (%s)", [
			_sync_pool, "the statement's actions (cognito-sync:ListRecords, cognito-sync:UpdateRecords)",
			"do not use", "they use: cognito-sync dataset",
		]),
	]}
}

# The seed's examples are clean: cognito-identity:* on the pool (the
# cognito-identity identity pool ARN), ListRecords/UpdateRecords on a dataset.
test_seed_examples_are_clean if {
	dataset := resources.report with input as _input({
		"Effect": "Allow", "Action": ["cognito-sync:ListRecords", "cognito-sync:UpdateRecords"],
		"Resource": sprintf(
			"arn:aws:cognito-sync:us-east-1:0123456789:identitypool/%s/identity/*/dataset/UserProfile",
			[_pool],
		),
	})
	dataset == set()
	pool := resources.report with input as _input({
		"Effect": "Allow", "Action": ["cognito-identity:*"],
		"Resource": sprintf("arn:aws:cognito-identity:us-east-1:0123456789:identitypool/%s", [_pool]),
	})
	pool == set()
	sync := resources.report with input as _input({
		"Effect": "Allow", "Action": ["cognito-sync:*"],
		"Resource": "arn:aws:cognito-sync:*:*:identitypool/*",
	})
	sync == set()
}

test_wrong_service if {
	arn := sprintf("arn:aws:cognito-identity:us-east-1:111122223333:identitypool/%s", [_pool])
	sync := resources.report with input as _input({
		"Effect": "Allow", "Action": "cognito-sync:ListRecords",
		"Resource": arn,
	})
	_rules(sync) == {[
		"resource-wrong-service",
		sprintf("Resource %q is a cognito-identity ARN, but %s", [
			arn, "cognito-sync:ListRecords acts on cognito-sync resources: it matches none of their requests",
		]),
	]}
	s3 := resources.report with input as _input({
		"Effect": "Allow", "Action": ["cognito-idp:ListUsers", "cognito-idp:AdminGetUser"],
		"Resource": "arn:aws:s3:::bucket",
	})
	_rules(s3) == {[
		"resource-wrong-service",
		concat("", [
			"Resource \"arn:aws:s3:::bucket\" is a s3 ARN, but the statement's actions ",
			"(cognito-idp:AdminGetUser, cognito-idp:ListUsers) act on cognito-idp resources: ",
			"it matches none of their requests",
		]),
	]}
}

# With actions of other services in the statement an ARN of another service
# may be theirs; a Cognito ARN is still judged.
test_other_services_in_the_statement if {
	theirs := resources.report with input as _input({
		"Effect": "Allow", "Action": ["cognito-idp:AdminCreateUser", "iam:PassRole"],
		"Resource": ["arn:aws:iam::111122223333:role/r", _user_pool, "arn:aws:wafv2:us-east-1:1:regional/webacl/a/b"],
	})
	theirs == set()
	cognito := resources.report with input as _input({
		"Effect": "Allow", "Action": ["cognito-idp:AdminCreateUser", "iam:PassRole"],
		"Resource": _sync_pool,
	})
	{f.rule | some f in cognito} == {"resource-wrong-service"}
}

test_actions_without_resource_types if {
	one := resources.report with input as _input({
		"Effect": "Allow", "Action": "cognito-idp:ListUserPools",
		"Resource": _user_pool,
	})
	_rules(one) == {[
		"resource-type-unused",
		sprintf("Resource %q names cognito-idp userpool, but %s", [
			_user_pool,
			"cognito-idp:ListUserPools takes no resource-level permissions (requests match Resource \"*\" only)",
		]),
	]}
	two := resources.report with input as _input({
		"Effect": "Allow", "Action": ["cognito-idp:ListUserPools", "cognito-idp:CreateUserPool"],
		"Resource": _user_pool,
	})
	some f in two
	f.hint == "use Resource \"*\" for these actions"
	contains(f.message, "the statement's actions (cognito-idp:CreateUserPool, cognito-idp:ListUserPools) take no")
}

test_malformed if {
	found := resources.report with input as _input({
		"Effect": "Allow", "Action": "cognito-idp:ListUsers",
		"Resource": ["arn:aws:cognito-idp:us-east-1", "arn:aws:cognito-idp:us-east-1:111122223333:userpools/x"],
	})
	_rules(found) == {
		[
			"resource-malformed",
			concat("", [
				"Resource \"arn:aws:cognito-idp:us-east-1\" is not an ARN ",
				"(arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE): it matches nothing",
			]),
		],
		[
			"resource-malformed",
			"Resource \"arn:aws:cognito-idp:us-east-1:111122223333:userpools/x\" fits no cognito-idp ARN format",
		],
	}
}

# Not judged: no governed Cognito action, "*", NotAction, NotResource, text
# that is no ARN (a validation error) or an ARN with a wildcard service.
test_not_judged if {
	statements := [
		{"Effect": "Deny", "Action": "cognito-idp:SignUp", "Resource": "arn:aws:s3:::b"},
		{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": "*"},
		{"Effect": "Allow", "NotAction": "cognito-idp:ListUsers", "Resource": "arn:aws:s3:::b"},
		{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "NotResource": "arn:aws:s3:::b"},
		{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": "userpool/x"},
		{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": "arn:aws:*:*:*:userpool/*"},
	]
	found := resources.report with input as {"policies": [{"name": "p", "document": {"Statement": statements}}]}
	found == set()
}
