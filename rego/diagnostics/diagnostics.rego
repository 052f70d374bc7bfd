# METADATA
# title: Request diagnostics
# description: |
#   Warnings about a request that IAM would still evaluate: an unknown action
#   of a catalogued service, a resource whose type the action does not use,
#   IDs that are not in AWS's canonical format (the documented examples use a
#   10-digit account ID), policy variables that are not substituted because
#   of the policy's Version, unknown request fields, and more. Each warning is
#   {"code", "message"}.
package cognito.diagnostics

import data.cognito.catalog
import data.cognito.policy
import data.cognito.principal
import data.cognito.validation

# METADATA
# description: The warnings of a valid request r (set of {"code", "message"}).
warnings(r) := union({
	_action_warnings(r),
	_resource_warnings(r),
	_id_warnings(r),
	_field_warnings(r),
	_variable_warnings(r),
	_principal_warnings(r),
	_trust_warnings(r),
})

_w(code, message) := {"code": code, "message": message}

_service(act) := split(act, ":")[0]

_action_warnings(r) := {_w("unknown_action", sprintf(
	"%s is not in the action catalog of %s; it is evaluated as written",
	[r.action, _service(r.action)],
))} if {
	catalog.has_service(_service(r.action))
	not catalog.known(r.action)
} else := set()

# A known action used with a resource of a type it does not use: IAM still
# evaluates the request, but AWS would never authorize the call that way.
_resource_warnings(r) := {_w("resource_type_not_used", sprintf(
	"%s takes no resource-level permissions (its policies use Resource \"*\"); %s is evaluated as given",
	[catalog.canonical(r.action), r.resource],
))} if {
	catalog.known(r.action)
	r.resource != "*"
	count(catalog.resource_types(r.action)) == 0
} else := {_w("resource_type_not_used", sprintf(
	"%s uses resource types %v, and %s is none of them; it is evaluated as given",
	[catalog.canonical(r.action), catalog.resource_types(r.action), r.resource],
))} if {
	catalog.known(r.action)
	r.resource != "*"
	types := catalog.resource_types(r.action)
	count(types) > 0
	count(types & catalog.resource_types_of(catalog.action(r.action).service, r.resource)) == 0
} else := set()

_id_warnings(r) := {_w("noncanonical_account_id", sprintf(
	"account ID %q in %s is not 12 digits, as AWS account IDs are (the documentation's examples use 0123456789); evaluated as written",
	[parts[4], r.resource],
)) |
	parts := _arn_parts(r.resource)
	parts[4] != ""
	parts[4] != "aws"
	not regex.match(`^[0-9]{12}$`, parts[4])
}

_field_warnings(r) := {_w("unknown_field", sprintf("request field %q is not part of the contract and is ignored", [k])) |
	some k, _ in r
	not k in validation.request_fields
}

_variable_warnings(r) := {_w("variables_not_substituted", sprintf(
	"policies[%d] has no Version \"2012-10-17\": IAM treats its ${...} policy variables as literal text",
	[i],
)) |
	some i, d in _array(r.policies)
	not policy.substitutes_variables(d)
	policy.mentions_variables(d)
}

_principal_warnings(r) := {_w("principal_not_stored", sprintf(
	"the bundle stores no policies for principal %s; only the request's policies apply",
	[r.principal],
)) |
	principal.has_store
	is_string(r.principal)
	not principal.stored(principal.caller(r))
}

_trust_warnings(r) := {_w("trust_policy_not_given", sprintf(
	"%s on a role also needs the role's trust policy to allow it; give it as resource_policy to evaluate it",
	[r.action],
)) |
	not is_object(r.resource_policy)
	parts := _arn_parts(r.resource)
	parts[2] == "iam"
	startswith(parts[5], "role/")
	startswith(lower(r.action), "sts:")
}

_array(x) := x if is_array(x)

_array(x) := [] if not is_array(x)

# Interim ARN split until the shared ARN package is available.
_arn_parts(s) := parts if {
	is_string(s)
	startswith(s, "arn:")
	parts := split(s, ":")
	count(parts) >= 6
}
