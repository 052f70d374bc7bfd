# METADATA
# title: Policy set registration
# description: |
#   What an Engine asks its own OPA before registering a policy set (see
#   cognito.registered): input is the set, an object of the request fields
#   cognito.registered.fields. The set is validated once here, as the same
#   fields of a request are (cognito.validation), and its documents are
#   compiled for matching (cognito.iam.compiled_policy_set); requests naming
#   it are then neither validated nor compiled again.
package cognito.registration

import data.cognito.iam
import data.cognito.registered
import data.cognito.validation

# METADATA
# description: |
#   For input (a policy set): {"errors": [...]} (each {"code", "field",
#   "message"}, sorted) when it cannot be registered, else {"entry":
#   {"fields": the set, "compiled": its documents compiled by kind}}, the
#   value the Engine stores as data.registered_policy_sets[ID].
# entrypoint: true
result := outcome(input)

# METADATA
# description: The registration outcome for policy set s (see result).
outcome(s) := {"errors": sort(errors)} if {
	errors := set_errors(s)
	count(errors) > 0
} else := {"entry": {"fields": s, "compiled": iam.compiled_policy_set(s)}}

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
