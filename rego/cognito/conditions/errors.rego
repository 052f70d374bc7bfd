# Validation of a Condition element (package cognito.conditions, described in
# conditions.rego): what IAM cannot evaluate as written, after IAM Access Analyzer's checks.
package cognito.conditions

import data.cognito.util
import data.cognito.variables

# METADATA
# description: |
#   What makes a condition block impossible to evaluate as written, as a set of
#   {"code", "message", "field"}, after IAM Access Analyzer's policy checks:
#   invalid_condition_block (not an object), invalid_condition_operator (unknown operator),
#   invalid_set_operator (a prefix other than ForAllValues: / ForAnyValue:),
#   null_with_if_exists, invalid_condition_data_type (a value that is not
#   a string, number, boolean or non-empty list of them, or a text the operator cannot
#   read: number, date, boolean, base-64, IP address or CIDR), invalid_condition_multiple_boolean,
#   invalid_variable_for_operator, duplicate_keys_with_different_case, and the policy
#   variable errors of cognito.variables (missing_brace, missing_quote, unsupported_space,
#   empty_variable). Empty when the block is well formed.
# scope: document
errors(block) := {{
	"code": "invalid_condition_block",
	"message": "the Condition element must be an object of condition operators",
	"field": "Condition",
}} if {
	not is_object(block)
}

errors(block) := (_operator_errors(block) | _value_errors(block)) | _key_errors(block) if is_object(block)

_operator_errors(block) := {error |
	some name, _ in block
	not operator(name)
	error := _operator_error(name)
}

_operator_error(name) := {
	"code": "null_with_if_exists",
	"message": "the Null condition operator cannot take the IfExists suffix",
	"field": concat(".", ["Condition", name]),
} if {
	parts := _operator_parts(name)
	parts.base == "Null"
	parts.if_exists
}

_operator_error(name) := {
	"code": "invalid_condition_operator",
	"message": sprintf("the Null condition operator cannot take the set operator %s", [parts.set]),
	"field": concat(".", ["Condition", name]),
} if {
	parts := _operator_parts(name)
	parts.base == "Null"
	not parts.if_exists
	parts.set != ""
}

_operator_error(name) := {
	"code": "invalid_set_operator",
	"message": sprintf("%s is not a condition set operator: use ForAllValues or ForAnyValue", [prefix]),
	"field": concat(".", ["Condition", name]),
} if {
	not _operator_parts(name)
	is_string(name)
	prefix := split(name, ":")[0]
	contains(name, ":")
	not prefix in _set_operators
}

_operator_error(name) := {
	"code": "invalid_condition_operator",
	"message": sprintf("the condition operator %v is not valid", [name]),
	"field": concat(".", ["Condition", _field_text(name)]),
} if {
	not _operator_parts(name)
	not _bad_set_prefix(name)
}

_bad_set_prefix(name) if {
	is_string(name)
	contains(name, ":")
	not split(name, ":")[0] in _set_operators
}

_field_text(name) := name if is_string(name)

_field_text(name) := sprintf("%v", [name]) if not is_string(name)

_key_errors(block) := {error |
	some name, keys in block
	is_object(keys)
	some key, _ in keys
	some other, _ in keys
	key < other
	lower(key) == lower(other)
	error := {
		"code": "duplicate_keys_with_different_case",
		"message": sprintf("the condition keys %s and %s differ only in case", [key, other]),
		"field": concat(".", ["Condition", name, key]),
	}
}

_value_errors(block) := {error |
	some name, keys in block
	some error in _keys_errors(name, keys)
}

_keys_errors(name, keys) := {{
	"code": "invalid_condition_data_type",
	"message": sprintf("the value of %s must be an object of condition keys and values", [name]),
	"field": concat(".", ["Condition", name]),
}} if {
	not is_object(keys)
}

_keys_errors(name, keys) := {error |
	op := operator(name)
	some key, policy_value in keys
	some error in _condition_value_errors(op, concat(".", ["Condition", name, key]), policy_value)
} if {
	is_object(keys)
}

_condition_value_errors(_, field, policy_value) := {{
	"code": "invalid_condition_data_type",
	"message": "a condition value must be a string, number or boolean, or a non-empty list of them",
	"field": field,
}} if {
	not _policy_values(policy_value)
}

_condition_value_errors(op, field, policy_value) := errors if {
	values := _policy_values(policy_value)
	text_errors := _text_errors(op, field, values) | _bool_count_errors(op, field, values)
	errors := text_errors | _variable_errors(op, field, values)
}

_text_errors(op, field, values) := {error |
	some v in values
	not _readable(op, v)
	error := {
		"code": "invalid_condition_data_type",
		"message": sprintf("%v is not a valid %s value for %s", [v, _family_names[op.family], op.base]),
		"field": field,
	}
}

_family_names := {
	"string": "text",
	"arn": "ARN",
	"numeric": "number",
	"date": "date (ISO 8601 or epoch seconds)",
	"bool": "boolean (true or false)",
	"binary": "base-64",
	"ip": "IP address or CIDR",
	"null": "boolean (true or false)",
}

_readable(op, _) if op.family in {"string", "arn"}

_readable(op, v) if {
	op.family == "numeric"
	_number(v)
}

_readable(op, v) if {
	op.family == "date"
	_time_ns(v)
}

_readable(op, v) if {
	op.family in {"bool", "null"}
	_boolean_text(v) in {true, false}
}

_readable(op, v) if {
	op.family == "bool"
	variables.has_variables(v)
}

_readable(op, v) if {
	op.family == "binary"
	is_string(v)
	base64.is_valid(v)
}

_readable(op, v) if {
	op.family == "ip"
	net.cidr_is_valid(_cidr(util.scalar_text(v)))
}

_variable_errors(op, field, values) := {error |
	some v in values
	some e in variables.errors(v)
	error := object.union(e, {"field": field})
} if {
	op.family in _variable_families
}

_variable_errors(op, field, values) := {error |
	some v in values
	variables.has_variables(v)
	error := {
		"code": "invalid_variable_for_operator",
		"message": sprintf("policy variables can be used with String and ARN condition operators, not %s", [op.base]),
		"field": field,
	}
} if {
	not op.family in _variable_families
}

_bool_count_errors(op, field, values) := {{
	"code": "invalid_condition_multiple_boolean",
	"message": "a Bool condition takes a single boolean value",
	"field": field,
}} if {
	op.family == "bool"
	count(values) > 1
}

_bool_count_errors(op, _, values) := set() if {
	not _multiple_booleans(op, values)
}

_multiple_booleans(op, values) if {
	op.family == "bool"
	count(values) > 1
}
