# METADATA
# title: What a change to a policy set grants or takes away
# description: |
#   The (action, resource type) decisions of cognito.analysis.whatcan that
#   differ between two versions of a policy set: input {"old": SET, "new":
#   SET, "resource": optional ARN, "principal": optional ARN applied to both},
#   each SET {"policies": [{"name", "document"}], "managed_policies"}. Only
#   actions whose statements changed (or all, when the managed policies or
#   the principal differ) are evaluated, both versions on the same resources:
#   the generic ARN of each type and the Resource patterns of both versions.
#   A row widens when the new version allows something the old one did not
#   (a resource, or a higher decision: implicit or explicit deny <
#   conditional < partial < allow), narrows in the opposite case.
package cognito.analysis.diff

import data.cognito.analysis.actions
import data.cognito.analysis.policyset
import data.cognito.analysis.whatcan
import data.cognito.catalog
import data.cognito.util

_rank := {
	"explicit_deny": 0,
	"implicit_deny": 0,
	"conditional": 1,
	"partial": 2,
	"allow": 3,
	"not_governed_by_iam": 3,
}

# METADATA
# description: |
#   The diff report for input: {"errors" (non-empty when either version
#   cannot be analysed; no rows then), "resource", "rows" (each {"action",
#   "service", "access_level", "resource_type", "resource", "old", "new"
#   (decision, allowed, on, except, matched, conditional of each version),
#   "change" ("widened", "narrowed" or "changed"), "widened", "narrowed",
#   "gained", "lost" (resources allowed only by the new / the old version)}),
#   "summary" ({"widened", "narrowed", "changed"}: row counts), "widened"
#   (true when any row widens)}.
# entrypoint: true
report := compare(input)

# METADATA
# description: The diff report for {"old", "new", "resource", "principal"} (see report).
compare(given) := _failed(given, errors) if {
	errors := array.flatten([
		_errors("old", util.as_object(object.get(given, "old", {}))),
		_errors("new", util.as_object(object.get(given, "new", {}))),
		policyset.set_errors(_shared(given)),
	])
	count(errors) > 0
} else := _compared(given, _rows(_side(given, "old"), _side(given, "new"), object.get(given, "resource", null)))

_side(given, name) := object.union(util.as_object(object.get(given, name, {})), _shared(given))

# The resource and principal both versions are judged with.
_shared(given) := {k: given[k] | some k in ["resource", "principal"]; k in object.keys(given)}

_errors(name, side) := [object.union(e, {"field": sprintf("%s: %s", [name, e.field])}) |
	some e in policyset.set_errors(side)
]

_failed(given, errors) := {
	"errors": errors,
	"resource": object.get(given, "resource", null),
	"rows": [],
	"summary": {"widened": 0, "narrowed": 0, "changed": 0},
	"widened": false,
}

_compared(given, rows) := {
	"errors": [],
	"resource": object.get(given, "resource", null),
	"rows": rows,
	"summary": {change: count([r | some r in rows; r.change == change]) |
		some change in ["widened", "narrowed", "changed"]
	},
	"widened": count([r | some r in rows; r.widened]) > 0,
}

_rows(old, new, resource) := whatcan.sort_rows([row |
	some act in _changed(old_idx, old, new_idx, new)
	not catalog.unsigned(act)
	some rtype in whatcan.row_types(act, resource)
	given := _union(whatcan.candidates(old_idx, old, act, rtype), whatcan.candidates(new_idx, new, act, rtype))
	before := whatcan.row(old_idx, old, act, rtype, resource, given)
	after := whatcan.row(new_idx, new, act, rtype, resource, given)
	row := _difference(before, after)
]) if {
	old_idx := policyset.index(old)
	new_idx := policyset.index(new)
}

_union(a, b) := [c | some c in {c | some c in array.concat(a, b)}]

# Actions whose statements differ (by content, whatever the policies' names).
_changed(old_idx, old, new_idx, new) := actions.catalogued if policyset.base(old) != policyset.base(new)

else := {act |
	some act in actions.catalogued
	_signature(old_idx, act) != _signature(new_idx, act)
}

_signature(idx, act) := {[idx.versions[i], idx.statements[i][j]] | some [i, j] in object.get(idx.naming, act, [])}

_difference(before, after) := object.union(_head(after), {
	"old": _side_view(before),
	"new": _side_view(after),
	"change": _change(widened, narrowed),
	"widened": widened,
	"narrowed": narrowed,
	"gained": gained,
	"lost": lost,
}) if {
	gained := _newly_allowed(before, after)
	lost := _newly_allowed(after, before)
	up := _rank[after.decision] > _rank[before.decision]
	down := _rank[after.decision] < _rank[before.decision]
	widened := _either(up, count(gained) > 0)
	narrowed := _either(down, count(lost) > 0)
	_differs(before, after, widened, narrowed)
}

# The resources (patterns, "*" for every resource of the type) that the second
# row allows and the first does not: both were decided on the same resources.
_newly_allowed(first, second) := sort({c.resource |
	some c in second.checked
	c.allowed
	not _allows(first, c.resource)
})

_allows(row, resource) if {
	some c in row.checked
	c.resource == resource
	c.allowed
}

default _either(_, _) := false

_either(true, _) := true

_either(_, true) := true

_differs(_, _, true, _)

_differs(_, _, _, true)

_differs(before, after, _, _) if before.decision != after.decision

_head(r) := {k: r[k] | some k in ["action", "service", "access_level", "resource_type", "resource"]}

_side_view(r) := {k: r[k] | some k in ["decision", "allowed", "on", "except", "matched", "conditional", "checked"]}

_change(true, false) := "widened"

_change(false, true) := "narrowed"

_change(widened, narrowed) := "changed" if widened == narrowed
