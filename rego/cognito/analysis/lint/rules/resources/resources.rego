# METADATA
# title: "Lint rules: Resource ARNs"
# description: |
#   Each Resource of a statement whose Action names governed Cognito actions
#   is checked against the resource types those actions use (IAM Service
#   Authorization Reference: "Resource types" column; an action without one
#   takes Resource "*"). resource-malformed: not an ARN, or it fits no ARN
#   format of its Cognito service. resource-wrong-service: an ARN of another
#   service than the actions' resources (when the statement names only
#   Cognito actions, or the ARN is a Cognito one). resource-type-unused: an
#   ARN of a resource type none of the actions uses, such as an identity pool
#   ARN for cognito-sync:ListRecords (which takes dataset ARNs). Each such
#   Resource matches no request of the statement's actions.
package cognito.analysis.lint.rules.resources

import data.cognito.analysis.actions
import data.cognito.analysis.lint.context
import data.cognito.analysis.resources
import data.cognito.catalog
import data.cognito.match
import data.cognito.util

# METADATA
# description: The findings of this package's rules.
report contains context.finding(problem.rule, st, problem.message, problem.hint) if {
	some st in context.statements
	"Action" in object.keys(st.statement)
	governed := context.governed(st.named)
	count(governed) > 0
	some r in util.as_strings(object.get(st.statement, "Resource", []))
	r != "*"
	startswith(r, "arn:")
	problem := _problem(r, governed, st.others)
}

_problem(r, governed, others) := _not_arn(r, governed) if {
	not resources.parts(r)
} else := _wrong_service(r, governed) if {
	_is_wrong_service(resources.parts(r).service, governed, others)
} else := _no_format(r, resources.parts(r).service) if {
	catalog.has_service(resources.parts(r).service)
	count(context.resource_types[r]) == 0
} else := _unused(r, governed) if {
	count(context.resource_types[r]) > 0
	count(context.resource_types[r] & _used(governed)) == 0
	_cognito_arn(r)
}

_arn_format := "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"

_not_arn(r, governed) := {
	"rule": "resource-malformed",
	"message": sprintf("Resource %q is not an ARN (%s): it matches nothing", [r, _arn_format]),
	"hint": sprintf("write the whole ARN, for example %s", [_examples(_used(governed))]),
}

_is_wrong_service(svc, governed, others) if {
	not match.has_wildcard(svc)
	not svc in _services(governed)
	_judged(svc, others)
}

_wrong_service(r, governed) := {
	"rule": "resource-wrong-service",
	"message": sprintf("Resource %q is a %s ARN, but %s %s on %s resources: it matches none of their requests", [
		r, resources.parts(r).service, _actions_text(governed), _verb("act", governed),
		concat(" or ", sort(_services(governed))),
	]),
	"hint": sprintf("use %s", [_examples(_used(governed))]),
}

_no_format(r, svc) := {
	"rule": "resource-malformed",
	"message": sprintf("Resource %q fits no %s ARN format", [r, svc]),
	"hint": sprintf("use %s", [_examples({t | some t in resources.types; resources.template_service(t) == svc})]),
}

_unused(r, governed) := {
	"rule": "resource-type-unused",
	"message": _unused_message(r, governed),
	"hint": _unused_hint(governed),
}

# Judge an ARN of another service only when nothing else in the statement may use it.
_judged(_, false)

_judged(svc, true) if actions.cognito_service(lower(svc))

_cognito_arn(r) if actions.cognito_service(lower(resources.parts(r).service))

# The resource types the actions use, and the services of their ARNs.
_used(governed) := union({resources.action_types(a) | some a in governed})

_services(governed) := {catalog.action(a).service | some a in governed} | {resources.template_service(t) |
	some t in _used(governed)
}

_unused_message(r, governed) := sprintf(
	"Resource %q names %s, but %s %s no resource-level permissions (requests match Resource \"*\" only)",
	[r, _type_names(context.resource_types[r]), _actions_text(governed), _verb("take", governed)],
) if {
	count(_used(governed)) == 0
} else := sprintf("Resource %q names %s, a resource type that %s %s not use (%s: %s)", [
	r, _type_names(context.resource_types[r]), _actions_text(governed), _verb("do", governed),
	_resource_word(governed), _type_names(_used(governed)),
])

_unused_hint(governed) := "use Resource \"*\" for these actions" if count(_used(governed)) == 0

else := sprintf("use %s", [_examples(_used(governed))])

_actions_text(governed) := context.listing(governed, 1) if count(governed) == 1

else := sprintf("the statement's actions (%s)", [context.listing(governed, 3)])

# The verb for one action or several: "acts" / "act", "does" / "do".
_verb("do", governed) := "does" if count(governed) == 1

_verb(verb, governed) := sprintf("%ss", [verb]) if {
	verb != "do"
	count(governed) == 1
}

_verb(verb, governed) := verb if count(governed) > 1

_resource_word(governed) := "it uses" if count(governed) == 1

else := "they use"

_type_names(types) := concat(" or ", sort({sprintf("%s %s", [t[0], t[1]]) | some t in types}))

_examples(types) := concat(" or ", sort({catalog.resource_type_arn(t[0], t[1]) | some t in types}))
