package cognito.authz_test

import data.cognito.authz

# Identity pool roles. Expectations: Amazon Cognito Developer Guide, "Role
# trust and permissions" and "Using role-based access control" ("Creating
# roles for role mapping"), https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html;
# "IAM roles" ("Reuse roles across identity pools", "Limit access to specific
# identities", "Access policy examples"). The trust policies are verbatim.

_pool_id := "us-east-1:12345678-corner-cafe-123456790ab"

_trust_policy(amr) := {"Version": "2012-10-17", "Statement": [{
	"Sid": "",
	"Effect": "Allow",
	"Principal": {"Federated": "cognito-identity.amazonaws.com"},
	"Action": "sts:AssumeRoleWithWebIdentity",
	"Condition": {
		"StringEquals": {"cognito-identity.amazonaws.com:aud": _pool_id},
		"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
	},
}]}

_unauth_role := "arn:aws:iam::123456789012:role/Cognito_CornerCafeUnauth_Role"

_auth_role := "arn:aws:iam::123456789012:role/Cognito_CornerCafeAuth_Role"

_assume(role, policy, context) := authz.decide({
	"action": "sts:AssumeRoleWithWebIdentity",
	"resource": role,
	"principal": "cognito-identity.amazonaws.com",
	"resource_policy": policy,
	"context": context,
})

_token(aud, amr) := {"cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": amr}

# "Role trust and permissions": the unauthenticated role may be assumed by
# guests of the pool (amr contains "unauthenticated"), and only by them.
test_unauthenticated_role_trust if {
	d := _assume(_unauth_role, _trust_policy("unauthenticated"), _token(_pool_id, ["unauthenticated"]))
	d.decision == "allow"
	d.matched == [{"policy": "resource_policy", "statement": 0, "effect": "Allow"}]
	d.warnings == []
	guest := _token(_pool_id, "unauthenticated")
	_assume(_unauth_role, _trust_policy("unauthenticated"), guest).decision == "allow"
	signed_in := _token(_pool_id, ["authenticated", "graph.facebook.com"])
	_assume(_unauth_role, _trust_policy("unauthenticated"), signed_in).decision == "implicit_deny"
}

# The aud condition confines the role to its identity pool; StringEquals is
# case-sensitive (IAM User Guide, "Condition operators", string operators);
# without an aud the condition does not hold.
test_trust_requires_the_pools_aud if {
	other := _token("us-east-1:98765432-dcba-dcba-dcba-123456790ab", ["unauthenticated"])
	d := _assume(_unauth_role, _trust_policy("unauthenticated"), other)
	d.decision == "implicit_deny"
	contains(d.reason, "trust policy")
	shouted := _token(upper(_pool_id), ["unauthenticated"])
	_assume(_unauth_role, _trust_policy("unauthenticated"), shouted).decision == "implicit_deny"
	no_aud := {"cognito-identity.amazonaws.com:amr": ["unauthenticated"]}
	_assume(_unauth_role, _trust_policy("unauthenticated"), no_aud).decision == "implicit_deny"
}

# "Using role-based access control": the authenticated role is for
# authenticated users of the pool; amr then lists "authenticated" and the
# login provider (e.g. graph.facebook.com or the user pool).
test_authenticated_role_trust if {
	policy := _trust_policy("authenticated")
	facebook := _token(_pool_id, ["authenticated", "graph.facebook.com"])
	_assume(_auth_role, policy, facebook).decision == "allow"
	user_pool := _token(_pool_id, ["authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"])
	_assume(_auth_role, policy, user_pool).decision == "allow"
	_assume(_auth_role, policy, _token(_pool_id, ["unauthenticated"])).decision == "implicit_deny"
	other := _token("us-east-1:98765432-dcba-dcba-dcba-123456790ab", ["authenticated", "graph.facebook.com"])
	_assume(_auth_role, policy, other).decision == "implicit_deny"
}

# Condition key names are not case-sensitive (IAM User Guide, "Condition").
test_trust_context_keys_any_case if {
	ctx := {"Cognito-Identity.amazonaws.com:AUD": _pool_id, "cognito-identity.amazonaws.com:Amr": ["authenticated"]}
	_assume(_auth_role, _trust_policy("authenticated"), ctx).decision == "allow"
}

# "Role trust and permissions": a role can trust only users who logged in
# through one provider by changing the amr condition.
test_trust_one_provider_only if {
	policy := _trust_policy("graph.facebook.com")
	_assume(_auth_role, policy, _token(_pool_id, ["authenticated", "graph.facebook.com"])).decision == "allow"
	_assume(_auth_role, policy, _token(_pool_id, ["authenticated", "accounts.google.com"])).decision == "implicit_deny"
}

# The trust policy names the Federated principal cognito-identity.amazonaws.com:
# another web identity provider, or an IAM user, is not trusted.
test_trust_names_the_cognito_provider_only if {
	r := {
		"action": "sts:AssumeRoleWithWebIdentity", "resource": _auth_role,
		"resource_policy": _trust_policy("authenticated"),
		"context": _token(_pool_id, ["authenticated"]),
	}
	authz.decide(object.union(r, {"principal": "accounts.google.com"})).decision == "implicit_deny"
	d := authz.decide(object.union(r, {"principal": "arn:aws:iam::123456789012:user/Alice"}))
	d.decision == "implicit_deny"
}

# "IAM roles", "Reuse roles across identity pools": aud may list several pools.
test_trust_reused_across_pools if {
	pools := ["us-east-1:12345678-abcd-abcd-abcd-123456790ab", "us-east-1:98765432-dcba-dcba-dcba-123456790ab"]
	policy := {"Version": "2012-10-17", "Statement": [{
		"Sid": "", "Effect": "Allow",
		"Principal": {"Federated": "cognito-identity.amazonaws.com"},
		"Action": "sts:AssumeRoleWithWebIdentity",
		"Condition": {
			"StringEquals": {"cognito-identity.amazonaws.com:aud": pools},
			"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
		},
	}]}
	every pool in pools {
		_assume(_auth_role, policy, _token(pool, ["authenticated"])).decision == "allow"
	}
	_assume(_auth_role, policy, _token(_pool_id, ["authenticated"])).decision == "implicit_deny"
}

# "IAM roles", "Limit access to specific identities": sub lists the identities.
test_trust_specific_identities if {
	pool := "us-east-1:12345678-abcd-abcd-abcd-123456790ab"
	subs := ["us-east-1:12345678-1234-1234-1234-123456790ab", "us-east-1:98765432-1234-1234-1243-123456790ab"]
	policy := {"Version": "2012-10-17", "Statement": [{
		"Sid": "", "Effect": "Allow",
		"Principal": {"Federated": "cognito-identity.amazonaws.com"},
		"Action": "sts:AssumeRoleWithWebIdentity",
		"Condition": {
			"StringEquals": {"cognito-identity.amazonaws.com:aud": pool, "cognito-identity.amazonaws.com:sub": subs},
			"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
		},
	}]}
	token := _token(pool, ["authenticated"])
	_assume(
		_auth_role,
		policy,
		object.union(token, {"cognito-identity.amazonaws.com:sub": subs[1]}),
	).decision == "allow"
	stranger := object.union(
		token,
		{"cognito-identity.amazonaws.com:sub": "us-east-1:00000000-1234-1234-1234-123456790ab"},
	)
	_assume(_auth_role, policy, stranger).decision == "implicit_deny"
	_assume(_auth_role, policy, token).decision == "implicit_deny"
}

# "IAM roles", "Access policy examples", Example 6: each identity reaches its
# own Cognito Sync data through ${cognito-identity.amazonaws.com:aud} and :sub.
_sync_own_data := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Action": "cognito-sync:*",
	"Resource": [concat("", [
		"arn:aws:cognito-sync:us-east-1:123456789012:identitypool/${cognito-identity.amazonaws.com:aud}",
		"/identity/${cognito-identity.amazonaws.com:sub}/*",
	])],
}]}

_own := "us-east-1:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

_sync_dataset(identity) := sprintf(
	"arn:aws:cognito-sync:us-east-1:123456789012:identitypool/%s/identity/%s/dataset/UserProfile",
	[_pool_id, identity],
)

_sync(identity, context) := authz.decide({
	"action": "cognito-sync:ListRecords", "resource": _sync_dataset(identity),
	"policies": [_sync_own_data], "context": context,
})

test_access_policy_own_sync_data if {
	ctx := {"cognito-identity.amazonaws.com:aud": _pool_id, "cognito-identity.amazonaws.com:sub": _own}
	_sync(_own, ctx).decision == "allow"
	_sync("us-east-1:ffffffff-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ctx).decision == "implicit_deny"
}

# "IAM policy elements: Variables and tags": with no value for the variable
# (and no default) the element matches nothing.
test_access_policy_without_identity_keys if {
	_sync(_own, {"cognito-identity.amazonaws.com:aud": _pool_id}).decision == "implicit_deny"
}
