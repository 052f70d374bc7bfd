package cognito.statement_test

import data.cognito.statement

# Expectations: IAM User Guide, "IAM JSON policy elements: Action" (case
# insensitive, wildcards), "NotAction", "Resource" (case sensitive, "*"),
# "NotResource", and "IAM JSON policy elements: Version" (policy variables
# only with 2012-10-17; otherwise "${aws:username}" is literal text).

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_EXAMPLE"

_req(act, resource, ctx) := {"action": act, "resource": resource, "context": ctx}

test_action_and_resource if {
	s := {"Effect": "Allow", "Action": ["cognito-idp:Describe*", "cognito-idp:ListUserPools"], "Resource": _pool}
	statement.applies(s, true, _req("cognito-idp:DescribeUserPool", _pool, {}))
	statement.applies(s, true, _req("Cognito-IDP:describeuserpool", _pool, {}))
	not statement.applies(s, true, _req("cognito-idp:DeleteUserPool", _pool, {}))
	not statement.applies(s, true, _req("cognito-idp:DescribeUserPool", lower(_pool), {}))
}

test_not_action if {
	s := {"Effect": "Deny", "NotAction": "cognito-idp:Describe*", "Resource": "*"}
	statement.applies(s, true, _req("cognito-idp:DeleteUserPool", _pool, {}))
	not statement.applies(s, true, _req("cognito-idp:DescribeUserPool", _pool, {}))
}

test_not_resource if {
	s := {"Effect": "Deny", "Action": "*", "NotResource": [_pool]}
	statement.applies(
		s,
		true,
		_req("cognito-idp:DeleteUserPool", "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_OTHER", {}),
	)
	statement.applies(s, true, _req("cognito-idp:ListUserPools", "*", {}))
	not statement.applies(s, true, _req("cognito-idp:DeleteUserPool", _pool, {}))
}

# An operation without resource-level permissions is requested on "*"; only Resource "*" names it.
test_star_request if {
	statement.applies(
		{"Effect": "Allow", "Action": "*", "Resource": "*"},
		true,
		_req("cognito-idp:ListUserPools", "*", {}),
	)
	not statement.applies(
		{"Effect": "Allow", "Action": "*", "Resource": _pool},
		true,
		_req("cognito-idp:ListUserPools", "*", {}),
	)
}

# Resource-based policies (role trust policies) may omit Resource.
test_no_resource_element if {
	statement.applies(
		{"Effect": "Allow", "Action": "sts:AssumeRole"},
		true,
		_req("sts:AssumeRole", "arn:aws:iam::1:role/R", {}),
	)
}

test_policy_variables_need_version_2012 if {
	s := {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"}
	ctx := {"aws:username": "alice"}
	statement.applies(s, true, _req("s3:GetObject", "arn:aws:s3:::bucket/alice/x", ctx))
	not statement.applies(s, true, _req("s3:GetObject", "arn:aws:s3:::bucket/bob/x", ctx))
	not statement.applies(s, false, _req("s3:GetObject", "arn:aws:s3:::bucket/alice/x", ctx))
	statement.applies(s, false, _req("s3:GetObject", "arn:aws:s3:::bucket/${aws:username}/x", ctx))
}

# "Variables and tags": a variable without a value and without a default makes the element not match.
test_missing_variable_does_not_match if {
	s := {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"}
	not statement.applies(s, true, _req("s3:GetObject", "arn:aws:s3:::bucket/alice/x", {}))
}

test_conditions if {
	s := {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "alice"}}}
	statement.applies(s, true, _req("s3:GetObject", "*", {"aws:username": "alice"}))
	not statement.applies(s, true, _req("s3:GetObject", "*", {"aws:username": "bob"}))
	not statement.applies(s, true, _req("s3:GetObject", "*", {}))
	statement.applies(
		{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}},
		true,
		_req("s3:GetObject", "*", {}),
	)
	bad := {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": "x"}
	not statement.applies(bad, true, _req("s3:GetObject", "*", {}))
}

# "IAM JSON policy elements: Version": with 2008-10-17 or no Version,
# "${aws:username}" in a condition value is literal text, not a variable.
test_condition_variables_need_version_2012 if {
	s := {
		"Effect": "Allow",
		"Action": "*",
		"Resource": "*",
		"Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}},
	}
	ctx := {"aws:username": "alice", "s3:prefix": "alice/docs"}
	statement.applies(s, true, _req("s3:ListBucket", "*", ctx))
	not statement.applies(s, false, _req("s3:ListBucket", "*", ctx))
	statement.applies(s, false, _req("s3:ListBucket", "*", object.union(ctx, {"s3:prefix": "${aws:username}/docs"})))
	n := {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": 10}}}
	statement.applies(n, false, _req("s3:ListBucket", "*", {"s3:max-keys": "5"}))
	t := {
		"Effect": "Allow",
		"Action": "*",
		"Resource": "*",
		"Condition": {"Null": {"aws:username": "false"}, "Bool": "x"},
	}
	not statement.applies(t, false, _req("s3:ListBucket", "*", ctx))
}

test_ill_formed_elements_never_match if {
	not statement.applies({"Effect": "Allow", "Action": 5, "Resource": "*"}, true, _req("s3:GetObject", "*", {}))
	not statement.applies({"Effect": "Allow", "Action": "*", "Resource": [5]}, true, _req("s3:GetObject", "*", {}))
}
