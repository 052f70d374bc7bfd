package cognito.identity.facts_test

import data.cognito.identity.facts

# Expectations: reference/cognito/identity-pools.md (the identity object's
# pool is DescribeIdentityPool's output, keyed by its IdentityPoolId, S8);
# a bundle stores pools at data.cognito.store.identity_pools[ID].

_id := "us-east-1:12345678-corner-cafe-123456790ab"

_pool := {"IdentityPoolId": _id, "AllowUnauthenticatedIdentities": true}

_roles := {"arn:aws:iam::123456789012:role/Guest": {"trust_policy": {}}}

_stored := {_id: {"pool": _pool, "roles": _roles}}

test_expanded_names_a_stored_pool if {
	x := {"pool": _id, "login_provider": "graph.facebook.com"}
	got := facts.expanded(x) with data.cognito.store.identity_pools as _stored
	got == {"pool": _pool, "roles": _roles, "login_provider": "graph.facebook.com"}
	facts.of(got).pool_id == _id
	facts.of(got).roles == _roles
}

test_expanded_leaves_other_objects if {
	inline := {"pool": _pool, "roles": _roles}
	facts.expanded(inline) == inline with data.cognito.store.identity_pools as _stored
	unknown := {"pool": "us-east-1:00000000-0000-0000-0000-000000000000"}
	facts.expanded(unknown) == unknown with data.cognito.store.identity_pools as _stored
	with_roles := {"pool": _id, "roles": {}}
	facts.expanded(with_roles) == with_roles with data.cognito.store.identity_pools as _stored
	facts.expanded({"pool": _id}) == {"pool": _id}
	facts.expanded("x") == "x"
}
