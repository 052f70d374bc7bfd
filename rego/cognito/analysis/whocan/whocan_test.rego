# METADATA
# description: |
#   Who can call an action: each stored principal decided with its own
#   policies (cognito.authz.decide). IAM User Guide, "Policy evaluation
#   logic": an Allow in a principal's policies allows unless a Deny applies;
#   Amazon Cognito has no resource-based policies, so a principal of another
#   account is not allowed on this account's user pool ("Cross-account policy
#   evaluation logic"). The seed page: unsigned APIs such as SignUp cannot be
#   restricted by IAM, so every caller may call them.
package cognito.analysis.whocan_test

import data.cognito.analysis.whocan

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_EXAMPLE"

_store := {
	"arn:aws:iam::111122223333:role/Admins": {
		"policies": {"pool-admin": {"Version": "2012-10-17", "Statement": [{
			"Sid": "PoolAdmin", "Effect": "Allow", "Action": "cognito-idp:Admin*",
			"Resource": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/*",
		}]}},
		"managed_policies": ["AmazonCognitoReadOnly"],
	},
	"arn:aws:iam::111122223333:role/ReadOnly": {"policies": {}, "managed_policies": ["AmazonCognitoReadOnly"]},
	"arn:aws:iam::444455556666:role/Elsewhere": {"policies": {}, "managed_policies": ["AmazonCognitoPowerUser"]},
}

test_who_can_delete_a_user if {
	question_report := {"action": "cognito-idp:admindeleteuser", "resource": _pool}

	report := whocan.answer(question_report) with data.cognito.store.principals as _store
	report.errors == []
	report.action == "cognito-idp:AdminDeleteUser"
	report.allowed == ["arn:aws:iam::111122223333:role/Admins"]
	[e.decision | some e in report.principals] == ["allow", "implicit_deny", "implicit_deny"]
	report.principals[0].statements == [{"policy": "principal:pool-admin", "statement": "PoolAdmin", "effect": "Allow"}]
	report.principals[1].statements == []
}

test_who_can_list_users if {
	question_report := {"action": "cognito-idp:ListUsers", "resource": _pool}

	report := whocan.answer(question_report) with data.cognito.store.principals as _store
	report.allowed == ["arn:aws:iam::111122223333:role/Admins", "arn:aws:iam::111122223333:role/ReadOnly"]
	report.principals[1].statements == [{"policy": "AmazonCognitoReadOnly", "statement": 0, "effect": "Allow"}]
	contains(report.principals[2].reason, "444455556666")
}

test_unsigned_api_for_everyone if {
	question_report := {"action": "cognito-idp:SignUp", "resource": "*"}

	report := whocan.answer(question_report) with data.cognito.store.principals as _store
	report.signed == false
	count(report.allowed) == 3
	{e.decision | some e in report.principals} == {"not_governed_by_iam"}
}

test_unknown_action_is_evaluated if {
	question_report := {"action": "cognito-idp:AdminDeleteUsers", "resource": _pool}

	report := whocan.answer(question_report) with data.cognito.store.principals as _store
	report.action == "cognito-idp:AdminDeleteUsers"
	report.allowed == ["arn:aws:iam::111122223333:role/Admins"]
}

test_questions_that_cannot_be_answered if {
	question_nobody := {"action": "cognito-idp:ListUsers", "resource": _pool}

	nobody := whocan.answer(question_nobody) with data.cognito.store.principals as {}
	[e.code | some e in nobody.errors] == ["no_principals"]

	question_no_service := {"action": "ListUsers", "resource": _pool}

	no_service := whocan.answer(question_no_service) with data.cognito.store.principals as _store
	[e.code | some e in no_service.errors] == ["invalid_action"]

	question_wildcard := {"action": "cognito-idp:ListUsers", "resource": "arn:aws:cognito-idp:*:*:userpool/*"}

	wildcard := whocan.answer(question_wildcard) with data.cognito.store.principals as _store
	[e.code | some e in wildcard.errors] == ["resource_pattern"]
	wildcard.principals == []

	question_no_resource := {"action": "cognito-idp:ListUsers"}

	no_resource := whocan.answer(question_no_resource) with data.cognito.store.principals as _store
	[e.code | some e in no_resource.errors] == ["missing_resource"]
}

test_report_reads_the_bundle if {
	input_report := {"action": "cognito-idp:ListUsers", "resource": _pool}

	report := whocan.report with input as input_report with data.cognito.store.principals as _store
	count(report.allowed) == 2
	empty := whocan.report with input as {"action": "cognito-idp:ListUsers", "resource": _pool}
	[e.code | some e in empty.errors] == ["no_principals"]
}
