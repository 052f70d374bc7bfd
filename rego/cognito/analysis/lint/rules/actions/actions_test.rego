# METADATA
# description: |
#   unknown-action and wildcard-matches-nothing. IAM accepts any
#   "service:Name" in Action; IAM Access Analyzer's policy checks ("IAM policy
#   validation check reference", Error - Invalid action) report names the
#   service does not define. Names from the IAM Service Authorization
#   Reference for Amazon Cognito User Pools and Identity.
package cognito.analysis.lint.rules.actions_test

import data.cognito.analysis.lint.rules.actions

_input(statement) := {"policies": [{"name": "p.json", "document": {"Version": "2012-10-17", "Statement": [statement]}}]}

test_unknown_action_with_closest_name if {
	found := actions.report with input as _input({
		"Sid": "Admins", "Effect": "Allow",
		"Action": ["cognito-idp:AdminCreatUser", "cognito-idp:ListUsers"], "Resource": "*",
	})
	found == {{
		"rule": "unknown-action", "policy": "p.json", "position": 0, "statement": "Admins",
		"message": "Action \"cognito-idp:AdminCreatUser\" names no action of cognito-idp, so it matches no request",
		"hint": "did you mean cognito-idp:AdminCreateUser (1 edit)?",
	}}
}

test_unknown_service_and_other_service if {
	found := actions.report with input as _input({
		"Effect": "Deny",
		"NotAction": ["cognito-ipd:ListUsers", "cognito-identity:ListUsers"], "Resource": "*",
	})
	{f.hint | some f in found} == {
		"did you mean cognito-idp:ListUsers (1 edit)?",
		"did you mean cognito-idp:ListUsers (same name, other service)?",
	}
	{f.message | some f in found} == {
		"NotAction \"cognito-identity:ListUsers\" names no action of cognito-identity, so it matches no request",
		concat("", [
			"NotAction \"cognito-ipd:ListUsers\" names no action of any Cognito service ",
			"(there is no service \"cognito-ipd\"), so it matches no request",
		]),
	}
}

test_two_close_names if {
	found := actions.report with input as _input({
		"Effect": "Allow", "Action": "cognito-identity:GetIdentityPoolRole",
		"Resource": "*",
	})
	[f.hint | some f in found] == [concat("", [
		"did you mean cognito-identity:GetIdentityPoolRoles (1 edit) ",
		"or cognito-identity:SetIdentityPoolRoles (2 edits)?",
	])]
}

test_unknown_action_without_suggestion if {
	found := actions.report with input as _input({"Effect": "Allow", "Action": "cognito-sync:Xyzzy", "Resource": "*"})
	[f.hint | some f in found] == [concat("", [
		"no catalogued action is close to this name: ",
		"check it against the service's list of actions",
	])]
}

test_similar_names_without_distance if {
	found := actions.report with input as _input({
		"Effect": "Allow", "Action": "cognito-idp:DescribeUserPoolDomainXYZ",
		"Resource": "*",
	})
	[f.hint | some f in found] == [concat("", [
		"did you mean cognito-idp:DescribeUserPoolDomain or cognito-idp:DescribeUserPool ",
		"or cognito-idp:CreateUserPoolDomain?",
	])]
}

test_other_services_and_well_formed_names_only if {
	found := actions.report with input as _input({
		"Effect": "Allow",
		"Action": ["iam:PassRole", "s3:GetObjectz", "cognito-idp:List Users", "cognito-idp:ListUsers"],
		"Resource": "*",
	})
	found == set()
}

test_wildcard_matching_nothing if {
	found := actions.report with input as _input({
		"Effect": "Allow",
		"Action": ["cognito-idp:Admin*Pool", "cognito-sync:List*", "cognito-*:Nothing?", "*", "s3:Nope*"],
		"Resource": "*",
	})
	{f.message | some f in found} == {
		"Action pattern \"cognito-idp:Admin*Pool\" matches no catalogued Cognito action",
		"Action pattern \"cognito-*:Nothing?\" matches no catalogued Cognito action",
	}
	{f.rule | some f in found} == {"wildcard-matches-nothing"}
}
