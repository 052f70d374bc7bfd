package cognito.identity.session_test

import data.cognito.identity.session

# identity-pools.md section 9: a request with an identity is evaluated as the
# resolved role's session, with the role's policies; the role entry comes
# from identity.roles, or from the stored pool's roles when identity.pool is
# the ID of a pool the bundle stores (data.cognito.store.identity_pools).

_id := "us-east-1:12345678-corner-cafe-123456790ab"

_guest_role := "arn:aws:iam::123456789012:role/Cognito_CornerCafeUnauth_Role"

_read := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}

_boundary := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}

_trust := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Principal": {"Federated": "cognito-identity.amazonaws.com"},
	"Action": "sts:AssumeRoleWithWebIdentity",
	"Condition": {
		"StringEquals": {"cognito-identity.amazonaws.com:aud": _id},
		"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"},
	},
}]}

_pool := {
	"IdentityPoolId": _id,
	"AllowUnauthenticatedIdentities": true,
	"Roles": {"unauthenticated": _guest_role},
}

_roles := {_guest_role: {"trust_policy": _trust, "policies": [_read], "permissions_boundary": _boundary}}

_stored := {_id: {"pool": _pool, "roles": _roles}}

_request(pool_fields) := {
	"action": "s3:GetObject",
	"resource": "arn:aws:s3:::bucket/key",
	"context": {"aws:SourceIp": "192.0.2.1", "cognito-identity.amazonaws.com:amr": "forged"},
	"identity": object.union(pool_fields, {"identity_id": "us-east-1:12345678-1234-1234-1234-123456790ab"}),
}

test_request_from_a_stored_pool if {
	inline := _request({"pool": _pool, "roles": _roles})
	by_id := _request({"pool": _id})
	res := data.cognito.identity.resolution with input as by_id.identity with data.cognito.store.identity_pools as _stored
	res.outcome == "credentials"
	got := session.request(by_id, res) with data.cognito.store.identity_pools as _stored
	inline_res := data.cognito.identity.resolution with input as inline.identity
	got == session.request(inline, inline_res)
	got.policies == [_read]
	got.permissions_boundary == _boundary
	got.context["aws:SourceIp"] == "192.0.2.1"
	count(session.request_errors(by_id, res)) == 0
	[w.code | some w in session.warnings(by_id, res)] == ["context_key_set_by_session"]
}

test_request_errors_name_the_identity_field if {
	r := object.union(_request({"pool": _id}), {"policies": [_read]})
	res := data.cognito.identity.resolution with input as r.identity
	{[e.code, e.field] | some e in session.request_errors(r, res)} == {
		["not_with_identity", "policies"],
		["unknown_identity_pool", "identity.pool"],
	}
}
