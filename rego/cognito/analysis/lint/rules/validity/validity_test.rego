# METADATA
# description: |
#   invalid-policy reports what cognito.validation finds (IAM User Guide, "IAM
#   JSON policy grammar"): Effect must be Allow or Deny, identity-based
#   policies name no Principal, Version is 2012-10-17 or 2008-10-17.
package cognito.analysis.lint.rules.validity_test

import data.cognito.analysis.lint.rules.validity

_input(doc) := {"policies": [{"name": "p.json", "document": doc}]}

test_statement_errors_name_the_statement if {
	found := validity.report with input as _input({"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": "*"},
		{"Sid": "Bad", "Effect": "Maybe", "Action": "cognito-idp:ListUsers", "Resource": "*"},
	]})
	found == {{
		"rule": "invalid-policy", "policy": "p.json", "position": 1, "statement": "Bad",
		"message": "Effect must be \"Allow\" or \"Deny\", not Maybe (Statement[1].Effect)",
		"hint": "fix the document: IAM rejects it",
	}}
}

test_single_statement_object if {
	found := validity.report with input as _input({"Version": "2012-10-17", "Statement": {
		"Effect": "Allow", "Principal": "*", "Action": "cognito-idp:ListUsers", "Resource": "*",
	}})
	[[f.position, f.statement, f.message] | some f in found] == [[
		0, 0,
		"Principal is only for resource-based policies, not identity-based policies (Statement.Principal)",
	]]
}

test_document_errors if {
	version := validity.report with input as _input({"Version": "2020-01-01", "Statement": []})
	[[f.position, f.statement, f.message] | some f in version] == [[
		null, null,
		"Version must be \"2012-10-17\" or \"2008-10-17\", not 2020-01-01 (Version)",
	]]
	junk := validity.report with input as _input(["not", "a", "policy"])
	[f.message | some f in junk] == ["a policy document must be a JSON object (document)"]
}

test_unknown_managed_policy if {
	found := validity.report with input as {"managed_policies": ["AmazonCognitoReadOnly", "AmazonCognitoReadOnlyy"]}
	[[f.policy, f.statement, f.message] | some f in found] == [[
		"AmazonCognitoReadOnlyy", null, "no AWS managed policy AmazonCognitoReadOnlyy in the bundle",
	]]
	some f in found
	contains(f.hint, "AmazonCognitoReadOnly, ")
}

test_non_object_statement if {
	found := validity.report with input as _input({"Statement": ["junk"]})
	[[f.position, f.statement] | some f in found] == [[0, 0]]
}
