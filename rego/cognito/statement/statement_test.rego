package cognito.statement_test

import data.cognito.conditions
import data.cognito.match
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

# --- The compiled form (compile, compiled_applies) answers as applies does:
# each case is one of the documented expectations above, [statement,
# variables, request, applies?].

_listing := {"Effect": "Allow", "Action": ["cognito-idp:Describe*", "cognito-idp:ListUserPools"], "Resource": _pool}

_wild_pool := {
	"Effect": "Allow", "Action": "cognito-idp:*",
	"Resource": "arn:aws:cognito-idp:*:111122223333:userpool/*",
}

_per_user := {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"}

_when_alice := {
	"Effect": "Allow", "Action": "*", "Resource": "*",
	"Condition": {"StringEquals": {"aws:username": "alice"}},
}

_deny_others := {"Effect": "Deny", "NotAction": "cognito-idp:Describe*", "Resource": "*"}

_deny_elsewhere := {"Effect": "Deny", "Action": "*", "NotResource": [_pool]}

_prefix_like := {
	"Effect": "Allow", "Action": "*", "Resource": "*",
	"Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}},
}

_compiled_cases := [
	[_listing, true, _req("cognito-idp:DescribeUserPool", _pool, {}), true],
	[_listing, true, _req("Cognito-IDP:describeuserpool", _pool, {}), true],
	[_listing, true, _req("cognito-idp:DeleteUserPool", _pool, {}), false],
	[_listing, true, _req("cognito-idp:DescribeUserPool", lower(_pool), {}), false],
	[_wild_pool, true, _req("cognito-idp:ListUsers", _pool, {}), true],
	[_wild_pool, true, _req("cognito-idp:ListUsers", "arn:aws:cognito-idp:us-east-1:444455556666:userpool/x", {}), false],
	[_deny_others, true, _req("cognito-idp:DeleteUserPool", _pool, {}), true],
	[_deny_others, true, _req("cognito-idp:DescribeUserPool", _pool, {}), false],
	[_deny_elsewhere, true, _req("cognito-idp:ListUserPools", "*", {}), true],
	[_deny_elsewhere, true, _req("cognito-idp:DeleteUserPool", _pool, {}), false],
	[{"Effect": "Allow", "Action": "*", "Resource": "*"}, true, _req("cognito-idp:ListUserPools", "*", {}), true],
	[{"Effect": "Allow", "Action": "*", "Resource": _pool}, true, _req("cognito-idp:ListUserPools", "*", {}), false],
	[{"Effect": "Allow", "Action": "sts:AssumeRole"}, true, _req("sts:AssumeRole", "arn:aws:iam::1:role/R", {}), true],
	[_per_user, true, _req("s3:GetObject", "arn:aws:s3:::bucket/alice/x", {"aws:username": "alice"}), true],
	[_per_user, true, _req("s3:GetObject", "arn:aws:s3:::bucket/bob/x", {"aws:username": "alice"}), false],
	[_per_user, false, _req("s3:GetObject", "arn:aws:s3:::bucket/alice/x", {"aws:username": "alice"}), false],
	[_per_user, false, _req("s3:GetObject", "arn:aws:s3:::bucket/${aws:username}/x", {}), true],
	[_per_user, true, _req("s3:GetObject", "arn:aws:s3:::bucket/alice/x", {}), false],
	[_when_alice, true, _req("s3:GetObject", "*", {"aws:username": "alice"}), true],
	[_when_alice, true, _req("s3:GetObject", "*", {"aws:username": "bob"}), false],
	[_when_alice, true, _req("s3:GetObject", "*", {}), false],
	[{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}, true, _req("s3:GetObject", "*", {}), true],
	[{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": "x"}, true, _req("s3:GetObject", "*", {}), false],
	[_prefix_like, true, _req("s3:ListBucket", "*", {"aws:username": "alice", "s3:prefix": "alice/docs"}), true],
	[_prefix_like, false, _req("s3:ListBucket", "*", {"aws:username": "alice", "s3:prefix": "alice/docs"}), false],
	[_prefix_like, false, _req("s3:ListBucket", "*", {"s3:prefix": "${aws:username}/docs"}), true],
	[{"Effect": "Allow", "Action": 5, "Resource": "*"}, true, _req("s3:GetObject", "*", {}), false],
	[{"Effect": "Allow", "Action": "*", "Resource": [5]}, true, _req("s3:GetObject", "*", {}), false],
]

default _answer(_, _, _) := false

_answer(s, variables, req) if statement.applies(s, variables, req)

default _compiled_answer(_, _, _) := false

_compiled_answer(s, variables, req) if statement.compiled_applies(statement.compile(s, variables), false, req)

test_applies_answers_the_compiled_cases if {
	every case in _compiled_cases {
		_answer(case[0], case[1], case[2]) == case[3]
	}
}

test_compiled_applies_answers_the_same_cases if {
	every case in _compiled_cases {
		_compiled_answer(case[0], case[1], case[2]) == case[3]
	}
}

# An index that lists a statement for the action vouches for its Action: the
# rest (resource, condition) is still matched.
test_compiled_applies_with_the_action_known if {
	c := statement.compile(_listing, true)
	statement.compiled_applies(c, true, _req("cognito-idp:DescribeUserPool", _pool, {}))
	not statement.compiled_applies(c, true, _req("cognito-idp:DescribeUserPool", lower(_pool), {}))
	c.fast
	not statement.compile({"Effect": "Deny", "NotAction": "a:b", "Resource": "*"}, true).fast
}

# Patterns are translated once, by cognito.match's own translation.
test_compile_translates_resource_patterns if {
	statement.compile(_wild_pool, true).resource == [["regex", match.resource_regex(_wild_pool.Resource)]]
	statement.compile(_listing, true).resource == [["equals", _pool]]
	statement.compile(_per_user, true).resource == [["variables", _per_user.Resource]]
	statement.compile(_per_user, false).resource == [["regex", match.resource_regex(_per_user.Resource)]]
	statement.compile({"Effect": "Allow", "Action": "*", "Resource": "*"}, true).resource == [["any", ""]]
	escaped := {"StringLike": {"s3:prefix": ["${$}{aws:username}/*"]}}
	statement.compile(_prefix_like, false).condition == conditions.compile(escaped)
	statement.compile(_prefix_like, true).condition == conditions.compile(_prefix_like.Condition)
	statement.compile(_listing, true).condition == null
}
