# METADATA
# title: Identity request facts
# description: |
#   The identity object of a request ({pool, roles, flow, login_provider,
#   token, identity_id, custom_role_arn, role_arn, jwks}) read into the facts
#   the resolution works from, with the defaults the contract gives: flow
#   "enhanced"; no login_provider means a guest; the token's claims decoded.
#   Only for identity objects cognito.identity.validation accepts. A pool
#   may be named by its IdentityPoolId when the bundle stores it (bundle
#   build --identity-pools: data.cognito.store.identity_pools[ID] = {pool,
#   roles}); expanded gives such an object its stored pool and roles.
package cognito.identity.facts

import data.cognito.identity.token
import data.cognito.util

# METADATA
# description: |
#   The facts of identity object x: {"pool" (the pool object), "pool_id",
#   "roles" (ROLE_ARN -> role entry), "flow", "login_provider" (null for a
#   guest), "authenticated", "claims" (object), "token" ({"form",
#   "signature"}), "identity_id", "custom_role_arn", "role_arn" (each null
#   when absent)}.
of(x) := {
	"pool": pool,
	"pool_id": pool.IdentityPoolId,
	"roles": util.as_object(object.get(x, "roles", {})),
	"flow": object.get(x, "flow", "enhanced"),
	"login_provider": lp,
	"authenticated": is_string(lp),
	"claims": token.claims(raw),
	"token": token.summary(raw, object.get(x, "jwks", null)),
	"identity_id": object.get(x, "identity_id", null),
	"custom_role_arn": object.get(x, "custom_role_arn", null),
	"role_arn": object.get(x, "role_arn", null),
} if {
	pool := x.pool
	lp := object.get(x, "login_provider", null)
	raw := object.get(x, "token", null)
}

# METADATA
# description: |
#   Identity object x as resolved: when its pool is a string naming a pool
#   the bundle stores (data.cognito.store.identity_pools, keyed by
#   IdentityPoolId) and it gives no roles of its own, x with the stored pool
#   object and its roles; else x as given (cognito.identity.validation
#   refuses a string pool that is left).
expanded(x) := object.union(x, {"pool": stored.pool, "roles": stored.roles}) if {
	is_string(x.pool)
	not "roles" in object.keys(x)
	stored := data.cognito.store.identity_pools[x.pool]
} else := x
