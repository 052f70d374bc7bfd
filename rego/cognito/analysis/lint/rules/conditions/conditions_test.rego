# METADATA
# description: |
#   condition-key-unsupported and condition-operator-type. Sources:
#   IAM User Guide, "IAM policy validation check reference" (IAM Access
#   Analyzer): Error - Invalid global condition key ("The condition key
#   {{key}} does not exist"), Error - Invalid service condition key ("does
#   not exist in the service"), Error - Unsupported action for condition key,
#   General Warning - Type mismatch ("the aws:MultiFactorAuthPresent global
#   condition key requires a condition operator with the Boolean data type.
#   If you provide a date or an integer, the data type won't match") and
#   Error - Invalid condition data type ("the CurrentTime global condition
#   key supports the Date condition operator"); "AWS global condition
#   context keys" (aws:CurrentTime works with date operators, aws:SourceIp
#   with IP address operators, aws:PrincipalArn with ARN and string
#   operators, aws:EpochTime with date or numeric operators); the IAM
#   Service Authorization Reference for Amazon Cognito (cognito-idp defines
#   no service condition keys of its own; cognito-identity:IdentityPoolArn is
#   an ARN key of DeleteIdentities and DescribeIdentity); "Available keys for
#   AWS web identity federation" (cognito-identity.amazonaws.com:amr, aud,
#   sub). The documented policies at the end are AWS's own examples and
#   must stay quiet.
package cognito.analysis.lint.rules.conditions_test

import data.cognito.analysis.lint.rules.conditions

_input(statement) := {"policies": [{"name": "p.json", "document": {"Version": "2012-10-17", "Statement": [statement]}}]}

_allow(action, condition) := {"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition}

_pool_arn := "arn:aws:cognito-identity:us-east-1:111122223333:identitypool/us-east-1:1a1a1a1a-ffff-1111-9999-12345678"

# The issue's examples: cognito-idp:ClientId on AdminGetUser and a misspelt aws:SourceIpp.
test_service_key_that_does_not_exist if {
	statement := _allow("cognito-idp:AdminGetUser", {"StringEquals": {"cognito-idp:ClientId": "abc"}})
	found := conditions.report with input as _input(statement)
	{[f.rule, f.message, f.hint] | some f in found} == {[
		"condition-key-unsupported",
		"cognito-idp:ClientId is not a condition key of cognito-idp: no request context holds it",
		"only the global condition keys apply to the statement's actions",
	]}
}

test_misspelt_global_key_with_hint if {
	statement := object.union(
		_allow("cognito-idp:ListUsers", {"IpAddress": {"aws:SourceIpp": "203.0.113.0/24"}}),
		{"Sid": "Office"},
	)
	found := conditions.report with input as _input(statement)
	found == {{
		"rule": "condition-key-unsupported", "policy": "p.json", "position": 0, "statement": "Office",
		"message": concat("", [
			"aws:SourceIpp is not an AWS global condition key, and no action supports it: ",
			"no request context holds it",
		]),
		"hint": "did you mean aws:SourceIp?",
	}}
}

test_tag_key_without_its_tag if {
	statement := _allow("cognito-idp:ListUsers", {"StringEquals": {"aws:ResourceTags/team": "a"}})
	found := conditions.report with input as _input(statement)
	[f.hint | some f in found] == ["did you mean aws:ResourceTag/team?"]
}

test_service_key_of_other_actions if {
	statement := _allow("cognito-idp:ListUsers", {"ArnEquals": {"cognito-identity:IdentityPoolArn": _pool_arn}})
	found := conditions.report with input as _input(statement)
	{[f.rule, f.message, f.hint] | some f in found} == {[
		"condition-key-unsupported",
		concat("", [
			"cognito-identity:IdentityPoolArn is a condition key of cognito-identity, but none of the statement's ",
			"actions (cognito-idp:ListUsers) supports it: their request context never holds it",
		]),
		concat("", [
			"move the condition to a statement of the actions that support it: ",
			"cognito-identity:DeleteIdentities, cognito-identity:DescribeIdentity",
		]),
	]}
}

test_web_identity_key_that_does_not_exist if {
	condition := {"StringEquals": {"cognito-identity.amazonaws.com:subject": "x"}}
	found := conditions.report with input as _input(_allow("cognito-sync:ListRecords", condition))
	[f.message | some f in found] == [concat("", [
		"cognito-identity.amazonaws.com:subject is not a web identity key of Amazon Cognito identity pools ",
		"(those are cognito-identity.amazonaws.com:amr, cognito-identity.amazonaws.com:aud, ",
		"cognito-identity.amazonaws.com:sub): no request context holds it",
	])]
}

test_other_service_key_with_only_cognito_actions if {
	statement := _allow(["cognito-idp:ListUsers", "cognito-idp:ListGroups"], {"StringLike": {"s3:prefix": "home/*"}})
	found := conditions.report with input as _input(statement)
	{[f.rule, f.message, f.hint] | some f in found} == {[
		"condition-key-unsupported",
		concat("", [
			"s3:prefix is not a condition key that the statement's actions ",
			"(cognito-idp:ListGroups, cognito-idp:ListUsers) support: their request context never holds it",
		]),
		"only the global condition keys apply to the statement's actions",
	]}
}

test_supported_service_keys_in_hint if {
	close := _allow("cognito-identity:GetId", {"StringEquals": {"cognito-identity-auth:Acount": "1"}})
	close_found := conditions.report with input as _input(close)
	[f.hint | some f in close_found] == ["did you mean cognito-identity-auth:AccountId?"]

	far := _allow("cognito-identity:GetId", {"StringEquals": {"cognito-identity-auth:Zz": "1"}})
	far_found := conditions.report with input as _input(far)
	[f.hint | some f in far_found] == [concat("", [
		"the statement's actions support cognito-identity-auth:AccountId, cognito-identity-auth:IdentityPoolArn, ",
		"cognito-identity-unauth:AccountId, cognito-identity-unauth:IdentityPoolArn, besides the global condition keys",
	])]
}

# Keys the data cannot judge: other services beside other services' actions,
# OIDC provider and SAML keys.
test_keys_not_judged if {
	statements := [
		_allow(["cognito-idp:ListUsers", "s3:ListBucket"], {"StringLike": {"s3:prefix": "home/*"}}),
		_allow("cognito-sync:ListRecords", {"StringEquals": {"accounts.google.com:sub": "1"}}),
		_allow("cognito-sync:ListRecords", {"StringEquals": {"saml:sub": "1"}}),
		_allow("s3:GetObject", {"StringEquals": {"s3:ExistingObjectTag/x": "1"}}),
	]
	found := conditions.report with input as {"policies": [{"document": {"Statement": statements}}]}
	found == set()
}

# "AWS global condition context keys": aws: keys are judged beside any action.
test_global_namespace_is_judged_everywhere if {
	statement := _allow("s3:GetObject", {"Bool": {"aws:SecureTransports": "true"}})
	found := conditions.report with input as _input(statement)
	[f.rule | some f in found] == ["condition-key-unsupported"]
}

# The issue's examples: StringLike on aws:CurrentTime, a Date operator on aws:username.
test_operator_does_not_fit_the_type if {
	statement := _allow("cognito-idp:ListUsers", {
		"StringLike": {"aws:CurrentTime": "2024-*"},
		"DateGreaterThan": {"aws:username": "2024-01-01T00:00:00Z"},
	})
	found := conditions.report with input as _input(statement)
	{[f.rule, f.message, f.hint] | some f in found} == {
		[
			"condition-operator-type",
			concat("", [
				"StringLike is a String condition operator, but aws:CurrentTime is documented as a Date key: ",
				"compare it with an operator of its type",
			]),
			"use a Date operator (DateGreaterThan, DateLessThan ...)",
		],
		[
			"condition-operator-type",
			concat("", [
				"DateGreaterThan is a Date condition operator, but aws:username is documented as a String key: ",
				"compare it with an operator of its type",
			]),
			"use a String operator (StringEquals, StringLike ...)",
		],
	}
}

# Type mismatch: "If you provide a date ... the data type won't match".
test_access_analyzer_type_mismatch_example if {
	statement := _allow("cognito-idp:ListUsers", {"DateEqualsIfExists": {"aws:MultiFactorAuthPresent": "2024-01-01"}})
	found := conditions.report with input as _input(statement)
	[f.message | some f in found] == [concat("", [
		"DateEqualsIfExists is a Date condition operator, but aws:MultiFactorAuthPresent is documented as a ",
		"Boolean key: compare it with an operator of its type",
	])]
}

test_ip_and_multivalued_types if {
	ip := _allow("cognito-idp:ListUsers", {"StringLike": {"aws:SourceIp": "10.*"}})
	ip_found := conditions.report with input as _input(ip)
	[[f.message, f.hint] | some f in ip_found] == [[
		concat("", [
			"StringLike is a String condition operator, but aws:SourceIp is documented as an IP address key: ",
			"compare it with an operator of its type",
		]),
		"use an IP address operator (IpAddress, NotIpAddress)",
	]]

	tags := _allow("cognito-idp:TagResource", {"ForAnyValue:NumericEquals": {"aws:TagKeys": "1"}})
	tags_found := conditions.report with input as _input(tags)
	[f.message | some f in tags_found] == [concat("", [
		"ForAnyValue:NumericEquals is a Numeric condition operator, but aws:TagKeys is documented as a ",
		"multivalued String key: compare it with an operator of its type",
	])]
}

# aws:EpochTime "works with date operators or numeric operators"; ARN keys
# work with ARN and string operators; Null works with every key.
test_operators_that_fit if {
	statement := _allow("cognito-idp:ListUsers", {
		"NumericGreaterThan": {"aws:EpochTime": 1700000000},
		"DateGreaterThan": {"aws:EpochTime": "2024-01-01T00:00:00Z"},
		"StringLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin-*"},
		"ArnLike": {"aws:SourceArn": "arn:aws:*"},
		"StringEqualsIgnoreCase": {"aws:PrincipalArn": "ARN:aws:iam::111122223333:role/Admin"},
		"Null": {"aws:CurrentTime": "false"},
		"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
		"NotAValidOperator": {"aws:CurrentTime": "x"},
	})
	found := conditions.report with input as _input(statement)
	found == set()
}

test_value_that_cannot_be_an_arn if {
	arns := ["AdminRole", "arn:aws:iam::111122223333:role/Ops"]
	statement := _allow("cognito-idp:ListUsers", {"StringEquals": {"aws:PrincipalArn": arns}})
	found := conditions.report with input as _input(statement)
	{[f.rule, f.message, f.hint] | some f in found} == {[
		"condition-operator-type",
		concat("", [
			"StringEquals value \"AdminRole\" for aws:PrincipalArn can never be an ARN, and aws:PrincipalArn ",
			"holds ARNs: the condition compares it with no request value as intended",
		]),
		"write the whole ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE), with ArnLike for wildcards",
	]}

	star := _allow("cognito-idp:ListUsers", {"StringEquals": {"aws:SourceArn": "*"}})
	star_found := conditions.report with input as _input(star)
	count(star_found) == 1
	name := _allow("cognito-idp:ListUsers", {"ArnLike": {"aws:SourceArn": "my-role*"}})
	name_found := conditions.report with input as _input(name)
	count(name_found) == 1
}

test_values_that_can_be_arns if {
	statement := _allow("cognito-idp:ListUsers", {
		"StringLike": {"aws:PrincipalArn": ["*", "ar*", "arn:aws:iam::*:role/*"]},
		"ArnEquals": {"aws:SourceArn": "${aws:PrincipalArn}"},
	})
	found := conditions.report with input as _input(statement)
	found == set()
}

# AWS's own examples stay quiet: the identity pool role trust conditions
# ("Role trust and permissions"), the per-identity S3 prefix of "IAM roles"
# (Amazon Cognito Developer Guide), date and time limits ("AWS: Allows access
# based on date and time") and MFA ("aws:MultiFactorAuthPresent",
# recommended BoolIfExists).
test_documented_conditions_are_clean if {
	statements := [
		{
			"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
			"Action": "sts:AssumeRoleWithWebIdentity",
			"Condition": {
				"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-corner-cafe-123456790ab"},
				"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"},
			},
		},
		{
			"Action": ["s3:ListBucket"], "Effect": "Allow", "Resource": ["arn:aws:s3:::mybucket"],
			"Condition": {"StringLike": {"s3:prefix": ["${cognito-identity.amazonaws.com:sub}/*"]}},
		},
		_allow("cognito-idp:ListUsers", {
			"DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"},
			"DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"},
		}),
		{
			"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
			"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
		},
		_allow("cognito-identity:DescribeIdentity", {"ArnEquals": {"cognito-identity:IdentityPoolArn": _pool_arn}}),
	]
	found := conditions.report with input as {"policies": [{"document": {"Statement": statements}}]}
	found == set()
}
