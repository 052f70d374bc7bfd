# METADATA
# description: Tests for cognito.conditions, each group naming the AWS document it comes from.
package cognito.conditions_test

import data.cognito.conditions

# _holds: the result of one condition (operator, key, value(s)) for a context,
# defined only when the compiled form (compile, compiled_satisfied) answers the
# same: every expectation below holds for both.
_holds(name, key, value, ctx) := result if {
	result := conditions.holds(name, key, value, ctx)
	conditions.compiled_satisfied(conditions.compile({name: {key: value}}), ctx) == result == true
}

# IAM User Guide, "IAM JSON policy elements: Condition": "Condition key names are not
# case-sensitive"; StringEquals "johndoe" matches only johndoe (users named JohnDoe are
# denied); StringEqualsIgnoreCase matches johndoe and JohnDoe.

test_key_names_are_case_insensitive if {
	conditions.satisfied({"StringEquals": {"aws:SourceIP": "203.0.113.1"}}, {"AWS:SourceIp": "203.0.113.1"})
	conditions.satisfied({"StringEquals": {"AWS:SOURCEIP": "203.0.113.1"}}, {"aws:sourceip": "203.0.113.1"})
	conditions.satisfied({"StringEquals": {"aws:ResourceTag/TagKey1": "Value1"}}, {"aws:ResourceTag/tagkey1": "Value1"})
}

test_string_equals_is_case_sensitive if {
	_holds("StringEquals", "aws:username", "johndoe", {"aws:username": "johndoe"}) == true
	_holds("StringEquals", "aws:username", "johndoe", {"aws:username": "JohnDoe"}) == false
}

test_string_equals_ignore_case if {
	_holds("StringEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "JohnDoe"}) == true
	_holds("StringEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "johndoe"}) == true
	_holds("StringEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "janedoe"}) == false
	_holds("StringNotEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "JOHNDOE"}) == false
	_holds("StringNotEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "janedoe"}) == true
}

# IAM User Guide, "IAM JSON policy elements: Condition operators", section "String condition
# operators": StringEquals exact, StringNotEquals negated, StringLike case-sensitive with *
# and ? anywhere ("You must specify wildcards to achieve partial string matches"),
# StringNotLike negated; the example {"StringEquals": {"aws:PrincipalTag/job-category":
# "iamuser-admin"}} is false for a principal without the tag.

test_string_equals_and_not_equals if {
	tag := {"aws:PrincipalTag/job-category": "iamuser-admin"}
	_holds("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", tag) == true
	_holds("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", {}) == false
	_holds("StringNotEquals", "aws:PrincipalTag/job-category", "iamuser-admin", tag) == false
	_holds("StringNotEquals", "aws:PrincipalTag/job-category", "other", tag) == true
}

test_string_like if {
	_holds("StringLike", "s3:prefix", "home/*", {"s3:prefix": "home/David/"}) == true
	_holds("StringLike", "s3:prefix", "home/*", {"s3:prefix": "Home/David/"}) == false
	_holds("StringLike", "s3:prefix", "home", {"s3:prefix": "home/David/"}) == false
	_holds("StringLike", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], {"ec2:InstanceType": "t2.micro"}) == true
	_holds("StringLike", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], {"ec2:InstanceType": "c5.large"}) == false
	_holds("StringLike", "k", "a?c", {"k": "abc"}) == true
	_holds("StringLike", "k", "a?c", {"k": "ac"}) == false
	_holds("StringNotLike", "s3:prefix", "home/*", {"s3:prefix": "home/David/"}) == false
	_holds("StringNotLike", "s3:prefix", "home/*", {"s3:prefix": "work/"}) == true
}

test_string_like_metacharacters_are_literal if {
	_holds("StringLike", "k", "[ab]*", {"k": "a"}) == false
	_holds("StringLike", "k", "[ab]*", {"k": "[ab]x"}) == true
	_holds("StringLike", "k", ".*", {"k": "abc"}) == false
}

test_string_operators_read_numbers_and_booleans_as_text if {
	_holds("StringEquals", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": 3600}) == true
	_holds("StringEquals", "k", 10, {"k": "10"}) == true
	_holds("StringEquals", "k", true, {"k": "true"}) == true
}

# Same page, "Important": a key not present in the request context does not match (the
# condition is false); for an operator requiring no match (StringNotLike, ArnNotLike ...) a
# missing key makes the condition true. This applies to all operators except ...IfExists
# and Null.

test_missing_key_positive_operators_are_false if {
	every name, value in {
		"StringEquals": "x", "StringEqualsIgnoreCase": "x", "StringLike": "*",
		"NumericEquals": "1", "NumericLessThan": "1", "NumericLessThanEquals": "1",
		"NumericGreaterThan": "1", "NumericGreaterThanEquals": "1",
		"DateEquals": "2020-01-01T00:00:00Z", "DateLessThan": "2020-01-01T00:00:00Z",
		"DateLessThanEquals": "2020-01-01T00:00:00Z", "DateGreaterThan": "2020-01-01T00:00:00Z",
		"DateGreaterThanEquals": "2020-01-01T00:00:00Z", "Bool": "true",
		"BinaryEquals": "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "IpAddress": "203.0.113.0/24",
		"ArnEquals": "arn:aws:sns:*:*:*", "ArnLike": "arn:aws:sns:*:*:*",
	} {
		_holds(name, "missing:key", value, {"other:key": "x"}) == false
	}
}

test_missing_key_negated_operators_are_true if {
	every name, value in {
		"StringNotEquals": "x", "StringNotEqualsIgnoreCase": "x", "StringNotLike": "*",
		"NumericNotEquals": "1", "DateNotEquals": "2020-01-01T00:00:00Z",
		"NotIpAddress": "203.0.113.0/24", "ArnNotEquals": "arn:aws:sns:*:*:*",
		"ArnNotLike": "arn:aws:sns:*:*:*",
	} {
		_holds(name, "missing:key", value, {"other:key": "x"}) == true
	}
}

test_null_and_empty_list_values_count_as_missing if {
	_holds("StringEquals", "k", "x", {"k": null}) == false
	_holds("StringEquals", "k", "x", {"k": []}) == false
	_holds("StringNotEquals", "k", "x", {"k": null}) == true
	_holds("StringEquals", "k", "x", {"k": [null, "x"]}) == true
}

# Same page, section "...IfExists condition operators": "If the policy key is present in
# the context of the request, process the key as specified in the policy. If the key is not
# present, evaluate the condition element as true." The ec2:InstanceType example.

test_if_exists_on_missing_key_is_true if {
	every name in [
		"StringEqualsIfExists", "StringLikeIfExists", "StringNotEqualsIfExists",
		"NumericLessThanIfExists", "DateGreaterThanIfExists", "BoolIfExists",
		"BinaryEqualsIfExists", "IpAddressIfExists", "NotIpAddressIfExists", "ArnLikeIfExists",
	] {
		_holds(name, "missing:key", "1", {}) == true
	}
}

test_if_exists_on_present_key_tests_the_value if {
	values := ["t1.*", "t2.*", "m3.*"]
	_holds("StringLikeIfExists", "ec2:InstanceType", values, {"ec2:InstanceType": "t2.micro"}) == true
	_holds("StringLikeIfExists", "ec2:InstanceType", values, {"ec2:InstanceType": "c5.large"}) == false
	_holds("StringLikeIfExists", "ec2:InstanceType", values, {"ec2:ImageType": "machine"}) == true
	_holds("StringNotEqualsIfExists", "aws:ResourceTag/team", "blue", {"aws:ResourceTag/team": "blue"}) == false
	_holds("StringNotEqualsIfExists", "aws:ResourceTag/team", "blue", {"aws:ResourceTag/team": "red"}) == true
}

# Same page, section "Condition operator to check existence of condition keys": Null true
# means the key does not exist, false that it exists and is not null; the example
# {"Null": {"aws:TokenIssueTime": "true"}} holds only without temporary credentials.

test_null if {
	_holds("Null", "aws:TokenIssueTime", "true", {}) == true
	_holds("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}) == false
	_holds("Null", "aws:TokenIssueTime", "false", {}) == false
	_holds("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}) == true
	_holds("Null", "aws:TokenIssueTime", true, {}) == true
	_holds("Null", "aws:TokenIssueTime", "TRUE", {}) == true
	_holds("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": null}) == true
	_holds("Null", "aws:TagKeys", "true", {"aws:TagKeys": []}) == true
	_holds("Null", "aws:TokenIssueTime", ["true", "false"], {}) == true
}

# Same page, section "Numeric condition operators": the six operators on integer or decimal
# values; the example {"NumericLessThanEquals": {"s3:max-keys": "10"}}.

test_numeric_operators if {
	_holds("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}) == true
	_holds("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "11"}) == false
	_holds("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": 9}) == true
	_holds("NumericEquals", "k", "10", {"k": "10.0"}) == true
	_holds("NumericEquals", "k", 10, {"k": "11"}) == false
	_holds("NumericNotEquals", "k", "10", {"k": "11"}) == true
	_holds("NumericNotEquals", "k", "10", {"k": "10"}) == false
	_holds("NumericLessThan", "k", "10", {"k": "9.5"}) == true
	_holds("NumericLessThan", "k", "10", {"k": "10"}) == false
	_holds("NumericGreaterThan", "k", "10", {"k": "10.5"}) == true
	_holds("NumericGreaterThan", "k", "10", {"k": "10"}) == false
	_holds("NumericGreaterThanEquals", "k", "-1.5", {"k": "-1.5"}) == true
	_holds("NumericGreaterThanEquals", "k", "-1.5", {"k": "-2"}) == false
	_holds("NumericLessThanEquals", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": 3600}) == true
}

test_numeric_request_values_that_are_not_numbers_do_not_match if {
	_holds("NumericEquals", "k", "10", {"k": "ten"}) == false
	_holds("NumericNotEquals", "k", "10", {"k": "ten"}) == true
}

# Same page, section "Date condition operators": W3C implementations of ISO 8601 or epoch
# (UNIX) time; the example {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}.
# W3C "Date and Time Formats" (NOTE-datetime): YYYY, YYYY-MM, YYYY-MM-DD,
# YYYY-MM-DDThh:mmTZD, YYYY-MM-DDThh:mm:ssTZD, YYYY-MM-DDThh:mm:ss.sTZD.

test_date_operators if {
	issued := {"aws:TokenIssueTime": "2020-06-01T12:00:00Z"}
	_holds("DateGreaterThan", "aws:TokenIssueTime", "2020-01-01T00:00:01Z", issued) == true
	_holds(
		"DateGreaterThan",
		"aws:TokenIssueTime",
		"2020-01-01T00:00:01Z",
		{"aws:TokenIssueTime": "2019-12-31T23:59:59Z"},
	) == false
	_holds("DateLessThan", "aws:TokenIssueTime", "2020-06-01T12:00:01Z", issued) == true
	_holds("DateLessThan", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == false
	_holds("DateLessThanEquals", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == true
	_holds("DateGreaterThanEquals", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == true
	_holds("DateGreaterThanEquals", "aws:TokenIssueTime", "2020-06-01T12:00:01Z", issued) == false
	_holds("DateEquals", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == true
	_holds("DateNotEquals", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == false
	_holds("DateNotEquals", "aws:TokenIssueTime", "2020-06-01T12:00:01Z", issued) == true
}

test_date_formats if {
	noon := {"aws:CurrentTime": "2020-06-01T12:00:00Z"}
	_holds("DateGreaterThan", "aws:CurrentTime", "2020-06", noon) == true
	_holds("DateGreaterThan", "aws:CurrentTime", "2020-06-01", noon) == true
	_holds("DateLessThan", "aws:CurrentTime", "2020-06-02", noon) == true
	_holds("DateEquals", "aws:CurrentTime", "2020-06-01T12:00Z", noon) == true
	_holds("DateEquals", "aws:CurrentTime", "2020-06-01T14:00:00+02:00", noon) == true
	_holds("DateEquals", "aws:CurrentTime", "2020-06-01T07:00-05:00", noon) == true
	_holds("DateEquals", "aws:CurrentTime", "2020-06-01T12:00:00.000Z", noon) == true
	_holds("DateLessThan", "aws:CurrentTime", "2020-06-01T12:00:00.5Z", noon) == true
}

test_date_epoch_seconds if {
	# A value of digits only is epoch seconds (a W3C bare year "YYYY" is read the same way).
	_holds("DateEquals", "aws:EpochTime", "2020", {"aws:EpochTime": 2020}) == true
	_holds("DateLessThan", "aws:CurrentTime", "2020", {"aws:CurrentTime": "2020-01-01T00:00:00Z"}) == false

	# 1591012800 is 2020-06-01T12:00:00Z.
	_holds("DateEquals", "aws:EpochTime", "1591012800", {"aws:EpochTime": 1591012800}) == true
	_holds("DateEquals", "aws:CurrentTime", 1591012800, {"aws:CurrentTime": "2020-06-01T12:00:00Z"}) == true
	_holds("DateLessThan", "aws:EpochTime", "2020-06-01T12:00:01Z", {"aws:EpochTime": "1591012800"}) == true
	_holds("DateGreaterThan", "aws:EpochTime", "2020-06-01T12:00:00Z", {"aws:EpochTime": 1591012800}) == false
}

test_date_request_values_that_are_not_dates_do_not_match if {
	_holds("DateEquals", "aws:CurrentTime", "2020-06-01", {"aws:CurrentTime": "yesterday"}) == false
	_holds("DateNotEquals", "aws:CurrentTime", "2020-06-01", {"aws:CurrentTime": "yesterday"}) == true
	_holds("DateEquals", "aws:CurrentTime", "2020-06-01", {"aws:CurrentTime": "2020-06-01T12:00:00"}) == false
}

# Same page, section "Boolean condition operators": Bool compares a key to "true" or
# "false"; the example {"Bool": {"aws:SecureTransport": "false"}}.

test_bool if {
	_holds("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": false}) == true
	_holds("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": "false"}) == true
	_holds("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": true}) == false
	_holds("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "TRUE"}) == true
	_holds("Bool", "aws:SecureTransport", true, {"aws:SecureTransport": "true"}) == true
	_holds("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "yes"}) == false
}

# Same page, section "Boolean condition operators" (the condition operators page lists
# policy variables as usable with Bool; see the errors tests for the Access Analyzer view).
test_bool_with_a_policy_variable if {
	ctx := {"aws:SecureTransport": true, "aws:PrincipalTag/secure": "true"}
	_holds("Bool", "aws:SecureTransport", "${aws:PrincipalTag/secure}", ctx) == true
	_holds("Bool", "aws:SecureTransport", "${aws:PrincipalTag/none}", ctx) == false
}

# Same page, section "Binary condition operators": BinaryEquals compares the key's value
# byte for byte against the base-64 encoded value in the policy.

test_binary_equals if {
	_holds("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {"key": base64.encode("BinaryValueInBase64")}) == true
	_holds("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {"key": base64.encode("OtherValue")}) == false
	_holds("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {"key": "not base-64 !"}) == false
}

# Same page, section "IP address condition operators": IPv4 or IPv6 addresses or ranges in
# CIDR format (203.0.113.0/24, 2001:DB8:1234:5678::/64); without a prefix IAM uses /32;
# NotIpAddress matches all addresses except the range.

test_ip_address if {
	_holds("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.7"}) == true
	_holds("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.114.7"}) == false
	_holds("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.114.7"}) == true
	_holds("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.7"}) == false
}

test_ip_address_mixed_ipv4_and_ipv6 if {
	ranges := ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]
	_holds("IpAddress", "aws:SourceIp", ranges, {"aws:SourceIp": "2001:db8:1234:5678::1"}) == true
	_holds("IpAddress", "aws:SourceIp", ranges, {"aws:SourceIp": "2001:db8:1234:5679::1"}) == false
	_holds("IpAddress", "aws:SourceIp", ranges, {"aws:SourceIp": "203.0.113.200"}) == true
}

test_ip_address_without_prefix_is_one_address if {
	_holds("IpAddress", "aws:SourceIp", "203.0.113.7", {"aws:SourceIp": "203.0.113.7"}) == true
	_holds("IpAddress", "aws:SourceIp", "203.0.113.7", {"aws:SourceIp": "203.0.113.8"}) == false
	_holds("IpAddress", "aws:SourceIp", "2001:db8::1", {"aws:SourceIp": "2001:db8::1"}) == true
	_holds("IpAddress", "aws:SourceIp", "2001:db8::1", {"aws:SourceIp": "2001:db8::2"}) == false
}

test_ip_request_values_that_are_not_addresses_do_not_match if {
	_holds("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "example.com"}) == false
	_holds("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "example.com"}) == true
}

# Same page, section "Amazon Resource Name (ARN) condition operators": ArnEquals and
# ArnLike behave identically (case-sensitive, six parts checked separately, * and ? in
# each); ArnNotEquals and ArnNotLike likewise; the finance/* example matches with StringLike
# but not with ArnLike.

_sns_topic := "arn:aws:sns:REGION:123456789012:TOPIC-ID"

test_arn_operators if {
	every name in ["ArnEquals", "ArnLike"] {
		_holds(name, "aws:SourceArn", _sns_topic, {"aws:SourceArn": _sns_topic}) == true
		_holds(name, "aws:SourceArn", "arn:aws:sns:*:123456789012:*", {"aws:SourceArn": _sns_topic}) == true
		_holds(
			name,
			"aws:SourceArn",
			"arn:aws:sns:*:123456789012:*",
			{"aws:SourceArn": "arn:aws:sns:r:999999999999:t"},
		) == false
		_holds(name, "aws:SourceArn", "arn:aws:sns:*:123456789012:topic-id", {"aws:SourceArn": _sns_topic}) == false
	}
	every name in ["ArnNotEquals", "ArnNotLike"] {
		_holds(name, "aws:SourceArn", _sns_topic, {"aws:SourceArn": _sns_topic}) == false
		_holds(
			name,
			"aws:SourceArn",
			"arn:aws:sns:*:123456789012:*",
			{"aws:SourceArn": "arn:aws:sns:r:999999999999:t"},
		) == true
	}
}

test_arn_like_where_string_like_differs if {
	pattern := "arn:aws:someservice:*:111122223333:finance/*"
	value := "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
	_holds("StringLike", "aws:SourceArn", pattern, {"aws:SourceArn": value}) == true
	_holds("ArnLike", "aws:SourceArn", pattern, {"aws:SourceArn": value}) == false
}
