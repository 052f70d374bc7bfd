package cognito.authz_test

import data.cognito.authz

# Decision requests with an identity: evaluated as the resolved role's
# session. Expectations: reference/cognito/identity-pools.md section 7 (S2
# "IAM roles": the guest scope-down "limits users' access to services other
# than those in the following list"; "In the basic (classic) flow ... you
# make your own AssumeRoleWithWebIdentity API request"; S20: a guest role
# allowing ec2:DescribeTags is refused in the enhanced flow, not in the basic
# flow), section 9 (S2 access policy examples with
# ${cognito-identity.amazonaws.com:sub}; S6 principal tags), section 1 (S7:
# GetCredentialsForIdentity is not governed by IAM).

_ip_pool_id := "us-east-1:12345678-corner-cafe-123456790ab"

_ip_up := "cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"

_ip_auth := "arn:aws:iam::123456789012:role/Cognito_CornerCafeAuth_Role"

_ip_unauth := "arn:aws:iam::123456789012:role/Cognito_CornerCafeUnauth_Role"

_ip_sub := "us-east-1:98765432-1234-1234-1243-123456790ab"

_ip_trust(amr) := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Principal": {"Federated": "cognito-identity.amazonaws.com"},
	"Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
	"Condition": {
		"StringEquals": {"cognito-identity.amazonaws.com:aud": _ip_pool_id},
		"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
	},
}]}

_ip_allow(actions, resources) := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Action": actions,
	"Resource": resources,
}]}

_ip_base := {
	"pool": {
		"IdentityPoolId": _ip_pool_id,
		"AllowUnauthenticatedIdentities": true,
		"AllowClassicFlow": true,
		"CognitoIdentityProviders": [{"ProviderName": _ip_up, "ClientId": "app1"}],
		"Roles": {"authenticated": _ip_auth, "unauthenticated": _ip_unauth},
		"PrincipalTagAttributeMaps": {_ip_up: {"PrincipalTags": {"department": "custom:dept"}}},
	},
	"roles": {
		_ip_auth: {
			"trust_policy": _ip_trust("authenticated"),
			"policies": [
				_ip_allow(["s3:GetObject"], ["arn:aws:s3:::mybucket/${cognito-identity.amazonaws.com:sub}/*"]),
				{"Version": "2012-10-17", "Statement": [{
					"Effect": "Allow",
					"Action": "dynamodb:GetItem",
					"Resource": "*",
					"Condition": {"StringEquals": {"dynamodb:Attributes": "${aws:PrincipalTag/department}"}},
				}]},
			],
		},
		_ip_unauth: {
			"trust_policy": _ip_trust("unauthenticated"),
			"policies": [_ip_allow(["s3:GetObject", "ec2:DescribeTags"], ["*"])],
		},
	},
	"identity_id": _ip_sub,
}

_ip_identity(extra) := object.union(_ip_base, extra)

_ip_user := {"login_provider": _ip_up, "token": {"aud": "app1", "sub": "u1", "custom:dept": "sales"}}

_ip_decide(action, resource, identity) := authz.decide({"action": action, "resource": resource, "identity": identity})

test_identity_guest_scope_down if {
	d := _ip_decide("s3:GetObject", "arn:aws:s3:::public/logo.png", _ip_identity({}))
	d.decision == "allow"
	d.identity.role_arn == _ip_unauth
	"session_policies[0]" in {m.policy | some m in d.matched}
	ec2 := _ip_decide("ec2:DescribeTags", "*", _ip_identity({}))
	ec2.decision == "implicit_deny"
	basic := _ip_decide("ec2:DescribeTags", "*", _ip_identity({"flow": "basic", "role_arn": _ip_unauth}))
	basic.decision == "allow"
}

test_identity_sub_variable if {
	own := sprintf("arn:aws:s3:::mybucket/%s/photo.jpg", [_ip_sub])
	_ip_decide("s3:GetObject", own, _ip_identity(_ip_user)).decision == "allow"
	other := "arn:aws:s3:::mybucket/us-east-1:12345678-1234-1234-1234-123456790ab/photo.jpg"
	_ip_decide("s3:GetObject", other, _ip_identity(_ip_user)).decision == "implicit_deny"
}

test_identity_principal_tag if {
	table := "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
	r := {"action": "dynamodb:GetItem", "resource": table, "identity": _ip_identity(_ip_user)}
	authz.decide(object.union(r, {"context": {"dynamodb:Attributes": "sales"}})).decision == "allow"
	authz.decide(object.union(r, {"context": {"dynamodb:Attributes": "hr"}})).decision == "implicit_deny"
	spoofed_context := {"dynamodb:Attributes": "hr", "aws:PrincipalTag/department": "hr"}
	spoofed := authz.decide(object.union(r, {"context": spoofed_context}))
	spoofed.decision == "implicit_deny"
	"context_key_set_by_session" in {w.code | some w in spoofed.warnings}
}

test_identity_no_credentials if {
	d := _ip_decide("s3:GetObject", "arn:aws:s3:::public/logo.png", json.patch(_ip_identity({}), [{
		"op": "replace", "path": "/pool/AllowUnauthenticatedIdentities", "value": false,
	}]))
	d.allowed == false
	d.decision == "no_credentials"
	d.identity.outcome == "error"
	d.identity.error.code == "NotAuthorizedException"
	d.matched == []
	contains(d.reason, "Without credentials")
}

test_identity_not_governed if {
	d := _ip_decide("cognito-identity:GetCredentialsForIdentity", "*", _ip_identity({}))
	d.decision == "not_governed_by_iam"
	d.identity.outcome == "credentials"
}

test_identity_invalid if {
	bad := _ip_decide("s3:GetObject", "arn:aws:s3:::b/k", json.remove(_ip_identity({}), ["pool/IdentityPoolId"]))
	bad.decision == "invalid"
	bad.identity.outcome == "invalid"
	{e.field | some e in bad.errors} == {"identity.pool.IdentityPoolId"}
	with_policies := authz.decide({
		"action": "s3:GetObject", "resource": "*",
		"identity": _ip_identity({}), "policies": [],
	})
	{e.field | some e in with_policies.errors} == {"policies"}
	not_object := authz.decide({"action": "s3:GetObject", "resource": "*", "identity": "pool"})
	{e.field | some e in not_object.errors} == {"identity"}
	no_action := authz.decide({"identity": _ip_identity({})})
	"action" in {e.field | some e in no_action.errors}
}

test_identity_in_a_batch if {
	[a, b] := authz.decisions with input as {"requests": [
		{"action": "s3:GetObject", "resource": "*", "identity": _ip_identity({})},
		{"action": "s3:GetObject", "resource": "*"},
	]}
	a.identity.outcome == "credentials"
	not b.identity
	b.decision == "implicit_deny"
}
