# METADATA
# title: "Lint rules: over-broad grants"
# description: |
#   allow-not-action: IAM User Guide, "IAM JSON policy elements: NotAction":
#   with Allow, every action not listed is allowed, in every service, so
#   actions added later are granted too. write-on-any-resource: IAM User
#   Guide, "Security best practices in IAM" (apply least-privilege
#   permissions): an unconditional Allow of write-level actions (Write,
#   Permissions management, Tagging) that support resource-level permissions,
#   on Resource "*", reaches every user pool or identity pool of the account.
package cognito.analysis.lint.rules.breadth

import data.cognito.analysis.lint.context
import data.cognito.catalog
import data.cognito.util

_write_levels := {"Write", "Permissions management", "Tagging"}

# METADATA
# description: The findings of this package's rules.
# scope: document
report contains context.finding("allow-not-action", st, message, "list the actions to allow in Action instead") if {
	some st in context.statements
	st.statement.Effect == "Allow"
	"NotAction" in object.keys(st.statement)
	message := sprintf(
		"Allow with NotAction grants every action except %s, in every service, including actions added later",
		[context.listing({sprintf("%v", [p]) | some p in util.as_strings(st.statement.NotAction)}, 3)],
	)
}

report contains context.finding("write-on-any-resource", st, message, hint) if {
	some st in context.statements
	st.statement.Effect == "Allow"
	"Action" in object.keys(st.statement)
	not "Condition" in object.keys(st.statement)
	"*" in util.as_strings(object.get(st.statement, "Resource", []))
	writes := {a |
		some a in context.governed(st.named)
		catalog.access_level(a) in _write_levels
		count(catalog.resource_types(a)) > 0
	}
	count(writes) > 0
	message := sprintf("Allow grants %d write-level Cognito action(s) on every resource (Resource \"*\"): %s", [
		count(writes), context.listing(writes, 5),
	])
	hint := sprintf("scope Resource to the %s ARNs they need, or add a Condition", [_and(sort(_types(writes)))])
}

_and(names) := names[0] if count(names) == 1

else := sprintf("%s and %s", [concat(", ", array.slice(names, 0, count(names) - 1)), names[count(names) - 1]])

_types(names) := {t | some a in names; some t in catalog.resource_types(a)}
