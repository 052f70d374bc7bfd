# METADATA
# title: What can a policy set do
# description: |
#   For every catalogued Cognito action, the decision IAM's evaluation
#   (cognito.iam.evaluate, after cognito.validation has accepted the input)
#   gives for a policy set: on one resource, or for each resource type the
#   action uses (Resource "*" for actions without one). Per resource type the
#   decision is "allow" (every resource of the type: decided on an ARN that
#   stands for any of them, cognito.analysis.resources.generic), "partial"
#   (some: decided on an ARN of each Resource pattern of the set that names
#   the type, up to a limit), "conditional" (only an Allow with a Condition or
#   a policy variable could grant it: it depends on the request), or the
#   decision on the generic ARN ("implicit_deny", "explicit_deny"). Actions
#   IAM does not govern are "not_governed_by_iam".
#   A policy set: {"policies": [{"name", "document"}], "managed_policies":
#   [NAME or ARN], "principal": ARN (its policies stored in the bundle apply)}.
#   Each action's request carries only the statements that name it, and among
#   those only the ones whose Resource can match the resource (same literal
#   beginning): the decision is the same, and 10,000 statements stay fast.
package cognito.analysis.whatcan

import data.cognito.analysis.actions
import data.cognito.analysis.policyset
import data.cognito.analysis.resources
import data.cognito.catalog
import data.cognito.policy
import data.cognito.util

# METADATA
# description: How many Resource patterns per action and resource type are evaluated for a "partial" answer.
witness_limit := 5

# METADATA
# description: Display order of the access levels.
access_levels := ["List", "Read", "Write", "Permissions management", "Tagging", "None"]

# METADATA
# description: |
#   The what-can report for input ({"policies", "managed_policies",
#   "principal", "resource"}): {"errors" (non-empty when the input cannot be
#   evaluated; then there are no rows), "resource", "principal", "rows",
#   "summary" (service -> access level -> decision -> count)}.
# entrypoint: true
report := analyse(input)

# METADATA
# description: The what-can report for a policy set with an optional "resource" (see report).
analyse(pset) := _failed(pset, errors) if {
	errors := policyset.set_errors(pset)
	count(errors) > 0
} else := _analysed(pset, rows(policyset.index(pset), pset, object.get(pset, "resource", null)))

_failed(pset, errors) := {
	"errors": errors,
	"resource": object.get(pset, "resource", null),
	"principal": object.get(pset, "principal", null),
	"rows": [],
	"summary": {},
}

_analysed(pset, found) := {
	"errors": [],
	"resource": object.get(pset, "resource", null),
	"principal": object.get(pset, "principal", null),
	"rows": found,
	"summary": summary(found),
}

# METADATA
# description: |
#   The rows of the report: on resource (an ARN: the actions using its
#   resource type; "*": the actions without resource types) or, when resource
#   is null, for every action and each of its resource types.
rows(idx, pset, resource) := sort_rows([row |
	some act in actions.catalogued
	some rtype in row_types(act, resource)
	row := _row(idx, pset, act, rtype, resource, _given(idx, pset, act, rtype, resource))
])

# Resource patterns to decide on: only for a row per resource type.
_given(idx, pset, act, rtype, null) := candidates(idx, pset, act, rtype)

_given(_, _, _, _, resource) := [] if resource != null

# METADATA
# description: |
#   The resource types of act that rows show: on resource (an ARN) the types
#   of act it is of, on "*" ["*"] when act has no resource type, with no
#   resource (null) every type of act, or ["*"] when it has none.
# scope: document
row_types(act, null) := [t | some t in _types_or_star(act)]

row_types(act, "*") := ["*"] if count(resources.action_types(act)) == 0

row_types(act, resource) := [t | some t in (resources.action_types(act) & resources.can_name(resource))] if {
	is_string(resource)
	resource != "*"
}

_types_or_star(act) := resources.action_types(act) if count(resources.action_types(act)) > 0

else := {"*"}

# METADATA
# description: |
#   The Resource patterns of the statements naming act that can name rtype
#   but not every resource of it, with a witness ARN each:
#   [{"pattern", "witness"}] sorted by pattern, at most witness_limit.
candidates(idx, pset, act, rtype) := _candidates(idx, pset, act, rtype)

_candidates(idx, pset, act, rtype) := [{"pattern": p, "witness": resources.witness(p, rtype, policyset.account(pset))} |
	some p in array.slice(sort(_narrow_patterns(idx, act, rtype)), 0, witness_limit)
]

_narrow_patterns(idx, act, rtype) := {p |
	some [i, j] in object.get(idx.naming, act, [])
	some p in util.as_strings(object.get(idx.statements[i][j], "Resource", []))
	rtype in object.get(idx.narrow, p, set())
}

# METADATA
# description: |
#   One row: the decision of the set for act on resource type rtype ("*" for
#   actions without one), deciding on the given candidates ({"pattern",
#   "witness"}) besides the generic ARN; on a given resource (not null) the
#   decision on that resource.
row(idx, pset, act, rtype, resource, given) := _row(idx, pset, act, rtype, resource, given)

_row(idx, pset, act, rtype, resource, given) := object.union(_row_head(act, rtype, _shown(rtype, resource)), {
	"decision": "not_governed_by_iam",
	"allowed": true,
	"on": [],
	"except": [],
	"matched": [],
	"conditional": [],
	"checked": [],
}) if {
	catalog.unsigned(act)
} else := _single_row(idx, pset, act, rtype, resource) if {
	resource != null
} else := _single_row(idx, pset, act, "*", "*") if {
	rtype == "*"
} else := _type_row(idx, pset, act, rtype, given)

_shown("*", null) := "*"

_shown(rtype, null) := resources.generic(rtype, "") if rtype != "*"

_shown(_, resource) := resource if resource != null

_row_head(act, rtype, resource) := {
	"action": catalog.canonical(act),
	"service": catalog.action(act).service,
	"access_level": _level(act),
	"signed": catalog.signed(act),
	"resource_type": _type_name(rtype),
	"resource": resource,
}

_level(act) := catalog.access_level(act) if is_string(catalog.access_level(act))

else := "None"

_type_name("*") := "*"

_type_name(rtype) := sprintf("%s:%s", rtype) if rtype != "*"

_single_row(idx, pset, act, rtype, resource) := object.union(_row_head(act, rtype, resource), {
	"decision": _conditional_or(d, conditional),
	"allowed": d.allowed,
	"on": [resource | d.allowed],
	"except": [],
	"matched": d.matched,
	"conditional": conditional,
	"checked": [{"resource": resource, "allowed": d.allowed}],
}) if {
	d := policyset.decide(idx, pset, act, resource, null)
	conditional := _conditional(idx, pset, act, rtype, d.allowed)
}

_type_row(idx, pset, act, rtype, given) := object.union(_row_head(act, rtype, generic), {
	"decision": _type_decision(d, allowed, denied, conditional),
	"allowed": d.allowed,
	"on": _on(d, allowed),
	"except": [c.pattern | d.allowed; some c in denied],
	"matched": _type_matched(d, allowed),
	"conditional": conditional,
	"checked": array.concat([{"resource": "*", "allowed": d.allowed}], [{"resource": c.pattern, "allowed": w.allowed} |
		some [c, w] in decided
	]),
}) if {
	generic := resources.generic(rtype, policyset.account(pset))
	d := policyset.decide(idx, pset, act, generic, null)
	universal := policyset.representatives(idx, pset, act, generic)
	decided := [[c, policyset.decide(idx, pset, act, c.witness, universal)] | some c in given]
	allowed := [[c, w] | some [c, w] in decided; w.allowed]
	denied := [c | some [c, w] in decided; not w.allowed]
	conditional := _conditional(idx, pset, act, rtype, _everywhere(d, denied))
}

_type_decision(d, allowed, denied, conditional) := "allow" if {
	d.allowed
	count(denied) == 0
} else := "partial" if {
	d.allowed
} else := "partial" if {
	count(allowed) > 0
} else := "conditional" if {
	count(conditional) > 0
} else := d.decision

_on(d, allowed) := ["*"] if d.allowed

else := [c.pattern | some [c, _] in allowed]

_type_matched(d, allowed) := d.matched if d.allowed

else := [m | some m in {m | some [_, w] in allowed; some m in w.matched}] if count(allowed) > 0

else := d.matched

_conditional_or(d, conditional) := "conditional" if {
	not d.allowed
	d.decision != "explicit_deny"
	count(conditional) > 0
} else := d.decision

# The Allow statements naming act that could grant it on rtype ("*": on
# Resource "*") depending on the request: a Condition, or a policy variable
# in Resource.
_everywhere(d, denied) if {
	d.allowed
	count(denied) == 0
} else := false

# Needed only where something is not allowed.
_conditional(_, _, _, _, true) := []

_conditional(idx, pset, act, rtype, false) := _dependent(idx, act, rtype, policyset.account(pset))

_dependent(idx, act, rtype, account) := [{"policy": idx.names[i], "statement": policy.label(st, j)} |
	some [i, j] in sort(idx.dependent & object.get(idx.named, act, set()))
	st := idx.statements[i][j]
	_could_name(st, rtype, account)
]

_could_name(s, rtype, account) if {
	"NotResource" in object.keys(s)
} else if {
	"*" in util.as_strings(object.get(s, "Resource", []))
} else if {
	rtype != "*"
	some p in util.as_strings(object.get(s, "Resource", []))
	resources.witness(p, rtype, account)
}

# METADATA
# description: Rows ordered by service, access level (access_levels), action and resource type.
sort_rows(list) := [r | some [_, _, _, _, r] in sort([_row_key(r) | some r in list])]

_row_key(r) := [r.service, _rank(r.access_level), r.action, r.resource_type, r]

_rank(level) := i if {
	some i, known in access_levels
	known == level
}

else := count(access_levels)

# METADATA
# description: Counts of rows by service, access level and decision.
summary(list) := {svc: {level: {decision: count([r |
	some r in list
	r.service == svc
	r.access_level == level
	r.decision == decision
]) |
	some decision in {r.decision | some r in list; r.service == svc; r.access_level == level}
} |
	some level in {r.access_level | some r in list; r.service == svc}
} |
	some svc in {r.service | some r in list}
}
