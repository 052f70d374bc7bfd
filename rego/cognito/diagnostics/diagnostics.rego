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
import data.cognito.registered
import data.cognito.util
import data.cognito.validation
import data.cognito.variables

# METADATA
# description: |
#   The warnings of a valid request r (set of {"code", "message"}); for a
#   request naming a registered policy set, those of the request with the
#   set's documents.
warnings(r) := _warnings(registered.expanded(r, registered.id(r)))

_warnings(r) := union({
	_action_warnings(r.action),
	_resource_warnings(r.action, r.resource),
	_id_warnings(r.resource),
	_field_warnings(object.keys(r)),
	_variable_warnings(object.get(r, "policies", [])),
	_principal_warnings(r),
	_trust_warnings(r.action, r.resource, is_object(object.get(r, "resource_policy", null))),
	_variable_syntax_warnings(object.get(r, "policies", [])),
})

# Each part takes only the request fields it reads: OPA reuses a function's
# result for equal arguments within a query, so a batch computes each part
# once per distinct action, resource or policy list rather than per request.

_w(code, message) := {"code": code, "message": message}

_service(act) := split(act, ":")[0]

_action_warnings(act) := {_w("unknown_action", sprintf(
	"%s is not in the action catalog of %s; it is evaluated as written",
	[act, _service(act)],
))} if {
	not catalog.known(act)
	catalog.has_service(_service(act))
} else := set()

# A known action used with a resource of a type it does not use: IAM still
# evaluates the request, but AWS would never authorize the call that way.
_resource_warnings(act, resource) := {_w("resource_type_not_used", sprintf(
	"%s takes no resource-level permissions (its policies use Resource \"*\"); %s is evaluated as given",
	[catalog.canonical(act), resource],
))} if {
	catalog.known(act)
	resource != "*"
	count(catalog.resource_types(act)) == 0
} else := {_w("resource_type_not_used", sprintf(
	"%s uses resource types %v; %s is none of them and is evaluated as given",
	[catalog.canonical(act), catalog.resource_types(act), resource],
))} if {
	catalog.known(act)
	resource != "*"
	not _resource_type_used(act, resource)
} else := set()

# The resource fits the ARN template of a resource type the action uses.
_resource_type_used(act, resource) if {
	some type_regex in _resource_regexes(act)
	regex.match(type_regex, resource)
}

# The regular expressions of the action's resource types: as bundle builds
# store them (data.cognito.derived, evaluated once from action_resource_regexes),
# else computed from the catalog now.
_resource_regexes(act) := stored if {
	stored := data.cognito.derived.action_resource_regexes[lower(act)]
	is_array(stored)
} else := resource_regexes(act)

# METADATA
# description: |
#   The anchored regular expressions of the ARN templates of the resource
#   types a known action uses, sorted (the templates its service lists; the
#   cognito-idp "webacl" type's names wafv2). Empty for an action that takes
#   only Resource "*".
resource_regexes(act) := sort({arn.template_regex(template) |
	svc := catalog.action(act).service
	some rtype in catalog.resource_types(act)
	template := catalog.resource_type_arn(svc, rtype)
})

# METADATA
# description: |
#   resource_regexes of every catalogued action, by lower-cased action name
#   (evaluated once per bundle build).
action_resource_regexes[lower(name)] := resource_regexes(name) if {
	some name, _ in data.cognito.reference.catalog.actions
}

# IDs not in AWS's canonical format (the documentation's examples use the
# 10-digit account ID 0123456789): evaluated as written, with a warning.
_id_warnings(resource) := {_w(p.code, sprintf("%s in %s; evaluated as written", [p.message, resource])) |
	some p in arn.canonical_problems(arn.parse(resource))
}

_field_warnings(fields) := {_w("unknown_field", _unknown_field_message(k)) |
	some k in fields
	not k in validation.request_fields
}

_unknown_field_message(k) := sprintf("request field %q is not in the contract and is ignored", [k])

_variable_warnings(policies) := {_w("variables_not_substituted", sprintf(
	"policies[%d] has no Version \"2012-10-17\": IAM treats its ${...} policy variables as literal text",
	[i],
)) |
	some i, d in policies
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

_trust_warnings(act, resource, trust_policy_given) := {_w("trust_policy_not_given", sprintf(
	"%s on a role also needs the role's trust policy to allow it; give it as resource_policy to evaluate it",
	[act],
)) |
	not trust_policy_given
	startswith(lower(act), "sts:")
	parsed := arn.parse(resource)
	parsed.service == "iam"
	startswith(parsed.resource, "role/")
}

# Malformed policy variables in Resource / NotResource (IAM Access Analyzer's
# checks, see cognito.variables.errors): the element then matches nothing.
_variable_syntax_warnings(policies) := {_w(
	e.code,
	sprintf("policies[%d].Statement %s %q: %s; it matches nothing", [i, key, text, e.message]),
) |
	some i, d in policies
	policy.substitutes_variables(d)
	some s in policy.statement_list(d)
	some key in ["Resource", "NotResource"]
	some text in util.as_strings(object.get(s, key, []))
	contains(text, "${") # variables.errors finds nothing in text without one
	some e in variables.errors(text)
}
