# METADATA
# title: Identity-pool requests as role-session requests
# description: |
#   A decision request that carries an identity object is evaluated as the
#   resolved role's session (identity-pools.md section 9): the principal is
#   the role session, the identity-based policies are the role's (its entry
#   in identity.roles), the session policies are the resolution's (the guest
#   scope-down), and the session's condition keys (aud, amr, sub, principal
#   tags) are added to the request's context, overriding keys of the same
#   name. The request's own scps, resource_policy and resource_account
#   still apply; the fields the role supplies may not be given.
package cognito.identity.session

import data.cognito.identity.facts
import data.cognito.util
import data.cognito.validation

# METADATA
# description: The request fields that the identity's role session supplies, which an identity request may not set.
supplied_fields := {
	"policies", "managed_policies", "principal", "principal_type",
	"permissions_boundary", "session_policies",
}

# METADATA
# description: |
#   The errors of a decision request r with an identity whose resolution is
#   res (set of {"code", "field", "message"}): those of the request without
#   its identity, a field the role session supplies, and the identity's own
#   (field "identity.FIELD").
request_errors(r, res) := union({
	validation.request_errors(object.remove(r, ["identity"])),
	{_field_error(f) | some f in supplied_fields; f in object.keys(r)},
	{_policy_set_error | "policy_set" in object.keys(r)},
	{object.union(e, {"field": _prefixed(e.field)}) | some e in res.errors},
})

_field_error(f) := {
	"code": "not_with_identity",
	"field": f,
	"message": sprintf(
		"%s comes from the identity's role session (identity.roles and the resolution); it cannot be given",
		[f],
	),
}

_policy_set_error := {
	"code": "not_with_identity",
	"field": "policy_set",
	"message": "a registered policy set cannot be combined with an identity: the role session supplies the policies",
}

_prefixed("") := "identity"

_prefixed(f) := sprintf("identity.%s", [f]) if f != ""

# METADATA
# description: |
#   The request evaluated for r once its identity resolved to credentials
#   (resolution res): r without its identity, as the role session.
request(r, res) := object.union_n([
	object.remove(r, ["identity", "context"]),
	{
		"principal": res.session.principal,
		"principal_type": "AWS",
		"policies": object.get(role, "policies", []),
		"managed_policies": object.get(role, "managed_policies", []),
		"session_policies": [p.document | some p in res.session_policies],
		"context": object.union(_request_context(r, res), res.session.context),
	},
	{"permissions_boundary": role.permissions_boundary | is_object(object.get(role, "permissions_boundary", null))},
]) if {
	role := facts.expanded(r.identity).roles[res.role_arn]
}

_request_context(r, res) := {k: v |
	some k, v in util.as_object(object.get(r, "context", {}))
	not lower(k) in object.keys(res.session.context)
}

# METADATA
# description: |
#   Warnings about request r with resolution res ({"code", "message"}): a
#   context key the session sets itself, whose value in the request is
#   ignored.
warnings(r, res) := {{"code": "context_key_set_by_session", "message": sprintf(
	"context key %q is set by the identity's role session; the request's value is ignored",
	[k],
)} |
	res.outcome == "credentials"
	some k, _ in util.as_object(object.get(r, "context", {}))
	lower(k) in object.keys(res.session.context)
}
