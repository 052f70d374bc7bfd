package cognito.identity_test

import data.cognito.identity

# End-to-end resolutions. Expectations: reference/cognito/identity-pools.md
# (sections 3-9, sources S1-S20 as marked on each test); the trust policies
# are the documented ones of "Role trust and permissions" (S3) with their
# "aud"/"amr" conditions.

_pool_id := "us-east-1:12345678-corner-cafe-123456790ab"

_up := "cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"

_key := concat(":", [_up, "app1"])

_auth := "arn:aws:iam::123456789012:role/Cognito_CornerCafeAuth_Role"

_unauth := "arn:aws:iam::123456789012:role/Cognito_CornerCafeUnauth_Role"

_admin := "arn:aws:iam::123456789012:role/CornerCafeAdmin"

_trust(amr, actions) := {"Version": "2012-10-17", "Statement": [{
	"Sid": "",
	"Effect": "Allow",
	"Principal": {"Federated": "cognito-identity.amazonaws.com"},
	"Action": actions,
	"Condition": {
		"StringEquals": {"cognito-identity.amazonaws.com:aud": _pool_id},
		"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
	},
}]}

_aud_only := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Principal": {"Federated": "cognito-identity.amazonaws.com"},
	"Action": "sts:AssumeRoleWithWebIdentity",
	"Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": _pool_id}},
}]}

_roles := {
	_auth: {"trust_policy": _trust("authenticated", "sts:AssumeRoleWithWebIdentity")},
	_unauth: {"trust_policy": _trust("unauthenticated", "sts:AssumeRoleWithWebIdentity")},
	_admin: {"trust_policy": _trust("authenticated", ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])},
}

_pool := {
	"IdentityPoolId": _pool_id,
	"AllowUnauthenticatedIdentities": true,
	"AllowClassicFlow": true,
	"CognitoIdentityProviders": [{"ProviderName": _up, "ClientId": "app1"}],
	"SupportedLoginProviders": {"graph.facebook.com": "7346241598935552"},
	"Roles": {"authenticated": _auth, "unauthenticated": _unauth},
}

_identity(pool_extra, extra) := object.union({"pool": object.union(_pool, pool_extra), "roles": _roles}, extra)

_user(claims) := {
	"login_provider": _up,
	"token": object.union({"aud": "app1", "sub": "user-1", "iss": concat("", ["https://", _up])}, claims),
	"identity_id": "us-east-1:98765432-1234-1234-1243-123456790ab",
}

_guest := {"identity_id": "us-east-1:12345678-1234-1234-1234-123456790ab"}

_codes(res) := {w.code | some w in res.warnings}

# S1 "a separate IAM role with limited permissions for guest users"; S2: the
# enhanced flow adds the scope-down session policies; S15: amr is
# ["unauthenticated"]; S19: session name CognitoIdentityCredentials.
test_guest_enhanced if {
	res := identity.resolve(_identity({}, _guest))
	res.outcome == "credentials"
	res.role_arn == _unauth
	res.role_choice == "default_unauthenticated"
	count(res.session_policies) == 3
	endswith(res.session.principal, ":assumed-role/Cognito_CornerCafeUnauth_Role/CognitoIdentityCredentials")
	res.session.context["cognito-identity.amazonaws.com:amr"] == ["unauthenticated"]
	res.session.context["cognito-identity.amazonaws.com:sub"] == _guest.identity_id
	res.error == null
	contains(res.reason, "scope-down")
}

# S4, S19: "Unauthenticated access is not supported for this identity pool."
test_guest_not_allowed if {
	res := identity.resolve(_identity({"AllowUnauthenticatedIdentities": false}, _guest))
	res.outcome == "error"
	res.error.code == "NotAuthorizedException"
	res.error.stage == "get_id"
	res.role_arn == null
	startswith(res.reason, "No credentials: NotAuthorizedException at get_id")
}

# S1: no mapping for the provider: the default authenticated role; S15: amr
# lists "authenticated" and the provider.
test_sign_in_default_role if {
	res := identity.resolve(_identity({}, _user({})))
	res.outcome == "credentials"
	res.role_arn == _auth
	res.session_policies == []
	res.session.context["cognito-identity.amazonaws.com:amr"] == ["authenticated", _up]
	res.token == {"form": "claims", "signature": "not_applicable"}
}

# S1 Token: cognito:preferred_role.
test_token_mapping_preferred_role if {
	mapping := {"RoleMappings": {_key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}}}
	res := identity.resolve(_identity(mapping, _user({"cognito:roles": [_admin], "cognito:preferred_role": _admin})))
	res.role_arn == _admin
	res.provider_key == _key
	res.role_choice == "token_preferred_role"
}

# S1 Token with Deny and no preferred role; S19 text.
test_token_mapping_ambiguous_deny if {
	mapping := {"RoleMappings": {_key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}}}
	res := identity.resolve(_identity(mapping, _user({"cognito:roles": [_admin, _auth]})))
	res.outcome == "error"
	res.error.message == sprintf("The ambiguous role mapping rules for: %s denied this request.", [_key])
	res.provider_key == _key
	res.role_arn == null
}

# S1 Rules, first match; S6/S13: default principal tags, which need
# sts:TagSession in the trust policy (the admin role's allows it).
test_rules_with_principal_tags if {
	pool := {
		"RoleMappings": {_key: {
			"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
			"RulesConfiguration": {"Rules": [{
				"Claim": "cognito:groups", "MatchType": "Contains",
				"Value": "admins", "RoleARN": _admin,
			}]},
		}},
		"PrincipalTagAttributeMaps": {_up: {"UseDefaults": true}},
	}
	res := identity.resolve(_identity(pool, _user({"cognito:groups": ["admins"]})))
	res.outcome == "credentials"
	res.role_arn == _admin
	res.rule == 0
	res.principal_tags == {"username": "user-1", "client": "app1"}
	res.session.context["aws:principaltag/username"] == "user-1"
	contains(res.reason, "sts:TagSession")

	# No rule matches: AuthenticatedRole, whose trust policy lacks sts:TagSession (S13).
	fallback := identity.resolve(_identity(pool, _user({"cognito:groups": ["users"]})))
	fallback.outcome == "error"
	fallback.error.code == "InvalidIdentityPoolConfigurationException"
	contains(fallback.error.reason, "sts:TagSession")
	fallback.role_arn == _auth
}

# S9: STS refuses the chosen role (its trust policy names another pool): no
# fallback to another role.
test_trust_rejects_resolved_role if {
	other := json.patch(_trust("authenticated", "sts:AssumeRoleWithWebIdentity"), [{
		"op": "replace",
		"path": "/Statement/0/Condition/StringEquals/cognito-identity.amazonaws.com:aud",
		"value": "us-east-1:98765432-dcba-dcba-dcba-123456790ab",
	}])
	res := identity.resolve(_identity({}, object.union(_user({}), {"roles": {_auth: {"trust_policy": other}}})))
	res.error.code == "InvalidIdentityPoolConfigurationException"
	res.error.stage == "get_credentials_for_identity"
	res.role_arn == _auth
}

# S4: basic flow, the client's role; S2: no scope-down; S3: AccessDenied.
test_basic_flow if {
	ok := identity.resolve(_identity({}, object.union(_user({}), {"flow": "basic", "role_arn": _admin})))
	ok.outcome == "credentials"
	ok.role_choice == "client_chosen"
	guest := identity.resolve(_identity({}, object.union(_guest, {"flow": "basic", "role_arn": _unauth})))
	guest.session_policies == []
	denied := identity.resolve(_identity({}, object.union(_guest, {"flow": "basic", "role_arn": _auth})))
	denied.error.code == "AccessDenied"
	denied.error.stage == "assume_role_with_web_identity"
}

# S4 (current): "Basic (classic) flow is not supported with RoleMappings,
# please use enhanced flow."; S19/A17: AllowClassicFlow false.
test_basic_flow_refusals if {
	basic := object.union(_user({}), {"flow": "basic", "role_arn": _auth})
	off := identity.resolve(_identity({"AllowClassicFlow": false}, basic))
	off.error.code == "InvalidParameterException"
	off.error.stage == "get_open_id_token"
	mapped := {"RoleMappings": {_key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}}}
	r := identity.resolve(_identity(mapped, basic))
	r.error.message == "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow."
}

# S4/S20: a role trusting only aud can be assumed by guests in the basic flow;
# A9: AllowClassicFlow absent is treated as enabled, with a warning.
test_basic_flow_guest_escalation if {
	guest := object.union(_guest, {"flow": "basic", "role_arn": _auth})
	x := object.union(_identity({}, guest), {"roles": {_auth: {"trust_policy": _aud_only}}})
	res := identity.resolve(json.remove(x, ["pool/AllowClassicFlow"]))
	res.outcome == "credentials"
	res.role_arn == _auth
	"classic_flow_unset" in _codes(res)
}

test_unknown_role_is_invalid if {
	res := identity.resolve(_identity({"Roles": {"authenticated": "arn:aws:iam::123456789012:role/Missing"}}, _user({})))
	res.outcome == "invalid"
	res.errors[0].code == "unknown_role"
}

# A13: a list claim mapped to a principal tag.
test_list_claim_tag_is_invalid if {
	pool := {"PrincipalTagAttributeMaps": {_up: {"PrincipalTags": {"groups": "cognito:groups"}}}}
	res := identity.resolve(_identity(pool, _user({"cognito:groups": ["a"]})))
	res.outcome == "invalid"
	res.errors[0].field == "token.cognito:groups"
}

test_invalid_identity if {
	res := identity.resolve({"pool": {}})
	res.outcome == "invalid"
	count(res.errors) == 2
	startswith(res.reason, "The identity cannot be resolved (2 error(s))")
	custom := {"login_provider": _up, "custom_role_arn": _admin, "token": {"aud": "app1"}}
	identity.resolve(_identity({}, custom)).outcome == "invalid"
}

test_raw_jwt if {
	jwt := io.jwt.encode_sign({"alg": "HS256"}, _user({}).token, {"kty": "oct", "k": base64url.encode_no_pad("test")})
	res := identity.resolve(_identity({}, object.union(_user({}), {"token": jwt})))
	res.outcome == "credentials"
	res.token == {"form": "jwt", "signature": "not_checked"}
	"token_signature_not_checked" in _codes(res)

	# An HS256 token cannot verify against an RSA key set (only RS, PS and ES algorithms are accepted).
	rsa_jwks := {"keys": [{"kty": "RSA", "e": "AQAB", "n": "AQAB"}]}
	bad := identity.resolve(_identity({}, object.union(_user({}), {"token": jwt, "jwks": rsa_jwks})))
	bad.error.code == "NotAuthorizedException"
	bad.token.signature == "invalid"
}

test_warnings if {
	res := identity.resolve(object.union(_identity({}, json.remove(_user({}), ["identity_id"])), {"extra": 1}))
	_codes(res) == {"unknown_field", "noncanonical_identity_pool_id", "no_identity_id"}
	long := concat("", ["x" | some _ in numbers.range(1, 300)])
	tagged := {"PrincipalTagAttributeMaps": {_up: {"PrincipalTags": {"name": "name"}}}}
	admin_auth := {"Roles": {"authenticated": _admin, "unauthenticated": _unauth}}
	t := identity.resolve(_identity(object.union(tagged, admin_auth), _user({"name": long})))
	"tag_value_too_long" in _codes(t)
}

test_entry_points if {
	x := _identity({}, _guest)
	identity.resolution.role_arn == _unauth with input as x
	identity.resolution.role_arn == _unauth with input as {"action": "s3:ListBucket", "identity": x}
	[a, b] := identity.resolutions with input as {"identities": [x, {}]}
	a.outcome == "credentials"
	b.outcome == "invalid"
	identity.resolutions == [] with input as {}
}

# A pool stored by bundle build --identity-pools, named by its ID: the same
# resolution as the pool and roles sent inline; an ID the bundle does not
# store, or roles beside a stored pool's ID, is invalid.
_stored := {_pool_id: {"pool": _pool, "roles": _roles}}

test_stored_pool_by_id if {
	some extra in [_guest, _user({}), _user({"cognito:preferred_role": _admin})]
	inline := identity.resolve(_identity({}, extra))
	by_id := identity.resolve(object.union({"pool": _pool_id}, extra)) with data.cognito.store.identity_pools as _stored
	by_id == inline
}

test_stored_pool_unknown_or_with_roles if {
	unknown := identity.resolve(object.union({"pool": "us-east-1:00000000-0000-0000-0000-000000000000"}, _guest))
	[e.code | some e in unknown.errors] == ["unknown_identity_pool"] with data.cognito.store.identity_pools as _stored
	with_roles := identity.resolve({"pool": _pool_id, "roles": _roles}) with data.cognito.store.identity_pools as _stored
	[e.code | some e in with_roles.errors] == ["roles_with_stored_pool"]
	no_store := identity.resolve(object.union({"pool": _pool_id}, _guest))
	[e.code | some e in no_store.errors] == ["unknown_identity_pool"]
}
