# METADATA
# title: Registered policy sets
# description: |
#   A request may name a policy set registered earlier instead of carrying its
#   policy documents: {"policy_set": "sha256:HEX", "action", "resource", ...}.
#   A policy set holds the request fields of fields (the policy documents);
#   an Engine registers it once with the OPA it owns (cognito.registration
#   validates and compiles it, the Engine writes the result under
#   data.registered_policy_sets[ID], where ID is the SHA-256 of the set's
#   canonical JSON). A hardened sidecar refuses data writes, so it holds no
#   registered set and answers such a request "invalid".
package cognito.registered

# METADATA
# description: The request fields a policy set holds (and a request naming one may not give).
fields := {
	"policies", "managed_policies", "permissions_boundary", "scps", "session_policies",
	"resource_policy",
}

# METADATA
# description: True when request r (an object) names a policy set.
given(r) if "policy_set" in object.keys(r)

# METADATA
# description: True when a policy set is registered under set_id with this OPA.
known(set_id) if data.registered_policy_sets[set_id]

# METADATA
# description: |
#   The ID of the registered policy set request r names; "" when it names
#   none or one that is not registered. Callers look it up once per request
#   and pass it on: a lookup in data that the bundle does not hold is not
#   free.
id(r) := r.policy_set if {
	is_string(r.policy_set)
	known(r.policy_set)
} else := ""

# METADATA
# description: |
#   Request r as if it carried the documents of the registered policy set
#   set_id (from id(r)) itself; r when set_id is "". It keeps policy_set.
expanded(r, set_id) := object.union(r, data.registered_policy_sets[set_id].fields) if set_id != ""

else := r

# METADATA
# description: Request r without its policy_set field (r when it has none).
without_id(r) := object.remove(r, ["policy_set"]) if given(r)

else := r

# METADATA
# description: |
#   The errors of request r's policy_set (set of {"code", "field",
#   "message"}; empty when it names a registered set and gives none of its
#   fields itself).
errors(r) := {_err("invalid_type", "policy_set", "policy_set must be a string \"sha256:HEX\"")} if {
	not is_string(r.policy_set)
} else := {_err("invalid_policy_set", "policy_set", sprintf(
	"policy_set %q is not a policy set ID (\"sha256:\" and 64 lower-case hex digits)",
	[_shown(r.policy_set)],
))} if {
	not regex.match(`^sha256:[0-9a-f]{64}$`, r.policy_set)
} else := {_err("unknown_policy_set", "policy_set", sprintf(
	"no policy set %s is registered with this OPA (register it with Engine.register_policy_set; a sidecar holds none)",
	[r.policy_set],
))} if {
	not known(r.policy_set)
} else := {_err("not_with_policy_set", f, _given_twice(f)) |
	some f in fields
	f in object.keys(r)
}

_given_twice(f) := sprintf("%s comes from the registered policy set; it cannot also be given", [f])

_err(code, field, message) := {"code": code, "field": field, "message": message}

# A malformed ID is quoted in the error at most 80 characters long.
_shown(id) := sprintf("%s...", [substring(id, 0, 80)]) if count(id) > 80

else := id
