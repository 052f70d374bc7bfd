# METADATA
# description: |
#   IAM's Condition element: every condition operator (String*, Numeric*, Date*, Bool,
#   BinaryEquals, IpAddress / NotIpAddress, Arn*, Null), the IfExists suffix, the
#   ForAnyValue: / ForAllValues: set operators, multivalued context keys, case-insensitive
#   condition key names and policy variables in String, ARN (and Bool) condition values.
#   A condition block is satisfied when every operator and every key in it holds (AND);
#   the values listed for one key are alternatives (OR), so for a negated operator the
#   request value must match none of them.
#   The context (ctx) maps condition keys to a value or a list of values; a key that is
#   absent, null or an empty list has no value.
package cognito.conditions

import data.cognito.util
import data.cognito.variables

# The base operators: family of values, comparison, negation.
_operators := {
	"StringEquals": {"family": "string", "test": "equals", "negated": false},
	"StringNotEquals": {"family": "string", "test": "equals", "negated": true},
	"StringEqualsIgnoreCase": {"family": "string", "test": "equals_ignore_case", "negated": false},
	"StringNotEqualsIgnoreCase": {"family": "string", "test": "equals_ignore_case", "negated": true},
	"StringLike": {"family": "string", "test": "like", "negated": false},
	"StringNotLike": {"family": "string", "test": "like", "negated": true},
	"NumericEquals": {"family": "numeric", "test": "eq", "negated": false},
	"NumericNotEquals": {"family": "numeric", "test": "eq", "negated": true},
	"NumericLessThan": {"family": "numeric", "test": "lt", "negated": false},
	"NumericLessThanEquals": {"family": "numeric", "test": "lte", "negated": false},
	"NumericGreaterThan": {"family": "numeric", "test": "gt", "negated": false},
	"NumericGreaterThanEquals": {"family": "numeric", "test": "gte", "negated": false},
	"DateEquals": {"family": "date", "test": "eq", "negated": false},
	"DateNotEquals": {"family": "date", "test": "eq", "negated": true},
	"DateLessThan": {"family": "date", "test": "lt", "negated": false},
	"DateLessThanEquals": {"family": "date", "test": "lte", "negated": false},
	"DateGreaterThan": {"family": "date", "test": "gt", "negated": false},
	"DateGreaterThanEquals": {"family": "date", "test": "gte", "negated": false},
	"Bool": {"family": "bool", "test": "equals_ignore_case", "negated": false},
	"BinaryEquals": {"family": "binary", "test": "eq", "negated": false},
	"IpAddress": {"family": "ip", "test": "in", "negated": false},
	"NotIpAddress": {"family": "ip", "test": "in", "negated": true},
	"ArnEquals": {"family": "arn", "test": "like", "negated": false},
	"ArnLike": {"family": "arn", "test": "like", "negated": false},
	"ArnNotEquals": {"family": "arn", "test": "like", "negated": true},
	"ArnNotLike": {"family": "arn", "test": "like", "negated": true},
	"Null": {"family": "null", "test": "null", "negated": false},
}

_set_operators := {"ForAllValues", "ForAnyValue"}

# Families whose condition values may hold policy variables.
_variable_families := {"string", "arn", "bool"}

# METADATA
# description: |
#   The parts of a condition operator name such as "ForAnyValue:StringLikeIfExists":
#   {"set": "" | "ForAllValues" | "ForAnyValue", "base": "StringLike", "if_exists": true,
#   "family", "test", "negated"}. Undefined for a name IAM does not know (operator names are
#   matched exactly), for NullIfExists and for a set operator on Null.
operator(name) := object.union(_operators[parts.base], parts) if {
	parts := _operator_parts(name)
	not _null_misuse(parts)
}

_operator_parts(name) := {"set": set_op, "base": base, "if_exists": if_exists} if {
	is_string(name)
	[set_op, rest] := _split_set(name)
	[base, if_exists] := _split_if_exists(rest)
	_operators[base]
}

_split_set(name) := ["", name] if not contains(name, ":")

_split_set(name) := [prefix, rest] if {
	[prefix, rest] := split(name, ":")
	prefix in _set_operators
}

_split_if_exists(rest) := [trim_suffix(rest, "IfExists"), true] if {
	endswith(rest, "IfExists")
	rest != "IfExists"
}

_split_if_exists(rest) := [rest, false] if not endswith(rest, "IfExists")

_null_misuse(parts) if {
	parts.base == "Null"
	parts.if_exists
}

_null_misuse(parts) if {
	parts.base == "Null"
	parts.set != ""
}

# METADATA
# description: |
#   true when every condition of the block holds for the request context ctx (an empty
#   block holds); false otherwise, also when the block has errors (see errors).
# scope: document
default satisfied(_, _) := false

satisfied(block, ctx) if {
	is_object(block)
	every name, keys in block {
		is_object(keys)
		every key, policy_value in keys {
			_holds_true(name, key, policy_value, ctx)
		}
	}
}

# METADATA
# description: |
#   The conditions of the block that do not hold for ctx, as a set of {"operator", "key"}
#   (for explanations). Conditions that cannot be evaluated are included.
unsatisfied(block, ctx) := {{"operator": name, "key": key} |
	some name, keys in block
	some key, policy_value in keys
	not _holds_true(name, key, policy_value, ctx)
}

# METADATA
# description: |
#   The block compiled for matching, worked out once when a bundle stores a
#   policy: one {"op": operator(name), "key", "values": the policy values as
#   a list} per condition. Undefined for a block that satisfied would refuse
#   whatever the context (not an object, an unknown operator, a value that is
#   not a scalar or a list of them).
compile(block) := [{"op": operator(name), "key": key, "values": _policy_values(policy_value)} |
	some name, keys in block
	some key, policy_value in keys
] if {
	is_object(block)
	every name, keys in block {
		is_object(keys)
		operator(name)
		every policy_value in keys {
			_policy_values(policy_value)
		}
	}
}

# METADATA
# description: |
#   true when every condition compiled by compile holds for ctx: satisfied's
#   answer for the block, without reading the operator names again.
# scope: document
default compiled_satisfied(_, _) := false

compiled_satisfied(tests, ctx) if {
	every t in tests {
		_result(t.op, t.values, _request_values(ctx, t.key), ctx) == true
	}
}

_holds_true(name, key, policy_value, ctx) if _holds(name, key, policy_value, ctx) == true

# METADATA
# description: |
#   true or false: whether one condition (operator name, condition key, policy value or
#   list of values) holds for ctx. Undefined when it cannot be evaluated.
holds(name, key, policy_value, ctx) := _holds(name, key, policy_value, ctx)

_holds(name, key, policy_value, ctx) := result if {
	op := operator(name)
	policy_values := _policy_values(policy_value)
	request_values := _request_values(ctx, key)
	result := _result(op, policy_values, request_values, ctx)
}

# Null: true means the key is absent (no value), false that it is present.
_result(op, policy_values, request_values, _) := result if {
	op.family == "null"
	result := _null_result(policy_values, count(request_values) == 0)
}

# No set operator, key absent: IfExists holds, a negated operator holds, others do not.
_result(op, _, [], _) := result if {
	op.family != "null"
	op.set == ""
	result := true in {op.if_exists, op.negated}
}

# No set operator, key present: any request value matching any policy value, negated for
# the negated operators (then no request value may match any policy value).
_result(op, policy_values, request_values, ctx) := result if {
	op.family != "null"
	op.set == ""
	count(request_values) > 0
	result := _any_value_matches(op, request_values, policy_values, ctx) != op.negated
}

# ForAnyValue: some request value satisfies the operator; false for no values (also with
# IfExists) or only empty strings.
_result(op, policy_values, request_values, ctx) := result if {
	op.set == "ForAnyValue"
	result := _for_any_value(op, _non_empty(request_values), policy_values, ctx)
}

# ForAllValues: every request value satisfies the operator; true for no values or only
# empty strings.
_result(op, policy_values, request_values, ctx) := result if {
	op.set == "ForAllValues"
	result := _for_all_values(op, _non_empty(request_values), policy_values, ctx)
}

_null_result(policy_values, absent) if {
	some policy_value in policy_values
	_boolean_text(policy_value) == absent
}

else := false

_for_any_value(op, request_values, policy_values, ctx) if {
	some request_value in request_values
	_value_matches(op, request_value, policy_values, ctx) != op.negated
}

else := false

_for_all_values(op, request_values, policy_values, ctx) if {
	every request_value in request_values {
		_value_matches(op, request_value, policy_values, ctx) != op.negated
	}
}

else := false

_any_value_matches(op, request_values, policy_values, ctx) if {
	some request_value in request_values
	_value_matches(op, request_value, policy_values, ctx)
}

else := false

# Whether one request value matches at least one of the policy values (not negated).
_value_matches(op, request_value, policy_values, ctx) if {
	some policy_value in policy_values
	_compare(op, request_value, policy_value, ctx)
}

else := false

_non_empty(values) := [v | some v in values; v != ""]

# The condition value: one scalar or a list of scalars.
_policy_values(v) := v if {
	is_array(v)
	count(v) > 0
	every x in v {
		util.is_scalar(x)
	}
}

_policy_values(v) := [v] if util.is_scalar(v)

# The request values of a key: [] when absent, null or an empty list; nulls dropped.
_request_values(ctx, key) := values if {
	values := _as_list(variables.lookup(ctx, key))
} else := []

_as_list(v) := [x | some x in v; x != null] if is_array(v)

_as_list(v) := [x | some x in v; x != null] if is_set(v)

_as_list(v) := [v] if {
	not is_array(v)
	not is_set(v)
	v != null
}

_as_list(null) := []

_boolean_text(v) if lower(util.scalar_text(v)) == "true"

_boolean_text(v) := false if lower(util.scalar_text(v)) == "false"

# String operators: policy variables substituted as literal text.
_compare(op, request_value, policy_value, ctx) if {
	op.family == "string"
	op.test == "equals"
	util.scalar_text(request_value) == variables.substitute(util.scalar_text(policy_value), ctx)
}

_compare(op, request_value, policy_value, ctx) if {
	op.family == "string"
	op.test == "equals_ignore_case"
	lower(util.scalar_text(request_value)) == lower(variables.substitute(util.scalar_text(policy_value), ctx))
}

_compare(op, request_value, policy_value, ctx) if {
	op.family == "string"
	op.test == "like"
	variables.string_like(util.scalar_text(policy_value), util.scalar_text(request_value), ctx)
}

# ARN operators: each of the six parts matched separately.
_compare(op, request_value, policy_value, ctx) if {
	op.family == "arn"
	variables.arn_like(util.scalar_text(policy_value), util.scalar_text(request_value), ctx)
}

# Bool: "true" / "false", compared without regard to case.
_compare(op, request_value, policy_value, ctx) if {
	op.family == "bool"
	expected := _boolean_text(variables.substitute(util.scalar_text(policy_value), ctx))
	_boolean_text(request_value) == expected
}

_compare(op, request_value, policy_value, _) if {
	op.family == "numeric"
	_ordered(op.test, _number(request_value), _number(policy_value))
}

_compare(op, request_value, policy_value, _) if {
	op.family == "date"
	_ordered(op.test, _time_ns(request_value), _time_ns(policy_value))
}

# BinaryEquals: byte for byte against the base-64 policy value; the request value is given
# base-64 encoded too.
_compare(op, request_value, policy_value, _) if {
	op.family == "binary"
	base64.decode(request_value) == base64.decode(policy_value)
}

_compare(op, request_value, policy_value, _) if {
	op.family == "ip"
	net.cidr_contains(_cidr(util.scalar_text(policy_value)), util.scalar_text(request_value))
}

_ordered("eq", a, b) if a == b

_ordered("lt", a, b) if a < b

_ordered("lte", a, b) if a <= b

_ordered("gt", a, b) if a > b

_ordered("gte", a, b) if a >= b

_number_regex := `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`

_number(v) := v if is_number(v)

_number(v) := to_number(v) if {
	is_string(v)
	regex.match(_number_regex, v)
}

# Dates: epoch seconds (a number or a string of digits) or a W3C profile of ISO 8601
# (YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mmTZD, YYYY-MM-DDThh:mm:ss[.s]TZD), as nanoseconds
# since the epoch. A bare year (YYYY) is all digits and so reads as epoch seconds.
_time_ns(v) := v * 1000000000 if is_number(v)

_time_ns(v) := to_number(v) * 1000000000 if {
	is_string(v)
	regex.match(`^-?[0-9]+(\.[0-9]+)?$`, v)
}

_time_ns(v) := time.parse_rfc3339_ns(_rfc3339(v)) if {
	is_string(v)
	not regex.match(`^-?[0-9]+(\.[0-9]+)?$`, v)
}

_rfc3339(v) := concat("", [v, "-01T00:00:00Z"]) if regex.match(`^[0-9]{4}-[0-9]{2}$`, v)

_rfc3339(v) := concat("", [v, "T00:00:00Z"]) if regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, v)

_rfc3339(v) := regex.replace(v, `^([0-9T:-]{16})(Z|[+-][0-9]{2}:[0-9]{2})$`, "${1}:00${2}") if {
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$`, v)
}

_rfc3339(v) := v if {
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`, v)
}

# An address without a prefix length stands for that one address (/32, or /128 for IPv6).
_cidr(v) := v if contains(v, "/")

_cidr(v) := concat("", [v, "/128"]) if {
	not contains(v, "/")
	contains(v, ":")
}

_cidr(v) := concat("", [v, "/32"]) if {
	not contains(v, "/")
	not contains(v, ":")
}

# METADATA
# description: |
#   ctx with every key in lower case, for callers that look keys up many times (lookups
#   here accept any case already). Where keys differ only in case, one value is kept.
normalize_context(ctx) := {lower(k): ctx[k] | some k in _first_keys(ctx)}

_first_keys(ctx) := {k |
	some k, _ in ctx
	not _shadowed(ctx, k)
}

_shadowed(ctx, k) if {
	some other, _ in ctx
	other < k
	lower(other) == lower(k)
}
