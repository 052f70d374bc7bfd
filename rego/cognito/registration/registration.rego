# METADATA
# title: Policy set registration
# description: |
#   What an Engine asks its own OPA before registering a policy set (see
#   cognito.registered): input is the set, an object of the request fields
#   cognito.registered.fields. The set is validated once here, as the same
#   fields of a request are (cognito.validation), and its documents are
#   compiled for matching and indexed as a bundle's stored principals are;
#   requests naming it are then neither validated nor compiled again.
package cognito.registration

import data.cognito.applicable
import data.cognito.policy
import data.cognito.registered
import data.cognito.store.indexing
import data.cognito.validation

# METADATA
# description: |
#   For input (a policy set): {"errors": [...]} (each {"code", "field",
#   "message"}, sorted) when it cannot be registered, else {"entry":
#   {"fields": the set, "compiled": its documents compiled by kind (see
#   compiled), "index": the statement index of its identity-based documents
#   (the layout of a stored principal's, see cognito.store.indexing)}}, the
#   value the Engine stores as data.registered_policy_sets[ID].
# entrypoint: true
result := outcome(input)

# METADATA
# description: The registration outcome for policy set s (see result).
outcome(s) := {"errors": sort(errors)} if {
	errors := set_errors(s)
	count(errors) > 0
} else := {"entry": {"fields": s, "compiled": compiled(s), "index": _identity_index(s)}}

# METADATA
# description: |
#   The errors of policy set s (set of {"code", "field", "message"}): a set
#   that is not an object, a field that is not a policy set's, and the errors
#   validation finds in its fields as a request's.
set_errors(s) := {{"code": "invalid_policy_set", "field": "", "message": "a policy set must be a JSON object"}} if {
	not is_object(s)
} else := {{
	"code": "unknown_field",
	"field": field,
	"message": sprintf("%s is not a field of a policy set (%s)", [field, concat(", ", sort(registered.fields))]),
} |
	some field, _ in s
	not field in registered.fields
} | validation.request_errors(object.union(s, _placeholder))

# A valid action and resource, so that a set's errors are its fields' alone.
_placeholder := {"action": "cognito-identity:ListIdentityPools", "resource": "*"}

# METADATA
# description: |
#   The policy documents of a valid policy set s compiled for matching
#   (cognito.policy.compiled_documents), by kind: {"identity", "boundary"
#   (null without one), "scps" (one list per level), "session" (null without
#   session policies)}, with the labels an inline request's decision reports
#   (cognito.iam). The identity-based documents (its policies, then its
#   managed policies) are named by their position, zero-padded ("000000",
#   ...), so that a scan by name keeps their order: "identity" maps each name
#   to its statements compiled at their positions, as a bundle's index holds
#   a stored principal's. A resource_policy stays a document: whom it names
#   is matched per request.
compiled(s) := {
	"identity": {_position_name(n): policy.compiled_document(e.label, e.doc) |
		some n, e in applicable.request_identity_documents(s)
	},
	"boundary": _compiled_or_null([{"label": "permissions_boundary", "doc": s.permissions_boundary} |
		is_object(object.get(s, "permissions_boundary", null))
	]),
	"scps": [policy.compiled_documents(level) | some level in applicable.scp_levels(s)],
	"session": _compiled_or_null(applicable.session_documents(s)),
}

_position_name(n) := sprintf("%06d", [n])

_compiled_or_null(entries) := policy.compiled_documents(entries) if count(entries) > 0

else := null

# The statement index of the set's identity-based documents, by the names
# compiled gives them, built as a bundle's is for its stored principals,
# without the compiled statements it adds (the set's own, labelled as a
# request's, are in compiled).
_identity_index(s) := object.remove(idx.principals.set, ["compiled"]) if {
	named := {_position_name(n): e.doc | some n, e in applicable.request_identity_documents(s)}

	# regal ignore:with-outside-test-context
	idx := indexing.index with data.cognito.store.principals as {"set": {"policies": named}}
}
