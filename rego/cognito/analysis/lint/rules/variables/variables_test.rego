# METADATA
# description: |
#   IAM User Guide, "IAM JSON policy elements: Version": with "2008-10-17",
#   or without a Version, features such as policy variables do not work, and
#   a variable such as ${aws:username} is treated as a literal string.
#   The Cognito developer guide's per-identity access policies use
#   ${cognito-identity.amazonaws.com:sub}.
package cognito.analysis.lint.rules.variables_test

import data.cognito.analysis.lint.rules.variables

_sub := "${cognito-identity.amazonaws.com:sub}"

_statement := {
	"Effect": "Allow", "Action": "cognito-sync:ListRecords",
	"Resource": sprintf("arn:aws:cognito-sync:us-east-1:111122223333:identitypool/*/identity/%s/*", [_sub]),
}

_input(doc) := {"policies": [{"name": "p.json", "document": doc}]}

test_missing_version if {
	found := variables.report with input as _input({"Statement": [_statement]})
	found == {{
		"rule": "variables-not-substituted", "policy": "p.json", "position": 0, "statement": 0,
		"message": concat("", [
			"the statement uses policy variables (${cognito-identity.amazonaws.com:sub}) ",
			"but the policy has no Version: IAM matches them as literal text",
		]),
		"hint": "add \"Version\": \"2012-10-17\" to the policy",
	}}
}

test_old_version_with_variables_in_a_condition if {
	statement := {
		"Sid": "Own", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
		"Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*", "home/${aws:userid"]}},
	}
	found := variables.report with input as _input({"Version": "2008-10-17", "Statement": statement})
	[f.message | some f in found] == [concat("", [
		"the statement uses policy variables (${aws:userid, ${aws:username}) ",
		"but the policy has Version \"2008-10-17\": IAM matches them as literal text",
	])]
}

test_current_version_or_no_variables if {
	current := variables.report with input as _input({"Version": "2012-10-17", "Statement": [_statement]})
	current == set()
	statement := {"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": "*"}
	plain := variables.report with input as _input({"Statement": [statement]})
	plain == set()
}
