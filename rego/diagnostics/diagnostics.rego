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

import data.cognito.arn
import data.cognito.catalog
import data.cognito.policy
import data.cognito.principal
import data.cognito.validation
import data.cognito.variables

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
	_variable_syntax_warnings(r),
})

_w(code, message) := {"code": code, "message": message}

_service(act) := split(act, ":")[0]

_action_warnings(r) := {_w("unknown_action", sprintf(
	"%s is not in the action catalog of %s; it is evaluated as written",
	[r.action, _service(r.action)],
))} if {
	not catalog.known(r.action)
	catalog.has_service(_service(r.action))
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
	"%s uses resource types %v; %s is none of them and is evaluated as given",
	[catalog.canonical(r.action), catalog.resource_types(r.action), r.resource],
))} if {
	catalog.known(r.action)
	r.resource != "*"
	not _resource_type_used(r)
} else := set()

# The resource's type is one the action uses, in the service the type's ARN template names.
_resource_type_used(r) if {
	parsed := arn.parse(r.resource)
	rtype := arn.resource_type(parsed)
	rtype in catalog.resource_types(r.action)
	template := catalog.resource_type_arn(catalog.action(r.action).service, rtype)
	split(template, ":")[2] == parsed.service
}

# IDs not in AWS's canonical format (the documentation's examples use the
# 10-digit account ID 0123456789): evaluated as written, with a warning.
_id_warnings(r) := {_w(p.code, sprintf("%s in %s; evaluated as written", [p.message, r.resource])) |
	some p in arn.canonical_problems(arn.parse(r.resource))
}

_field_warnings(r) := set() if {
	count(object.keys(r) - validation.request_fields) == 0
} else := {_w("unknown_field", sprintf("request field %q is not in the contract and is ignored", [k])) |
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
	startswith(lower(r.action), "sts:")
	not is_object(object.get(r, "resource_policy", null))
	parsed := arn.parse(r.resource)
	parsed.service == "iam"
	startswith(parsed.resource, "role/")
}

_array(x) := x if is_array(x)

_array(x) := [] if not is_array(x)

# Malformed policy variables in Resource / NotResource (IAM Access Analyzer's
# checks, see cognito.variables.errors): the element then matches nothing.
_variable_syntax_warnings(r) := {_w(
	e.code,
	sprintf("policies[%d].Statement %s %q: %s; it matches nothing", [i, key, text, e.message]),
) |
	some i, d in _array(r.policies)
	policy.substitutes_variables(d)
	some s in policy.statement_list(d)
	some key in ["Resource", "NotResource"]
	some text in _strings(object.get(s, key, []))
	contains(text, "${") # variables.errors finds nothing in text without one
	some e in variables.errors(text)
}

_strings(v) := [v] if is_string(v)

else := [x | some x in v; is_string(x)]
