# METADATA
# title: Policy sets for the analyses
# description: |
#   A policy set - {"policies": [{"name", "document"}], "managed_policies":
#   [NAME or ARN], "principal": ARN (its policies stored in the bundle
#   apply)} - checked, indexed and decided on. The decision for an action on
#   a resource is cognito.iam.evaluate's, on a request that carries only the
#   set's statements that can apply: those naming the action (Action or
#   NotAction over the action catalog) whose Resource can match the resource
#   (the same literal beginning). Leaving out statements that cannot apply
#   does not change IAM's answer, and keeps 10,000 statements fast.
package cognito.analysis.policyset

import data.cognito.analysis.actions
import data.cognito.analysis.resources
import data.cognito.applicable
import data.cognito.catalog
import data.cognito.iam
import data.cognito.managed
import data.cognito.match
import data.cognito.policy
import data.cognito.principal
import data.cognito.util
import data.cognito.validation

# METADATA
# description: |
#   Why a policy set (with an optional "resource") cannot be analysed, as a
#   sorted list of {"code", "message", "field"}: the request errors of
#   cognito.validation (policies are named by their "name"), a principal the
#   bundle stores no policies for, a resource with wildcards or of no Cognito
#   resource type.
set_errors(pset) := sort([e |
	some e in union({_validation_errors(pset), _resource_errors(pset), _principal_errors(pset)})
])

# Each document is checked as the one policy of a request: a policy set is
# many independent documents, not one principal's, so the limits on all of a
# request's documents together (cognito.limits) do not apply to the set, while
# every document must be one AWS would accept.
_validation_errors(pset) := union({_base_errors(pset), _document_errors(pset)})

_base_errors(pset) := {_named(e, pset) | some e in validation.request_errors(_check_request(pset, []))}

_document_errors(pset) := {_named(_renumbered(e, i), pset) |
	some i, p in util.as_array(pset.policies)
	some e in validation.request_errors(_check_request(pset, [object.get(p, "document", null)]))
}

_check_request(pset, documents) := object.union(base(pset), {
	"action": "cognito-idp:ListUserPools",
	"resource": object.get(pset, "resource", "*"),
	"policies": documents,
})

# An error about the one policy of a check request, renamed to the set's i-th.
_renumbered(e, i) := object.union(e, {"field": field}) if {
	startswith(e.field, "policies[0]")
	field := concat("", [sprintf("policies[%d]", [i]), substring(e.field, 11, -1)])
} else := e

# "policies[3].Statement[0]" -> "NAME: Statement[0]", "policies[3]" -> "NAME".
_named(e, pset) := object.union(e, {"field": _field(util.policy_name(pset.policies[i], i), m[2])}) if {
	some m in regex.find_all_string_submatch_n(`^policies\[([0-9]+)\](.*)$`, e.field, 1)
	i := to_number(m[1])
} else := e

_field(name, "") := name

_field(name, rest) := sprintf("%s: %s", [name, trim_prefix(rest, ".")]) if rest != ""

_resource_errors(pset) := {{
	"code": "resource_pattern",
	"field": "resource",
	"message": sprintf("resource %q has wildcards: give one ARN (or \"*\")", [pset.resource]),
}} if {
	is_string(pset.resource)
	pset.resource != "*"
	match.has_wildcard(pset.resource)
} else := {{
	"code": "unknown_resource_type",
	"field": "resource",
	"message": sprintf("resource %q is of no Cognito resource type (%s)", [pset.resource, _formats]),
}} if {
	is_string(pset.resource)
	pset.resource != "*"
	count(resources.can_name(pset.resource)) == 0
} else := set()

_formats := concat(", ", sort({catalog.resource_type_arn(t[0], t[1]) | some t in resources.types}))

_principal_errors(pset) := {{
	"code": "principal_not_stored",
	"field": "principal",
	"message": sprintf("the bundle stores no policies for principal %s", [pset.principal]),
}} if {
	is_string(pset.principal)
	not principal.stored(principal.caller({"principal": pset.principal}))
} else := set()

# METADATA
# description: The request fields a policy set gives every request (managed_policies and principal).
base(pset) := {k: pset[k] | some k in ["managed_policies", "principal"]; k in object.keys(pset)}

# METADATA
# description: |
#   The account that generic and witness ARNs use: the principal's account
#   when a principal is given (resources of other accounts are out of reach:
#   Amazon Cognito has no resource-based policies), else "".
account(pset) := principal.caller({"principal": pset.principal}).account if is_string(pset.principal)

else := ""

# METADATA
# description: |
#   The policy set's statements, indexed: {"names" (policy names),
#   "versions" (each policy's Version element, as an object to merge),
#   "statements" (each policy's statements), "naming" (action -> sorted
#   [[policy index, statement index]] of the statements naming it),
#   "named" (the same as sets), "universal" (action -> the statements naming
#   it with Resource "*"), "prefixes" (literal beginning of a Resource
#   pattern, "" for NotResource -> the statements without Resource "*" that
#   have it), "dependent" (the Allow statements whose effect depends on the
#   request: a Condition or a policy variable), "narrow" (Resource pattern ->
#   the resource types it can name without covering all of them), "inline"
#   (how many of the policies are the set's own: the others - its AWS managed
#   policies, the principal's stored policies - are indexed for their
#   Resource patterns and Conditions only, since requests name them)}.
index(pset) := object.union(_statement_index(statements, pset), {
	"names": array.concat(
		[util.policy_name(p, i) | some i, p in util.as_array(pset.policies)],
		[e.name | some e in extra],
	),
	"versions": [_version(d) | some d in docs],
	"statements": statements,
	"inline": count(util.as_array(object.get(pset, "policies", []))),
}) if {
	extra := _requested_documents(pset)
	docs := array.concat(
		[util.as_object(object.get(p, "document", {})) | some p in util.as_array(pset.policies)],
		[e.document | some e in extra],
	)
	statements := [policy.statement_list(d) | some d in docs]
}

# The documents a request applies by name: the set's AWS managed policies, and
# the stored policies and managed policies of its principal.
_requested_documents(pset) := array.concat(_managed_documents(object.get(pset, "managed_policies", [])), [
{"name": sprintf("principal:%s", [name]), "document": doc} |
	some name, doc in util.as_object(object.get(_stored(pset), "policies", {}))
])

_managed_documents(refs) := [{"name": managed.name(ref), "document": managed.document(ref)} |
	some ref in util.as_array(refs)
	managed.document(ref)
]

_stored(pset) := principal.stored(principal.caller({"principal": pset.principal})) if is_string(pset.principal)

else := {}

_version(d) := {"Version": d.Version} if "Version" in object.keys(d)

else := {}

_statement_index(statements, pset) := {
	"naming": naming,
	"named": {a: {ref | some ref in refs} | some a, refs in naming},
	"universal": _group(sort([[a, i, j] |
		some [a, i, j] in pairs
		"*" in util.as_strings(object.get(statements[i][j], "Resource", []))
	])),
	"prefixes": _prefix_index(statements),
	"dependent": _dependent(statements),
	"narrow": {p: _narrow(p, account(pset)) | some p in _resource_patterns(statements)},
} if {
	expansion := _expansion(statements)
	pairs := sort([[a, i, j] |
		some i, list in statements
		some j, st in list
		is_object(st)
		some a in actions.named_by(st, expansion, actions.catalogued)
	])
	naming := _group(pairs)
}

_prefix_index(statements) := _group(sort([[prefix, i, j] |
	some i, list in statements
	some j, st in list
	is_object(st)
	not "*" in util.as_strings(object.get(st, "Resource", []))
	some prefix in _prefixes(st)
]))

_dependent(statements) := {[i, j] |
	some i, list in statements
	some j, st in list
	is_object(st)
	st.Effect == "Allow"
	_depends_on_request(st)
}

_expansion(statements) := {lower(p): actions.expand(p) |
	some list in statements
	some st in list
	some key in ["Action", "NotAction"]
	some p in util.as_strings(object.get(st, key, []))
}

_resource_patterns(statements) := {p |
	some list in statements
	some st in list
	some p in util.as_strings(object.get(st, "Resource", []))
	p != "*"
	not contains(p, "${")
}

_prefixes(st) := {""} if "NotResource" in object.keys(st)

else := {resources.literal_prefix(p) | some p in util.as_strings(object.get(st, "Resource", []))}

_depends_on_request(st) if "Condition" in object.keys(st)

_depends_on_request(st) if policy.mentions_variables({"Statement": [st]})

# The resource types a pattern can name but that it does not cover wholly.
_narrow(p, account) := {t |
	some t in resources.can_name(p)
	not match.resource(p, resources.generic(t, account))
}

# Sorted arrays as {first element: [the rest of each array, ...]}: the runs
# of equal first elements sliced out where the first element changes.
_group(sorted) := {sorted[start][0]: _rests(array.slice(sorted, start, ends[n])) | some n, start in starts} if {
	starts := _run_starts(sorted)
	ends := array.concat(array.slice(starts, 1, count(starts)), [count(sorted)])
}

_run_starts(sorted) := array.concat([0 | count(sorted) > 0], [k |
	some k, x in sorted
	k > 0
	sorted[k - 1][0] != x[0]
])

_rests(rows) := [array.slice(x, 1, count(x)) | some x in rows]

# METADATA
# description: |
#   The statements of the set that can apply to act on resource, as sorted
#   [[policy index, statement index]]: those with Resource "*" (or, when
#   universal is given - not null - those refs instead), and those with a
#   Resource pattern whose literal beginning starts the resource.
relevant(idx, act, resource, universal) := sort(_universal(idx, act, universal) | {ref |
	named := object.get(idx.named, act, set())
	some k in numbers.range(0, count(resource))
	some ref in object.get(idx.prefixes, substring(resource, 0, k), [])
	ref[0] < idx.inline
	ref in named
})

_universal(idx, act, null) := {ref | some ref in object.get(idx.universal, act, []); ref[0] < idx.inline}

_universal(_, _, refs) := {ref | some ref in refs} if refs != null

# METADATA
# description: |
#   The decision of the policy set (indexed by idx) for act on resource
#   (cognito.iam.evaluate on the relevant statements, see relevant):
#   {"allowed", "decision", "matched"}, the matched statements named
#   {"policy" (policy name), "statement", "effect"}.
decide(idx, pset, act, resource, universal) := {
	"allowed": result.allowed,
	"decision": result.decision,
	"matched": [_matched(idx, kept, m) | some m in result.matched],
} if {
	kept := relevant(idx, act, resource, universal)
	result := iam.evaluate(object.union(base(pset), {
		"action": act,
		"resource": resource,
		"policies": [_single(idx, ref) | some ref in kept],
	}))
}

_single(idx, [i, j]) := object.union(idx.versions[i], {"Statement": [idx.statements[i][j]]})

_matched(idx, kept, m) := {
	"policy": idx.names[ref[0]],
	"statement": policy.label(idx.statements[ref[0]][ref[1]], ref[1]),
	"effect": m.effect,
} if {
	startswith(m.policy, "policies[")
	ref := kept[to_number(trim_suffix(trim_prefix(m.policy, "policies["), "]"))]
} else := m

# METADATA
# description: |
#   The statements with Resource "*" naming act that apply whatever the
#   resource (they do on the given one): at most one Deny and one Allow,
#   enough to decide any resource together with its specific statements.
representatives(idx, pset, act, resource) := {ref |
	some k, ref in refs
	k in firsts
} if {
	refs := [ref | some ref in object.get(idx.universal, act, []); ref[0] < idx.inline]
	c := principal.caller(pset)
	req := {"action": act, "resource": resource, "context": principal.context(pset, c)}
	applied := applicable.applied([{"label": k, "doc": _single(idx, ref)} | some k, ref in refs], req)
	firsts := {min({m.policy | some m in applied; m.effect == effect}) | some effect in {"Allow", "Deny"}}
}
