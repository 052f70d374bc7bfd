# METADATA
# description: |
#   The seed page, "Signed versus Unsigned APIs": "APIs that are signed with
#   AWS credentials are capable of being restricted via an IAM policy. The
#   following Cognito APIs are unsigned, and therefore cannot be restricted
#   via an IAM policy" - among them GetId, InitiateAuth, SignUp and
#   ForgotPassword. A statement about them alone has no effect; a Deny that
#   covers them does not stop them.
package cognito.analysis.lint.rules.ungoverned_test

import data.cognito.analysis.lint.rules.ungoverned

_input(statements) := {"policies": [{"name": "p.json", "document": {"Version": "2012-10-17", "Statement": statements}}]}

test_deny_of_an_unsigned_api_has_no_effect if {
	statement := {"Effect": "Deny", "Action": "cognito-idp:InitiateAuth", "Resource": "*"}
	found := ungoverned.report with input as _input([statement])
	found == {{
		"rule": "ungoverned-only", "policy": "p.json", "position": 0, "statement": 0,
		"message": concat("", [
			"this Deny names only APIs IAM does not govern (cognito-idp:InitiateAuth): ",
			"it denies nothing, they stay callable",
		]),
		"hint": concat("", [
			"remove the statement: these APIs are controlled by the user pool and app client settings ",
			"and by tokens, not by IAM",
		]),
	}}
}

test_allow_of_unsigned_apis_only if {
	found := ungoverned.report with input as _input([{
		"Effect": "Allow",
		"Action": ["cognito-identity:GetId", "cognito-identity:GetOpenIdToken"], "Resource": "*",
	}])
	[f.message | some f in found] == [concat("", [
		"this Allow names only APIs IAM does not govern (cognito-identity:GetId, ",
		"cognito-identity:GetOpenIdToken): it grants nothing, they are callable without it",
	])]
}

# cognito-idp:* covers the unsigned user pool APIs too: a Deny of it leaves them callable.
test_deny_with_a_wildcard_covering_unsigned_apis if {
	statement := {"Sid": "NoIdp", "Effect": "Deny", "Action": "cognito-idp:*", "Resource": "*"}
	found := ungoverned.report with input as _input([statement])
	[f.rule | some f in found] == ["ungoverned-in-deny"]
	some f in found
	startswith(f.message, "this Deny does not stop ")
	contains(f.message, "cognito-idp:ChangePassword")
}

test_deny_naming_signed_and_unsigned if {
	found := ungoverned.report with input as _input([{
		"Effect": "Deny",
		"Action": ["cognito-idp:SignUp", "cognito-idp:AdminCreateUser"], "Resource": "*",
	}])
	[f.message | some f in found] == [concat("", [
		"this Deny does not stop 1 API(s) it names that IAM does not govern: ",
		"cognito-idp:SignUp",
	])]
}

test_allow_naming_signed_and_unsigned if {
	found := ungoverned.report with input as _input([
		{"Effect": "Allow", "Action": ["cognito-idp:SignUp", "cognito-idp:ListUsers"], "Resource": "*"},
		{"Effect": "Allow", "Action": ["cognito-idp:ForgotPassword", "iam:ListRoles"], "Resource": "*"},
	])
	{[f.rule, f.position, f.message] | some f in found} == {
		["ungoverned-in-allow", 0, concat("", [
			"cognito-idp:SignUp: IAM does not govern these APIs, ",
			"so this part of the Allow grants nothing",
		])],
		["ungoverned-in-allow", 1, concat("", [
			"cognito-idp:ForgotPassword: IAM does not govern these APIs, ",
			"so this part of the Allow grants nothing",
		])],
	}
}

# Wildcards in an Allow (cognito-identity:Get*, AmazonCognitoReadOnly) cover
# unsigned APIs by design; only names written out are reported.
test_allow_with_wildcards_and_governed_only if {
	found := ungoverned.report with input as _input([
		{"Effect": "Allow", "Action": ["cognito-identity:Get*"], "Resource": "*"},
		{"Effect": "Allow", "Action": ["cognito-idp:ListUsers"], "Resource": "*"},
		{"Effect": "Deny", "Action": ["cognito-idp:AdminDeleteUser"], "Resource": "*"},
		{"Effect": "Deny", "NotAction": ["cognito-idp:AdminDeleteUser"], "Resource": "*"},
		{"Effect": "Deny", "Action": ["cognito-idp:SignUp", "sns:Publish"], "Resource": "*"},
	])
	[[f.rule, f.position] | some f in found] == [["ungoverned-in-deny", 4]]
}
