package cognito.authz_test

import data.cognito.authz

# The verdict entry points answer {"allowed", "decision"} equal to the
# explained decision's, on every route: the contract is the equality.

_v_deny_all := {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}

_v_allow_all := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

_v_boundary := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}

_v_me := "arn:aws:iam::111122223333:user/me"

_self_policy := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Principal": {"AWS": _v_me},
	"Action": "cognito-idp:ListUsers",
	"Resource": "*",
}]}

_verdict_requests := [
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": [_v_allow_all, _v_deny_all]},
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": [_v_allow_all]},
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": [_v_allow_all], "permissions_boundary": _v_deny_all},
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": [_v_allow_all], "session_policies": [{
		"Version": "2012-10-17",
		"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
	}]},
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": [_v_allow_all], "scps": [[]]},
	{
		"action": "cognito-idp:ListUsers", "resource": "*", "principal": _v_me,
		"resource_policy": _self_policy, "permissions_boundary": _v_boundary,
	},
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": []},
	{"action": "cognito-idp:SignUp", "resource": "*"},
	{"action": "sts:GetCallerIdentity", "resource": "*", "policies": [_v_deny_all]},
	{"action": 7},
	"not a request",
	{
		"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
		"identity": json.remove(_ip_identity({}), ["pool/IdentityPoolId"]),
	},
	{"action": "s3:GetObject", "resource": "arn:aws:s3:::public/logo.png", "identity": json.patch(_ip_identity({}), [{
		"op": "replace", "path": "/pool/AllowUnauthenticatedIdentities", "value": false,
	}])},
	{"action": "s3:GetObject", "resource": "*", "identity": _ip_identity({})},
	{"action": "ec2:DescribeTags", "resource": "*", "identity": _ip_identity({})},
	{"action": "cognito-identity:GetCredentialsForIdentity", "resource": "*", "identity": _ip_identity({})},
]

test_verdicts_equal_decisions if {
	ds := authz.decisions with input as {"requests": _verdict_requests}
	vs := authz.verdicts with input as {"requests": _verdict_requests}
	count(vs) == count(_verdict_requests)
	vs == [{"allowed": d.allowed, "decision": d.decision} | some d in ds]
}

test_verdicts_cover_every_decision if {
	vs := authz.verdicts with input as {"requests": _verdict_requests}
	{v.decision | some v in vs} == {
		"explicit_deny", "allow", "implicit_deny", "invalid", "not_governed_by_iam", "no_credentials",
	}
}

test_verdict_one_request if {
	every r in _verdict_requests {
		d := authz.decision with input as r
		v := authz.verdict with input as r
		v == {"allowed": d.allowed, "decision": d.decision}
	}
}

test_verdict_explicit_deny if {
	v := authz.verdict with input as _verdict_requests[0]
	v == {"allowed": false, "decision": "explicit_deny"}
}

test_verdict_self_grant_passes_boundary if {
	v := authz.verdict with input as _verdict_requests[5]
	v == {"allowed": true, "decision": "allow"}
}

test_verdicts_without_a_list if {
	authz.verdicts == [] with input as {"requests": "x"}
}
