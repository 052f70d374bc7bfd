# METADATA
# title: "Lint rules: APIs IAM does not govern"
# description: |
#   The Cognito developer guide ("Signed versus Unsigned APIs"): "APIs that
#   are signed with AWS credentials are capable of being restricted via an
#   IAM policy"; the unsigned ones "cannot be restricted via an IAM policy".
#   A statement about them has no effect, an explicit Deny included.
#   ungoverned-only: every Cognito action a statement names is unsigned.
#   ungoverned-in-deny: a Deny that also names unsigned APIs (by name or by
#   wildcard) does not stop them. ungoverned-in-allow: an Allow that names
#   unsigned APIs by name beside governed ones grants nothing for them.
package cognito.analysis.lint.rules.ungoverned

import data.cognito.analysis.lint.context
import data.cognito.catalog
import data.cognito.match
import data.cognito.util

# METADATA
# description: The findings of this package's rules.
# scope: document
report contains context.finding("ungoverned-only", st, message, _only_hint) if {
	some st in context.statements
	"Action" in object.keys(st.statement)
	st.others == false
	count(st.named) > 0
	count(context.governed(st.named)) == 0
	message := _only(st.statement.Effect, context.listing(st.named, 5))
}

report contains context.finding(
	"ungoverned-in-deny", st, message,
	"IAM cannot deny unsigned APIs; expect them to stay callable",
) if {
	some st in context.statements
	st.statement.Effect == "Deny"
	"Action" in object.keys(st.statement)
	_mixed(st)
	unsigned := context.unsigned(st.named)
	count(unsigned) > 0
	message := sprintf(
		"this Deny does not stop %d API(s) it names that IAM does not govern: %s",
		[count(unsigned), context.listing(unsigned, 5)],
	)
}

report contains context.finding("ungoverned-in-allow", st, message, "remove them from the Action list") if {
	some st in context.statements
	st.statement.Effect == "Allow"
	_mixed(st)
	explicit := {catalog.canonical(p) |
		some p in util.as_strings(object.get(st.statement, "Action", []))
		not match.has_wildcard(p)
		catalog.unsigned(p)
	}
	count(explicit) > 0
	message := sprintf(
		"%s: IAM does not govern these APIs, so this part of the Allow grants nothing",
		[context.listing(explicit, 5)],
	)
}

_mixed(st) if count(context.governed(st.named)) > 0

_mixed(st) if st.others == true

_only("Deny", names) := sprintf(
	"this Deny names only APIs IAM does not govern (%s): it denies nothing, they stay callable",
	[names],
)

_only("Allow", names) := sprintf(
	"this Allow names only APIs IAM does not govern (%s): it grants nothing, they are callable without it",
	[names],
)

_only_hint := concat(" ", [
	"remove the statement: these APIs are controlled by the user pool and app client settings",
	"and by tokens, not by IAM",
])
