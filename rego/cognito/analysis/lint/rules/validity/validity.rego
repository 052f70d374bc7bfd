# METADATA
# title: "Lint rules: policy validity"
# description: |
#   invalid-policy: the errors cognito.validation finds in a document read as
#   an identity-based policy (IAM User Guide, "IAM JSON policy grammar" and
#   the policy element reference): unknown elements, a missing or wrong
#   Effect, Action or Resource, a Principal, Condition errors. The decision
#   entry points answer "invalid" for requests that carry such a policy. An
#   AWS managed policy name the bundle does not ship is reported the same way.
package cognito.analysis.lint.rules.validity

import data.cognito.analysis.lint.context
import data.cognito.managed
import data.cognito.policy
import data.cognito.validation

# METADATA
# description: The findings of this package's rules.
# scope: document
report contains context.finding("invalid-policy", place, message, "fix the document: IAM rejects it") if {
	some e in context.documents
	some err in validation.policy_errors(e.document, "policy", "identity")
	place := _place(e, err.field)
	message := sprintf("%s (%s)", [err.message, _element(err.field)])
}

report contains context.finding(
	"invalid-policy",
	{"policy": sprintf("%v", [ref]), "position": null, "label": null},
	sprintf("no AWS managed policy %v in the bundle", [ref]),
	sprintf("use the name or ARN of one it ships: %s", [concat(", ", sort(managed.names))]),
) if {
	some ref in context.unknown_managed
}

_element(field) := trim_prefix(field, "policy.") if field != "policy"

else := "document"

# The statement an error's field points into, if any.
_place(e, field) := {"policy": e.name, "position": i, "label": policy.label(_statement(e.document, i), i)} if {
	some m in regex.find_all_string_submatch_n(`^policy\.Statement\[([0-9]+)\]`, field, 1)
	i := to_number(m[1])
} else := {"policy": e.name, "position": 0, "label": policy.label(e.document.Statement, 0)} if {
	regex.match(`^policy\.Statement(\.|$)`, field)
	is_object(e.document.Statement)
} else := {"policy": e.name, "position": null, "label": null}

_statement(doc, i) := doc.Statement[i] if is_object(doc.Statement[i])

else := {}
