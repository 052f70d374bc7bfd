# METADATA
# title: What the lint rules read
# description: |
#   The policy documents to lint and their statements, read once per query
#   and shared by every rule package. input: {"policies": [{"name",
#   "document"}], "managed_policies": [NAME or ARN], "stored": true to also
#   lint the policies of every principal stored in the bundle
#   (data.cognito.store.principals)}. Each statement comes with what its
#   Action element names in the action catalog and what each of its Resource
#   patterns can name, computed once per distinct pattern.
package cognito.analysis.lint.context

import data.cognito.analysis.actions
import data.cognito.analysis.resources
import data.cognito.catalog
import data.cognito.managed
import data.cognito.policy
import data.cognito.util

# METADATA
# description: The documents to lint, as a list of {"name", "document"}.
documents := array.flatten([_given, _managed, _stored])

_given := [{"name": util.policy_name(p, i), "document": object.get(p, "document", null)} |
	some i, p in util.as_array(input.policies)
]

_managed := [{"name": managed.name(ref), "document": managed.document(ref)} |
	some ref in util.as_array(input.managed_policies)
	managed.document(ref)
]

# METADATA
# description: The managed policy names (or ARNs) of input that name no AWS managed policy of the bundle.
unknown_managed contains ref if {
	some ref in util.as_array(input.managed_policies)
	not managed.document(ref)
}

default _store := {}

_store := data.cognito.store.principals if is_object(data.cognito.store.principals)

# Each stored policy once by name; each permissions boundary once, named after
# the first principal that has it.
default _stored := []

_stored := array.concat(
	[{"name": name, "document": doc} | some [name, doc] in {[n, d] | some e in _store; some n, d in e.policies}],
	[{"name": sprintf("permissions_boundary of %s", [min(arns)]), "document": doc} |
		some doc in {e.permissions_boundary | some e in _store; is_object(e.permissions_boundary)}
		arns := {arn | some arn, e in _store; e.permissions_boundary == doc}
	],
) if {
	input.stored == true
}

# METADATA
# description: |
#   Every statement object of the documents: {"policy" (document name),
#   "position" (index), "label" (Sid or index), "statement", "substitutes"
#   (policy variables are substituted: Version 2012-10-17), "version" (the
#   document's Version, null when absent), "named"
#   (catalogued actions its Action or NotAction names), "others" (its Action
#   may name actions of other services)}.
statements := [st | some i, _ in documents; some st in document_statements[i]]

# METADATA
# description: |
#   The statements of each document, as in statements, by the document's
#   index in documents (for rules that judge a document's statements
#   together).
document_statements[i] := [{
	"policy": e.name,
	"position": j,
	"label": policy.label(s, j),
	"statement": s,
	"substitutes": _substitutes(e.document),
	"version": object.get(e.document, "Version", null),
	"named": actions.named_by(s, expansion, actions.catalogued),
	"others": _others(s),
} |
	some j, s in policy.statement_list(e.document)
	is_object(s)
] if {
	some i, e in documents
}

_substitutes(doc) if policy.substitutes_variables(doc)

else := false

_others(s) if {
	some p in util.as_strings(object.get(s, "Action", []))
	actions.names_other_services(p)
} else := false

# METADATA
# description: |
#   Every Action and NotAction pattern of the statements, by its lower-cased
#   text, with the catalogued actions it names.
expansion[p] := actions.expand(p) if some p in _action_patterns

_action_patterns contains lower(p) if {
	some e in documents
	some s in policy.statement_list(e.document)
	some key in ["Action", "NotAction"]
	some p in util.as_strings(object.get(s, key, []))
}

# METADATA
# description: |
#   Every Resource pattern of the statements (other than "*") with the
#   resource types [SERVICE, TYPE] it can name.
resource_types[p] := resources.can_name(p) if some p in _resource_patterns

_resource_patterns contains p if {
	some e in documents
	some s in policy.statement_list(e.document)
	some p in util.as_strings(object.get(s, "Resource", []))
	p != "*"
}

# METADATA
# description: A finding of a rule about statement st (an entry of statements).
finding(rule, st, message, hint) := {
	"rule": rule,
	"policy": st.policy,
	"position": st.position,
	"statement": st.label,
	"message": message,
	"hint": hint,
}

# METADATA
# description: The governed (signed) actions among a set of catalogued actions.
governed(names) := {a | some a in names; not catalog.unsigned(a)}

# METADATA
# description: The unsigned actions (not governed by IAM) among a set of catalogued actions.
unsigned(names) := {a | some a in names; catalog.unsigned(a)}

# METADATA
# description: Up to n names of a set, sorted and joined, with "and N more" when there are more.
listing(names, n) := concat(", ", sorted) if {
	sorted := sort(names)
	count(sorted) <= n
} else := sprintf("%s and %d more", [concat(", ", array.slice(sort(names), 0, n)), count(names) - n])
