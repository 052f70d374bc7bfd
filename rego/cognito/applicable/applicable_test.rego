package cognito.applicable_test

import data.cognito.applicable
import data.cognito.iam
import data.cognito.store.indexing

# Expectations: IAM User Guide, "IAM JSON policy elements: Condition" (a
# statement applies only when its Condition block is satisfied by the request
# context), "IAM policy elements: Variables and tags" (a policy variable in
# Resource stands for the request's value of that key; with no such key the
# statement does not apply), "IAM JSON policy elements: NotAction", and
# "Permissions boundaries for IAM entities" (the boundary must also allow).
#
# A request that carries no policies is matched against its principal's
# stored ones by a body of applicable.facts of its own, which works out the
# request context only when a statement that can apply reads it. These tests
# ask such requests about stored statements that read the context, with and
# without the bundle's statement index, and compare the facts with those of
# the same request carrying an empty policy list (the general body).

_role := "arn:aws:iam::111122223333:role/Team"

_pools := "arn:aws:cognito-idp:us-east-1:111122223333:userpool"

_blue := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_blue"

_doc(statements) := {"Version": "2012-10-17", "Statement": statements}

_stored := {_role: {"policies": {
	"by-tag": _doc([{
		"Effect": "Allow",
		"Action": "cognito-idp:AdminCreateUser",
		"Resource": concat("", [_pools, "/*"]),
		"Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
	}]),
	"own-pool": _doc([{
		"Effect": "Allow",
		"Action": "cognito-idp:ListUsers",
		"Resource": concat("", [_pools, "/${aws:PrincipalTag/pool}"]),
	}]),
	"not-action": _doc([{
		"Effect": "Deny",
		"NotAction": "cognito-idp:List*",
		"Resource": "*",
		"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
	}]),
}}}

_with_boundary := {_role: {
	"policies": {"all": _doc([{"Effect": "Allow", "Action": "cognito-idp:*", "Resource": "*"}])},
	"permissions_boundary": _doc([{
		"Effect": "Allow",
		"Action": "cognito-idp:*",
		"Resource": "*",
		"Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
	}]),
}}

_request(action, context) := {"principal": _role, "action": action, "resource": _blue, "context": context}

_create(team, mfa) := _request("cognito-idp:AdminCreateUser", {
	"aws:PrincipalTag/team": team,
	"aws:MultiFactorAuthPresent": mfa,
})

_list(context) := _request("cognito-idp:ListUsers", context)

# [request, expected decision]
_cases := [
	[_create("blue", "true"), "allow"],
	[_create("green", "true"), "implicit_deny"],
	[_list({"aws:PrincipalTag/pool": "us-east-1_blue"}), "allow"],
	[_list({"aws:PrincipalTag/pool": "us-east-1_red"}), "implicit_deny"],
	[_list({}), "implicit_deny"],
	[_create("blue", "false"), "explicit_deny"],
]

test_stored_statements_that_read_the_context_get_it if {
	every case in _cases {
		d := iam.evaluate(case[0]) with data.cognito.store.principals as _stored
		d.decision == case[1]
	}
}

test_stored_statements_that_read_the_context_get_it_through_the_index if {
	index := indexing.index with data.cognito.store.principals as _stored
	every case in _cases {
		d := iam.evaluate(case[0]) with data.cognito.store as {"principals": _stored, "index": index}
		d.decision == case[1]
	}
}

test_a_stored_boundary_that_reads_the_context_gets_it if {
	index := indexing.index with data.cognito.store.principals as _with_boundary
	store := {"principals": _with_boundary, "index": index}
	r := _request("cognito-idp:DescribeUserPool", {"aws:RequestedRegion": "us-east-1"})
	inside := iam.evaluate(r) with data.cognito.store as store
	inside.decision == "allow"
	elsewhere := object.union(r, {"context": {"aws:RequestedRegion": "eu-west-1"}})
	outside := iam.evaluate(elsewhere) with data.cognito.store as store
	outside.decision == "implicit_deny"
}

test_facts_without_policies_equal_the_general_ones if {
	every case in _cases {
		plain := applicable.facts(case[0]) with data.cognito.store.principals as _stored
		with_policies := object.union(case[0], {"policies": []})
		general := applicable.facts(with_policies) with data.cognito.store.principals as _stored
		plain == general
	}
}
