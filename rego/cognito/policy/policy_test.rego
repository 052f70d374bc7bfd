package cognito.policy_test

import data.cognito.policy

# Expectations: IAM User Guide, "IAM JSON policy elements: Statement" (one
# statement or a list), "Sid" (optional), "Version" (variables only with 2012-10-17).

test_statement_labels if {
	doc := {"Statement": [{"Sid": "First", "Effect": "Allow"}, {"Effect": "Deny"}, {"Sid": "", "Effect": "Allow"}, "junk"]}
	[s.label | some s in policy.statements(doc)] == ["First", 1, 2]
	[s.label | some s in policy.statements({"Statement": {"Effect": "Allow"}})] == [0]
	policy.statements("junk") == []
}

test_substitutes_variables if {
	policy.substitutes_variables({"Version": "2012-10-17"})
	not policy.substitutes_variables({"Version": "2008-10-17"})
	not policy.substitutes_variables({})
	policy.version_substitutes_variables("2012-10-17")
	not policy.version_substitutes_variables("2008-10-17")
}

test_mentions_variables if {
	policy.mentions_variables({"Statement": {"Resource": "arn:aws:s3:::b/${aws:username}"}})
	policy.mentions_variables({"Statement": [{"Condition": {"StringEquals": {"k": ["${aws:username}"]}}}]})
	not policy.mentions_variables({"Statement": {"Action": "${x}", "Resource": "*"}})
}
