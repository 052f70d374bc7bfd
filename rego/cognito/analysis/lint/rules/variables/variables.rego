# METADATA
# title: "Lint rules: policy variables"
# description: |
#   variables-not-substituted: a statement uses ${...} policy variables in
#   Resource, NotResource or Condition while its policy's Version is missing
#   or "2008-10-17". IAM User Guide, "IAM JSON policy elements: Version":
#   without Version 2012-10-17 features such as policy variables do not work;
#   a variable such as ${aws:username} is treated as a literal string.
package cognito.analysis.lint.rules.variables

import data.cognito.analysis.lint.context
import data.cognito.policy

# METADATA
# description: The findings of this package's rules.
report contains context.finding(
	"variables-not-substituted", st, message,
	"add \"Version\": \"2012-10-17\" to the policy",
) if {
	some st in context.statements
	st.substitutes == false
	policy.mentions_variables({"Statement": [st.statement]})
	message := sprintf("the statement uses policy variables (%s) but the policy %s: IAM matches them as literal text", [
		context.listing(_variables(st.statement), 3), _version_text(st.version),
	])
}

_variables(s) := {v |
	some key in ["Resource", "NotResource", "Condition"]
	walk(object.get(s, key, null), [_, text])
	is_string(text)
	some v in regex.find_n(`\$\{[^}]*\}?`, text, -1)
}

_version_text(null) := "has no Version"

_version_text(v) := sprintf("has Version %q", [v]) if v != null
