# Tests for cognito.conditions.errors (package cognito.conditions_test, described in
# conditions_test.rego), each group naming the AWS document it comes from.
package cognito.conditions_test

import data.cognito.conditions

# IAM Access Analyzer policy check reference: "Error – Invalid condition operator", "Error –
# Null with if exists", "Error – Invalid condition data type", "Error – Invalid condition
# multiple Boolean", "Error – Invalid variable for operator" (policy variables only with
# String and ARN operators), "Error – Duplicate keys with different case", and the policy
# variable errors (missing brace, missing quote, unsupported space, empty variable).

_codes(block) := {[e.code, e.field] | some e in conditions.errors(block)}

test_errors_of_valid_blocks if {
	conditions.errors({}) == set()
	conditions.errors(_example_block) == set()
	conditions.errors(_trust_condition("authenticated")) == set()
	conditions.errors({
		"NumericLessThanEquals": {"s3:max-keys": "10", "k": 5},
		"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z", "aws:EpochTime": 1577836800},
		"Bool": {"aws:SecureTransport": false},
		"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="},
		"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64", "198.51.100.7"]},
		"Null": {"aws:TokenIssueTime": "true"},
		"StringLike": {"s3:prefix": ["${aws:username}/*", "${aws:PrincipalTag/x, 'y'}"]},
		"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:${aws:PrincipalAccount}:*"},
		"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["a", "b"]},
	}) == set()
}

test_error_block_not_an_object if {
	_codes(["StringEquals"]) == {["invalid_condition_block", "Condition"]}
	_codes({"StringEquals": "aws:username"}) == {["invalid_condition_data_type", "Condition.StringEquals"]}
}

test_error_unknown_operators if {
	_codes({"StringEqualz": {"k": "v"}}) == {["invalid_condition_operator", "Condition.StringEqualz"]}
	_codes({"stringequals": {"k": "v"}}) == {["invalid_condition_operator", "Condition.stringequals"]}
	_codes({"ForSomeValues:StringEquals": {"k": "v"}}) == {[
		"invalid_set_operator",
		"Condition.ForSomeValues:StringEquals",
	]}
	unknown := "ForAnyValue:StringEqualz"
	_codes({unknown: {"k": "v"}}) == {["invalid_condition_operator", concat(".", ["Condition", unknown])]}
	_codes({"NullIfExists": {"k": "true"}}) == {["null_with_if_exists", "Condition.NullIfExists"]}
	_codes({"ForAnyValue:Null": {"k": "true"}}) == {["invalid_condition_operator", "Condition.ForAnyValue:Null"]}
	_codes({1: {"k": "v"}}) == {["invalid_condition_operator", "Condition.1"]}
}

test_error_value_types if {
	_codes({"StringEquals": {"k": {"a": "b"}}}) == {["invalid_condition_data_type", "Condition.StringEquals.k"]}
	_codes({"StringEquals": {"k": []}}) == {["invalid_condition_data_type", "Condition.StringEquals.k"]}
	_codes({"StringEquals": {"k": null}}) == {["invalid_condition_data_type", "Condition.StringEquals.k"]}
	_codes({"StringEquals": {"k": ["a", ["b"]]}}) == {["invalid_condition_data_type", "Condition.StringEquals.k"]}
}

test_error_values_the_operator_cannot_read if {
	_codes({"NumericEquals": {"k": "ten"}}) == {["invalid_condition_data_type", "Condition.NumericEquals.k"]}
	_codes({"DateLessThan": {"k": "next week"}}) == {["invalid_condition_data_type", "Condition.DateLessThan.k"]}
	_codes({"DateLessThan": {"k": "2020-01-01T00:00:00"}}) == {["invalid_condition_data_type", "Condition.DateLessThan.k"]}
	_codes({"Bool": {"k": "yes"}}) == {["invalid_condition_data_type", "Condition.Bool.k"]}
	_codes({"Null": {"k": "maybe"}}) == {["invalid_condition_data_type", "Condition.Null.k"]}
	_codes({"BinaryEquals": {"k": "not base-64 !"}}) == {["invalid_condition_data_type", "Condition.BinaryEquals.k"]}
	_codes({"BinaryEquals": {"k": 5}}) == {["invalid_condition_data_type", "Condition.BinaryEquals.k"]}
	_codes({"IpAddress": {"k": "203.0.113.0/33"}}) == {["invalid_condition_data_type", "Condition.IpAddress.k"]}
	_codes({"NotIpAddress": {"k": "example.com"}}) == {["invalid_condition_data_type", "Condition.NotIpAddress.k"]}
}

test_error_multiple_booleans if {
	_codes({"Bool": {"aws:SecureTransport": ["true", "false"]}}) == {[
		"invalid_condition_multiple_boolean",
		"Condition.Bool.aws:SecureTransport",
	]}
}

test_error_variables_outside_string_and_arn_operators if {
	_codes({"NumericLessThan": {"k": "${aws:MultiFactorAuthAge}"}}) == {
		["invalid_variable_for_operator", "Condition.NumericLessThan.k"],
		["invalid_condition_data_type", "Condition.NumericLessThan.k"],
	}
	_codes({"IpAddress": {"aws:SourceIp": "${aws:PrincipalTag/ip}"}}) == {
		["invalid_variable_for_operator", "Condition.IpAddress.aws:SourceIp"],
		["invalid_condition_data_type", "Condition.IpAddress.aws:SourceIp"],
	}
}

test_error_policy_variable_syntax if {
	_codes({"StringLike": {"s3:prefix": "${aws:username/*"}}) == {["missing_brace", "Condition.StringLike.s3:prefix"]}
	_codes({"StringEquals": {"k": "${aws:PrincipalTag/x, y}"}}) == {["missing_quote", "Condition.StringEquals.k"]}
	spaced := "arn:aws:iam::${ aws:PrincipalAccount}:role/*"
	_codes({"ArnLike": {"k": spaced}}) == {["unsupported_space", "Condition.ArnLike.k"]}
	_codes({"Bool": {"k": "${}"}}) == {["empty_variable", "Condition.Bool.k"]}
}

test_error_duplicate_keys_with_different_case if {
	_codes({"StringEquals": {"aws:ResourceTag/EC2": "test1", "aws:resourcetag/ec2": "test2"}}) == {[
		"duplicate_keys_with_different_case",
		"Condition.StringEquals.aws:ResourceTag/EC2",
	]}
}

test_error_messages if {
	some e in conditions.errors({"StringEqualz": {"k": "v"}})
	contains(e.message, "StringEqualz")
}
