# METADATA
# title: "Lint rules: action names"
# description: |
#   unknown-action: an Action or NotAction names no action of a Cognito
#   service (IAM accepts the policy, but the statement never matches that
#   name; IAM Access Analyzer reports it as "Invalid action"); the hint names
#   the closest catalogued actions. wildcard-matches-nothing: a wildcard
#   pattern of a Cognito service matches no catalogued action.
package cognito.analysis.lint.rules.actions

import data.cognito.analysis.actions
import data.cognito.analysis.lint.context
import data.cognito.catalog
import data.cognito.match
import data.cognito.util

# METADATA
# description: The findings of this package's rules.
# scope: document
report contains context.finding("unknown-action", st, message, _suggestion(actions.closest(p))) if {
	some st in context.statements
	some key in ["Action", "NotAction"]
	some p in util.as_strings(object.get(st.statement, key, []))
	not match.has_wildcard(p)
	regex.match(`^[^:\s]+:[^:\s]+$`, p)
	actions.cognito_service(actions.service(p))
	not catalog.known(p)
	message := sprintf("%s %q names no action of %s, so it matches no request", [key, p, _service_text(p)])
}

report contains context.finding(
	"wildcard-matches-nothing", st, message,
	"check the spelling of the pattern: as written it names nothing",
) if {
	some st in context.statements
	some key in ["Action", "NotAction"]
	some p in util.as_strings(object.get(st.statement, key, []))
	match.has_wildcard(p)
	actions.cognito_service(actions.service(p))
	count(context.expansion[lower(p)]) == 0
	message := sprintf("%s pattern %q matches no catalogued Cognito action", [key, p])
}

_service_text(p) := actions.service(p) if catalog.has_service(actions.service(p))

else := sprintf("any Cognito service (there is no service %q)", [actions.service(p)])

_suggestion(closest) := sprintf("did you mean %s?", [concat(" or ", [_candidate(c) | some c in closest])]) if {
	count(closest) > 0
} else := "no catalogued action is close to this name: check it against the service's list of actions"

_candidate(c) := sprintf("%s (same name, other service)", [c.action]) if c.distance == 0

else := sprintf("%s (%d edit%s)", [c.action, c.distance, _plural(c.distance)]) if is_number(c.distance)

else := c.action

_plural(1) := ""

_plural(n) := "s" if n != 1
