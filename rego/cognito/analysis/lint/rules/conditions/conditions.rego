# METADATA
# title: "Lint rules: condition keys and their types"
# description: |
#   condition-key-unsupported: a Condition key that is neither a global
#   condition key (IAM User Guide, "AWS global condition context keys"), nor
#   a web identity key of identity pools (IAM User Guide, "Available keys for
#   AWS web identity federation"), nor listed for any of the statement's
#   actions in the IAM Service Authorization Reference; IAM Access Analyzer
#   reports such keys ("IAM policy validation check reference": Error -
#   Invalid global condition key, Error - Invalid service condition key,
#   Error - Unsupported action for condition key). The request context of
#   the statement's actions never holds such a key. Keys of other services
#   are judged only when every action of the statement is a catalogued
#   Cognito action; keys of OIDC providers and SAML are not judged.
#   condition-operator-type: an operator family that does not fit the key's
#   documented data type (Access Analyzer: General Warning - Type mismatch),
#   or a value that no request value of that type can be (a text that is no
#   ARN for an ARN key). Values an operator cannot read at all (a date
#   operator with a text that is no date ...) are invalid-policy errors.
package cognito.analysis.lint.rules.conditions

import data.cognito.analysis.actions
import data.cognito.analysis.conditionkeys
import data.cognito.analysis.lint.context
import data.cognito.conditions
import data.cognito.util

# METADATA
# description: The findings of this package's rules.
# scope: document
report contains context.finding("condition-key-unsupported", st, problem.message, problem.hint) if {
	some st in context.statements
	some key in {k | some [_, k, _] in _conditions(st.statement)}
	not conditionkeys.reference(key)
	supported := _supported(st)
	not _names_any(supported, key)
	problem := _unsupported(key, st, supported)
}

report contains context.finding("condition-operator-type", st, message, hint) if {
	some st in context.statements
	some [name, key, _] in _conditions(st.statement)
	op := conditions.operator(name)
	op.family != "null"
	ts := conditionkeys.types(key)
	fits := conditionkeys.families(ts)
	count(fits) > 0
	not op.family in fits
	message := sprintf("%s is %s condition operator, but %s is documented as %s key: %s", [
		name, _a(_family_names[op.family]), _spelled(key), _a(_types_text(ts)), "compare it with an operator of its type",
	])
	hint := sprintf("use %s", [concat(" or ", sort({_operator_examples[f] | some f in fits}))])
}

report contains context.finding("condition-operator-type", st, message, _arn_hint) if {
	some st in context.statements
	some [name, key, value] in _conditions(st.statement)
	op := conditions.operator(name)
	op.family in {"string", "arn"}
	some t in conditionkeys.types(key)
	trim_prefix(t, "ArrayOf") == "ARN"
	some v in util.as_list(value)
	is_string(v)
	not _could_be_arn(v, op)
	message := sprintf("%s value %q for %s can never be an ARN, and %s holds ARNs: %s", [
		name, v, _spelled(key), _spelled(key), "the condition compares it with no request value as intended",
	])
}

_arn_hint := "write the whole ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE), with ArnLike for wildcards"

# Each condition of a statement as [operator, key, value].
_conditions(s) := {[name, key, value] |
	some name, keys in util.as_object(object.get(s, "Condition", {}))
	some key, value in util.as_object(keys)
}

# The condition keys the statement's catalogued actions support.
_supported(st) := {k |
	some a in st.named
	some k in conditionkeys.action_keys(a)
}

_names_any(supported, key) if {
	some k in supported
	conditionkeys.names(k, key)
}

# A key of a namespace the data lists in full (aws, the Cognito services,
# the identity pools' web identity keys) exists nowhere else.
_unsupported(key, st, supported) := {
	"message": _absent_message(key, ns),
	"hint": _hint(key, supported),
} if {
	ns := conditionkeys.namespace(key)
	ns in conditionkeys.known_namespaces
	not conditionkeys.types(key)
} else := {
	"message": sprintf("%s is a condition key of %s, but %s: %s", [
		_spelled(key), conditionkeys.namespace(key), _actions_text(st), _never,
	]),
	"hint": sprintf("move the condition to a statement of the actions that support it: %s", [
		context.listing(_supporting(key), 5),
	]),
} if {
	conditionkeys.namespace(key) in conditionkeys.known_namespaces
} else := {
	"message": sprintf("%s is not a condition key that %s: %s", [key, _actions_verb(st), _never]),
	"hint": _hint(key, supported),
} if {
	st.others == false
	count(st.named) > 0
	not _provider(conditionkeys.namespace(key))
}

_never := "their request context never holds it"

# The catalogued actions that support a key.
_supporting(key) := {a |
	some a in actions.catalogued
	some k in conditionkeys.action_keys(a)
	conditionkeys.names(k, key)
}

_absent_message(key, "aws") := sprintf(
	"%s is not an AWS global condition key, and no action supports it: %s",
	[key, "no request context holds it"],
)

_absent_message(key, "cognito-identity.amazonaws.com") := sprintf(
	"%s is not a web identity key of Amazon Cognito identity pools (those are %s): %s",
	[key, concat(", ", sort(_web_identity_keys)), "no request context holds it"],
)

_absent_message(key, ns) := sprintf("%s is not a condition key of %s: no request context holds it", [key, ns]) if {
	not ns in {"aws", "cognito-identity.amazonaws.com"}
}

_web_identity_keys contains k if {
	some k in conditionkeys.every_key
	conditionkeys.namespace(k) == "cognito-identity.amazonaws.com"
}

# Keys named after an OIDC provider (a host name) or SAML: available in
# federated sessions, not listed in the data.
_provider(ns) if contains(ns, ".")

_provider("saml")

_actions_text(st) := sprintf("none of the statement's actions (%s) supports it", [context.listing(st.named, 3)])

_actions_verb(st) := sprintf("the statement's actions (%s) support", [context.listing(st.named, 3)])

_hint(key, supported) := sprintf("did you mean %s?", [concat(" or ", closest)]) if {
	closest := conditionkeys.closest(key, conditionkeys.every_key)
	count(closest) > 0
} else := sprintf("the statement's actions support %s, besides the global condition keys", [
	concat(", ", sort(_own(supported))),
]) if {
	count(_own(supported)) > 0
} else := "only the global condition keys apply to the statement's actions"

_own(supported) := {k | some k in supported; not startswith(lower(k), "aws:")}

# The key as AWS spells it when the data knows it, else as written.
_spelled(key) := conditionkeys.reference(key).key if {
	not contains(conditionkeys.reference(key).key, "${")
} else := key

_family_names := {
	"string": "String",
	"arn": "ARN",
	"numeric": "Numeric",
	"date": "Date",
	"bool": "Boolean",
	"binary": "Binary",
	"ip": "IP address",
}

_operator_examples := {
	"string": "a String operator (StringEquals, StringLike ...)",
	"arn": "an ARN operator (ArnEquals, ArnLike ...)",
	"numeric": "a Numeric operator (NumericEquals, NumericLessThan ...)",
	"date": "a Date operator (DateGreaterThan, DateLessThan ...)",
	"bool": "the Bool operator",
	"binary": "the BinaryEquals operator",
	"ip": "an IP address operator (IpAddress, NotIpAddress)",
}

_type_names := {
	"String": "String",
	"ARN": "ARN",
	"Numeric": "Numeric",
	"Date": "Date",
	"Bool": "Boolean",
	"IPAddress": "IP address",
	"Binary": "Binary",
}

_types_text(ts) := concat(" and ", sort({_type_name(t) | some t in ts}))

# The text with its indefinite article: "an ARN", "an IP address", "a Date".
_a(text) := sprintf("an %s", [text]) if regex.match(`^(A|E|I|O|U|a|e|i|o|u)`, text)

else := sprintf("a %s", [text])

_type_name(t) := sprintf("multivalued %s", [_type_names[trim_prefix(t, "ArrayOf")]]) if {
	startswith(t, "ArrayOf")
} else := object.get(_type_names, t, t)

# A value that an ARN can equal, or (like operators) a pattern that can match one.
_could_be_arn(v, _) if contains(v, "${")

_could_be_arn(v, op) if {
	op.test == "equals_ignore_case"
	startswith(lower(v), "arn:")
}

_could_be_arn(v, op) if {
	op.test != "equals_ignore_case"
	startswith(v, "arn:")
}

_could_be_arn(v, op) if {
	op.test == "like"
	regex.match(`[*?]`, v)
	literal := regex.replace(v, `[*?].*$`, "")
	startswith("arn:", literal)
}
