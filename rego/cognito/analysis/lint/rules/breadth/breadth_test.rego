# METADATA
# description: |
#   IAM User Guide, "IAM JSON policy elements: NotAction" (with Allow, all the
#   applicable actions or services that are not listed are allowed) and
#   "Security best practices in IAM" (apply least-privilege permissions).
#   AmazonCognitoPowerUser, an administrator's policy, grants cognito-idp:*
#   on "*" by design: the rule reports it as broad, which it is.
package cognito.analysis.lint.rules.breadth_test

import data.cognito.analysis.lint.rules.breadth

_input(statements) := {"policies": [{"name": "p.json", "document": {"Version": "2012-10-17", "Statement": statements}}]}

test_allow_with_not_action if {
	found := breadth.report with input as _input([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])
	found == {{
		"rule": "allow-not-action", "policy": "p.json", "position": 0, "statement": 0,
		"message": concat("", [
			"Allow with NotAction grants every action except iam:*, in every service, ",
			"including actions added later",
		]),
		"hint": "list the actions to allow in Action instead",
	}}
}

test_write_level_on_every_resource if {
	found := breadth.report with input as _input([{
		"Sid": "Admin", "Effect": "Allow",
		"Action": ["cognito-idp:AdminDeleteUser", "cognito-idp:ListUsers", "cognito-idp:CreateUserPool"],
		"Resource": "*",
	}])
	found == {{
		"rule": "write-on-any-resource", "policy": "p.json", "position": 0, "statement": "Admin",
		"message": concat("", [
			"Allow grants 1 write-level Cognito action(s) on every resource (Resource \"*\"): ",
			"cognito-idp:AdminDeleteUser",
		]),
		"hint": "scope Resource to the userpool ARNs they need, or add a Condition",
	}}
}

test_power_user_is_broad if {
	found := breadth.report with input as {"managed_policies": ["AmazonCognitoPowerUser"]}
	some f in found
	f.rule == "write-on-any-resource"
	f.policy == "AmazonCognitoPowerUser"
	f.hint == concat("", [
		"scope Resource to the dataset, identity, identitypool, userpool and webacl ARNs they need, ",
		"or add a Condition",
	])
}

test_narrow_grants if {
	found := breadth.report with input as _input([
		{
			"Effect": "Allow", "Action": "cognito-idp:AdminDeleteUser",
			"Resource": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/p",
		},
		{
			"Effect": "Allow", "Action": "cognito-idp:AdminDeleteUser", "Resource": "*",
			"Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}},
		},
		{"Effect": "Allow", "Action": ["cognito-idp:ListUsers", "cognito-idp:SignUp"], "Resource": "*"},
		{"Effect": "Deny", "NotAction": "cognito-idp:ListUsers", "Resource": "*"},
		{"Effect": "Allow", "Action": "cognito-idp:CreateUserPool", "Resource": "*"},
	])
	found == set()
}
