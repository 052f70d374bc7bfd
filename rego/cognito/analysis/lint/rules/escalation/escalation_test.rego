# METADATA
# description: |
#   passrole-any and the Cognito privilege-escalation combinations. Sources:
#   IAM User Guide, "IAM policy validation check reference", Security
#   Warning - Pass role with star in resource ("Using the iam:PassRole
#   action with wildcards (*) in the resource can be overly permissive ...
#   We recommend that you specify resource ARNs or add the
#   iam:PassedToService condition key"); Amazon Cognito Developer Guide,
#   "Using role-based access control" (Granting pass role permission: a user
#   can only set a role on an identity pool "if iam:PassRole permission is
#   granted for the role", with the page's example policy; Using tokens to
#   assign roles: cognito:roles and cognito:preferred_role come from user
#   pool groups); "Pre token generation Lambda trigger" (the trigger can
#   add, override or suppress claims, groups and IAM roles included);
#   Amazon Cognito API reference, AdminSetUserPassword ("permit immediate
#   sign-in with the password that you set"). Public research:
#   HackTricks Cloud, "AWS - Cognito Privesc" (cloud.hacktricks.wiki, en/
#   pentesting-cloud/aws-security/aws-privilege-escalation/aws-cognito-privesc):
#   cognito-identity:SetIdentityPoolRoles with iam:PassRole,
#   cognito-identity:UpdateIdentityPool, (cognito-idp:CreateGroup |
#   cognito-idp:UpdateGroup) with iam:PassRole, AdminSetUserPassword,
#   AdminUpdateUserAttributes, AdminInitiateAuth; Rhino Security Labs,
#   "AWS IAM Privilege Escalation - Methods and Mitigations"
#   (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/,
#   method 18: lambda:UpdateFunctionCode) and "Attacking AWS Cognito with
#   Pacu (p2)" (https://rhinosecuritylabs.com/aws/attacking-aws-cognito-with-pacu-p2/).
package cognito.analysis.lint.rules.escalation_test

import data.cognito.analysis.lint.rules.escalation

_doc(statements) := {"policies": [{"name": "p.json", "document": {"Version": "2012-10-17", "Statement": statements}}]}

_pass_any := {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_EXAMPLE"

# The identity pool role example of "Granting pass role permission", verbatim.
_pass_documented := {
	"Sid": "Stmt1", "Effect": "Allow", "Action": ["iam:PassRole"],
	"Resource": ["arn:aws:iam::123456789012:role/myS3WriteAccessRole"],
}

test_passrole_on_any_role if {
	found := escalation.report with input as _doc([_pass_any])
	found == {{
		"rule": "passrole-any", "policy": "p.json", "position": 0, "statement": "Pass",
		"message": concat("", [
			"Allow grants iam:PassRole on any role (Resource \"*\"): the holder can pass every role of the account, ",
			"an administrator's included, to any service",
		]),
		"hint": concat("", [
			"list the roles it may pass in Resource (arn:aws:iam::ACCOUNT:role/NAME) ",
			"and add an iam:PassedToService condition",
		]),
	}}
}

test_passrole_on_every_role_of_an_account if {
	statements := [
		{"Effect": "Allow", "Action": "iam:Pass*", "Resource": "arn:aws:iam::123456789012:role/*"},
		{"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws-cn:iam::*:*"},
		{"Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::*"},
	]
	found := escalation.report with input as _doc(statements)
	{f.position | some f in found; f.rule == "passrole-any"} == {0, 1, 2}
}

# The documented example names one role; a path or a service condition, or a
# Deny of the same document, leaves no role open to anyone.
test_passrole_narrowed if {
	statements := [
		_pass_documented,
		{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app/*"},
		{
			"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
			"Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
		},
	]
	found := escalation.report with input as _doc(statements)
	found == set()

	denied := escalation.report with input as _doc([
		{"Effect": "Allow", "Action": "*", "Resource": "*"},
		{"Effect": "Deny", "Action": ["iam:PassRole", "cognito-idp:Admin*", "lambda:*"], "Resource": "*"},
	])
	denied == set()
}

# HackTricks: cognito-identity:SetIdentityPoolRoles, iam:PassRole.
test_identity_pool_roles if {
	statements := [
		_pass_any,
		{
			"Sid": "Pools", "Effect": "Allow",
			"Action": ["cognito-identity:SetIdentityPoolRoles", "cognito-identity:UpdateIdentityPool"],
			"Resource": "*",
		},
	]
	found := escalation.report with input as _doc(statements)
	{[f.rule, f.statement, f.message] | some f in found; f.rule != "passrole-any"} == {[
		"escalation-identity-pool-roles", "Pass",
		concat("", [
			"iam:PassRole on any role (statement \"Pass\") together with cognito-identity:SetIdentityPoolRoles ",
			"(statement \"Pools\") and cognito-identity:UpdateIdentityPool (statement \"Pools\"): whoever holds both ",
			"can give any role of the account to an identity pool's users, guests included",
		]),
	]}
}

# A service condition for Cognito identity does not narrow the roles: still
# every role, passed to the service that hands it out. The documented
# example, one role, is what "Granting pass role permission" asks for.
test_identity_pool_roles_with_service_condition if {
	to_cognito := {
		"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/*",
		"Condition": {"StringEquals": {"iam:PassedToService": "cognito-identity.amazonaws.com"}},
	}
	pools := {"Effect": "Allow", "Action": "cognito-identity:CreateIdentityPool", "Resource": "*"}
	found := escalation.report with input as _doc([pools, to_cognito])
	[[f.rule, f.statement] | some f in found] == [["escalation-identity-pool-roles", 0]]

	documented := escalation.report with input as _doc([_pass_documented, pools])
	documented == set()

	to_lambda := json.patch(to_cognito, [{
		"op": "replace", "path": "/Condition/StringEquals/iam:PassedToService",
		"value": "lambda.amazonaws.com",
	}])
	other := escalation.report with input as _doc([pools, to_lambda])
	other == set()
}

# HackTricks: (cognito-idp:CreateGroup | cognito-idp:UpdateGroup), iam:PassRole.
test_user_pool_group_roles if {
	statements := [
		{"Effect": "Allow", "Action": ["cognito-idp:CreateGroup", "cognito-idp:UpdateGroup"], "Resource": _pool},
		{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/*"},
	]
	found := escalation.report with input as _doc(statements)
	{[f.rule, f.position, f.message] | some f in found; f.rule != "passrole-any"} == {[
		"escalation-user-pool-group-roles", 0,
		concat("", [
			"iam:PassRole on any role (statement 1) together with cognito-idp:CreateGroup (statement 0) and ",
			"cognito-idp:UpdateGroup (statement 0): whoever holds both can put any role into a group's ",
			"cognito:roles claim, which identity pools that choose roles from tokens hand out",
		]),
	]}
}

# AdminSetUserPassword, AdminUpdateUserAttributes, AdminInitiateAuth on any pool.
test_user_takeover if {
	statements := [
		{"Effect": "Allow", "Action": "cognito-idp:AdminSetUserPassword", "Resource": "*"},
		{
			"Sid": "Attributes", "Effect": "Allow",
			"Action": ["cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminInitiateAuth"],
			"Resource": "arn:aws:cognito-idp:eu-west-1:444455556666:userpool/*",
		},
	]
	found := escalation.report with input as _doc(statements)
	[[f.rule, f.position, f.message] | some f in found] == [[
		"escalation-user-takeover", 0,
		concat("", [
			"cognito-idp:AdminInitiateAuth (statement \"Attributes\"), cognito-idp:AdminSetUserPassword (statement 0) ",
			"and cognito-idp:AdminUpdateUserAttributes (statement \"Attributes\") on any user pool: the holder can ",
			"take over the account of any user of those pools (set a password to sign in with, change their e-mail ",
			"or claims)",
		]),
	]]
}

# One administered pool, or a condition on the pool's tags, is not every pool.
test_user_administration_scoped if {
	statements := [
		{"Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": _pool},
		{
			"Effect": "Allow", "Action": "cognito-idp:AdminSetUserPassword", "Resource": "*",
			"Condition": {"StringEquals": {"aws:ResourceTag/team": "support"}},
		},
	]
	found := escalation.report with input as _doc(statements)
	found == set()
}

# AmazonCognitoPowerUser grants cognito-idp:* on "*": an administrator's
# policy, and it does let its holder take over any user.
test_power_user_takes_over if {
	found := escalation.report with input as {"managed_policies": ["AmazonCognitoPowerUser"]}
	[[f.policy, f.rule] | some f in found] == [["AmazonCognitoPowerUser", "escalation-user-takeover"]]
}

# Rhino method 18 (lambda:UpdateFunctionCode) behind a user pool trigger.
test_lambda_trigger if {
	statements := [
		{"Effect": "Allow", "Action": "cognito-idp:UpdateUserPool", "Resource": _pool},
		{"Sid": "Lambda", "Effect": "Allow", "Action": "lambda:*", "Resource": "*"},
	]
	found := escalation.report with input as _doc(statements)
	[[f.rule, f.position, f.message] | some f in found] == [[
		"escalation-lambda-trigger", 0,
		concat("", [
			"cognito-idp:UpdateUserPool (statement 0) together with lambda:UpdateFunctionCode (statement \"Lambda\") ",
			"on any function: whoever holds both can make a user pool trigger run code of their choosing, with the ",
			"function's role, and write any claim into its tokens",
		]),
	]]
}

# Rhino methods 15-17: a new function needs a role passed to Lambda.
test_lambda_trigger_through_a_new_function if {
	create := {"Effect": "Allow", "Action": ["cognito-idp:UpdateUserPool", "lambda:CreateFunction"], "Resource": "*"}
	alone := escalation.report with input as _doc([create])
	alone == set()

	pass := {
		"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
		"Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
	}
	found := escalation.report with input as _doc([create, pass])
	[f.message | some f in found] == [concat("", [
		"cognito-idp:UpdateUserPool (statement 0) together with iam:PassRole (statement 1) and ",
		"lambda:CreateFunction (statement 0) on any function: whoever holds both can make a user pool trigger ",
		"run code of their choosing, with the function's role, and write any claim into its tokens",
	])]
}

test_lambda_trigger_scoped if {
	statements := [
		{"Effect": "Allow", "Action": "cognito-idp:UpdateUserPool", "Resource": _pool},
		{
			"Effect": "Allow", "Action": "lambda:UpdateFunctionCode",
			"Resource": "arn:aws:lambda:us-east-1:111122223333:function:pre-token-generation",
		},
	]
	found := escalation.report with input as _doc(statements)
	found == set()

	denied := escalation.report with input as _doc([
		{"Effect": "Allow", "Action": ["cognito-idp:UpdateUserPool", "lambda:*"], "Resource": "*"},
		{"Effect": "Deny", "Action": "cognito-idp:UpdateUserPool", "Resource": "*"},
	])
	denied == set()
}
