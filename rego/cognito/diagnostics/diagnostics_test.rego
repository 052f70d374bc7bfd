package cognito.diagnostics_test

import data.cognito.diagnostics

_codes(r) := {w.code | some w in diagnostics.warnings(r)}

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_EXAMPLE"

test_clean_request if {
	_codes({"action": "cognito-idp:DescribeUserPool", "resource": _pool}) == set()
}

# An unknown action of a catalogued service is evaluated, with a warning;
# services the catalog does not describe get none.
test_unknown_action if {
	_codes({"action": "cognito-idp:DescribeEverything", "resource": "*"}) == {"unknown_action"}
	_codes({"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}) == set()
}

# IAM Service Authorization Reference: ListUserPools has no resource type
# (Resource "*"); DescribeIdentityPool uses cognito-identity's identitypool,
# not cognito-sync's; AdminCreateUser uses userpool.
test_resource_type_not_used if {
	_codes({"action": "cognito-idp:ListUserPools", "resource": _pool}) == {"resource_type_not_used"}
	sync_pool := concat("", [
		"arn:aws:cognito-sync:us-east-1:111122223333:identitypool/",
		"us-east-1:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
	])
	_codes({"action": "cognito-identity:DescribeIdentityPool", "resource": sync_pool}) == {"resource_type_not_used"}
	_codes({"action": "cognito-idp:AdminCreateUser", "resource": "arn:aws:s3:::bucket"}) == {"resource_type_not_used"}
	_codes({"action": "cognito-idp:ListUserPools", "resource": "*"}) == set()
}

test_noncanonical_ids if {
	_codes({
		"action": "cognito-idp:DescribeUserPool",
		"resource": "arn:aws:cognito-idp:us-east-1:0123456789:userpool/us-east-1_EXAMPLE",
	}) == {"noncanonical_account_id"}
}

test_unknown_fields if {
	_codes({"action": "s3:GetObject", "resource": "*", "polices": []}) == {"unknown_field"}
}

# "IAM JSON policy elements: Version": without 2012-10-17 variables are literal text.
test_variables_not_substituted if {
	p := {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/${aws:username}/*"}}
	_codes({"action": "s3:GetObject", "resource": "*", "policies": [p]}) == {"variables_not_substituted"}
	_codes({
		"action": "s3:GetObject",
		"resource": "*",
		"policies": [object.union(p, {"Version": "2012-10-17"})],
	}) == set()
}

test_principal_not_stored if {
	r := {"action": "s3:GetObject", "resource": "*", "principal": "arn:aws:iam::111122223333:user/Bob"}
	store := {"arn:aws:iam::111122223333:user/Alice": {}}

	_codes(r) == {"principal_not_stored"} with data.cognito.store.principals as store
	_codes(r) == set()
}

test_trust_policy_not_given if {
	r := {"action": "sts:AssumeRole", "resource": "arn:aws:iam::111122223333:role/R"}
	_codes(r) == {"trust_policy_not_given"}
	_codes(object.union(r, {"resource_policy": {}})) == set()
}

# IAM Access Analyzer policy checks (cognito.variables.errors): a malformed
# variable makes the Resource element match nothing.
test_variable_syntax_in_resources if {
	p := {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "*", "Resource": ["arn:aws:s3:::b/${aws:username", "*"]},
		{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::b/${ }"},
	]}
	_codes({"action": "s3:GetObject", "resource": "*", "policies": [p]}) == {"missing_brace", "empty_variable"}
}

# The table bundle builds store (data.cognito.derived) is the one computed from
# the catalog, and a stored table is read when present.
test_action_resource_regexes_match_the_catalog_templates if {
	diagnostics.action_resource_regexes["cognito-idp:admincreateuser"] == [
		"^arn:[^:/]+:cognito-idp:[^:/]+:[^:/]+:userpool/[^/]+$",
	]
	diagnostics.action_resource_regexes["cognito-idp:listuserpools"] == []
}

test_stored_action_resource_regexes_are_read if {
	stored := {"cognito-idp:admincreateuser": ["^arn:aws:cognito-idp:us-east-1:111122223333:userpool/only$"]}
	request := {
		"action": "cognito-idp:AdminCreateUser",
		"resource": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_abc",
	}

	codes := {w.code | some w in diagnostics.warnings(request)} with data.cognito.derived.action_resource_regexes as stored
	"resource_type_not_used" in codes
	not "resource_type_not_used" in {w.code | some w in diagnostics.warnings(request)}
}
