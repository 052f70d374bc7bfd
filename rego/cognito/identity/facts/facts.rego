# METADATA
# title: Identity request facts
# description: |
#   The identity object of a request ({pool, roles, flow, login_provider,
#   token, identity_id, custom_role_arn, role_arn, jwks}) read into the facts
#   the resolution works from, with the defaults the contract gives: flow
#   "enhanced"; no login_provider means a guest; the token's claims decoded.
#   Only for identity objects cognito.identity.validation accepts.
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
