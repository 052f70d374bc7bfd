# METADATA
# description: Tests for cognito.conditions, each group naming the AWS document it comes from.
package cognito.conditions_test

import data.cognito.conditions

# holds: the result of one condition (operator, key, value(s)) for a context.
holds(name, key, value, ctx) := conditions.holds(name, key, value, ctx)

# IAM User Guide, "IAM JSON policy elements: Condition": "Condition key names are not
# case-sensitive"; StringEquals "johndoe" matches only johndoe (users named JohnDoe are
# denied); StringEqualsIgnoreCase matches johndoe and JohnDoe.

test_key_names_are_case_insensitive if {
	conditions.satisfied({"StringEquals": {"aws:SourceIP": "203.0.113.1"}}, {"AWS:SourceIp": "203.0.113.1"})
	conditions.satisfied({"StringEquals": {"AWS:SOURCEIP": "203.0.113.1"}}, {"aws:sourceip": "203.0.113.1"})
	conditions.satisfied({"StringEquals": {"aws:ResourceTag/TagKey1": "Value1"}}, {"aws:ResourceTag/tagkey1": "Value1"})
}

test_string_equals_is_case_sensitive if {
	holds("StringEquals", "aws:username", "johndoe", {"aws:username": "johndoe"}) == true
	holds("StringEquals", "aws:username", "johndoe", {"aws:username": "JohnDoe"}) == false
}

test_string_equals_ignore_case if {
	holds("StringEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "JohnDoe"}) == true
	holds("StringEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "johndoe"}) == true
	holds("StringEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "janedoe"}) == false
	holds("StringNotEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "JOHNDOE"}) == false
	holds("StringNotEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "janedoe"}) == true
}

# IAM User Guide, "IAM JSON policy elements: Condition operators", section "String condition
# operators": StringEquals exact, StringNotEquals negated, StringLike case-sensitive with *
# and ? anywhere ("You must specify wildcards to achieve partial string matches"),
# StringNotLike negated; the example {"StringEquals": {"aws:PrincipalTag/job-category":
# "iamuser-admin"}} is false for a principal without the tag.

test_string_equals_and_not_equals if {
	tag := {"aws:PrincipalTag/job-category": "iamuser-admin"}
	holds("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", tag) == true
	holds("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", {}) == false
	holds("StringNotEquals", "aws:PrincipalTag/job-category", "iamuser-admin", tag) == false
	holds("StringNotEquals", "aws:PrincipalTag/job-category", "other", tag) == true
}

test_string_like if {
	holds("StringLike", "s3:prefix", "home/*", {"s3:prefix": "home/David/"}) == true
	holds("StringLike", "s3:prefix", "home/*", {"s3:prefix": "Home/David/"}) == false
	holds("StringLike", "s3:prefix", "home", {"s3:prefix": "home/David/"}) == false
	holds("StringLike", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], {"ec2:InstanceType": "t2.micro"}) == true
	holds("StringLike", "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], {"ec2:InstanceType": "c5.large"}) == false
	holds("StringLike", "k", "a?c", {"k": "abc"}) == true
	holds("StringLike", "k", "a?c", {"k": "ac"}) == false
	holds("StringNotLike", "s3:prefix", "home/*", {"s3:prefix": "home/David/"}) == false
	holds("StringNotLike", "s3:prefix", "home/*", {"s3:prefix": "work/"}) == true
}

test_string_like_metacharacters_are_literal if {
	holds("StringLike", "k", "[ab]*", {"k": "a"}) == false
	holds("StringLike", "k", "[ab]*", {"k": "[ab]x"}) == true
	holds("StringLike", "k", ".*", {"k": "abc"}) == false
}

test_string_operators_read_numbers_and_booleans_as_text if {
	holds("StringEquals", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": 3600}) == true
	holds("StringEquals", "k", 10, {"k": "10"}) == true
	holds("StringEquals", "k", true, {"k": "true"}) == true
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
		holds(name, "missing:key", value, {"other:key": "x"}) == false
	}
}

test_missing_key_negated_operators_are_true if {
	every name, value in {
		"StringNotEquals": "x", "StringNotEqualsIgnoreCase": "x", "StringNotLike": "*",
		"NumericNotEquals": "1", "DateNotEquals": "2020-01-01T00:00:00Z",
		"NotIpAddress": "203.0.113.0/24", "ArnNotEquals": "arn:aws:sns:*:*:*",
		"ArnNotLike": "arn:aws:sns:*:*:*",
	} {
		holds(name, "missing:key", value, {"other:key": "x"}) == true
	}
}

test_null_and_empty_list_values_count_as_missing if {
	holds("StringEquals", "k", "x", {"k": null}) == false
	holds("StringEquals", "k", "x", {"k": []}) == false
	holds("StringNotEquals", "k", "x", {"k": null}) == true
	holds("StringEquals", "k", "x", {"k": [null, "x"]}) == true
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
		holds(name, "missing:key", "1", {}) == true
	}
}

test_if_exists_on_present_key_tests_the_value if {
	values := ["t1.*", "t2.*", "m3.*"]
	holds("StringLikeIfExists", "ec2:InstanceType", values, {"ec2:InstanceType": "t2.micro"}) == true
	holds("StringLikeIfExists", "ec2:InstanceType", values, {"ec2:InstanceType": "c5.large"}) == false
	holds("StringLikeIfExists", "ec2:InstanceType", values, {"ec2:ImageType": "machine"}) == true
	holds("StringNotEqualsIfExists", "aws:ResourceTag/team", "blue", {"aws:ResourceTag/team": "blue"}) == false
	holds("StringNotEqualsIfExists", "aws:ResourceTag/team", "blue", {"aws:ResourceTag/team": "red"}) == true
}

# Same page, section "Condition operator to check existence of condition keys": Null true
# means the key does not exist, false that it exists and is not null; the example
# {"Null": {"aws:TokenIssueTime": "true"}} holds only without temporary credentials.

test_null if {
	holds("Null", "aws:TokenIssueTime", "true", {}) == true
	holds("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}) == false
	holds("Null", "aws:TokenIssueTime", "false", {}) == false
	holds("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}) == true
	holds("Null", "aws:TokenIssueTime", true, {}) == true
	holds("Null", "aws:TokenIssueTime", "TRUE", {}) == true
	holds("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": null}) == true
	holds("Null", "aws:TagKeys", "true", {"aws:TagKeys": []}) == true
	holds("Null", "aws:TokenIssueTime", ["true", "false"], {}) == true
}

# Same page, section "Numeric condition operators": the six operators on integer or decimal
# values; the example {"NumericLessThanEquals": {"s3:max-keys": "10"}}.

test_numeric_operators if {
	holds("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}) == true
	holds("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "11"}) == false
	holds("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": 9}) == true
	holds("NumericEquals", "k", "10", {"k": "10.0"}) == true
	holds("NumericEquals", "k", 10, {"k": "11"}) == false
	holds("NumericNotEquals", "k", "10", {"k": "11"}) == true
	holds("NumericNotEquals", "k", "10", {"k": "10"}) == false
	holds("NumericLessThan", "k", "10", {"k": "9.5"}) == true
	holds("NumericLessThan", "k", "10", {"k": "10"}) == false
	holds("NumericGreaterThan", "k", "10", {"k": "10.5"}) == true
	holds("NumericGreaterThan", "k", "10", {"k": "10"}) == false
	holds("NumericGreaterThanEquals", "k", "-1.5", {"k": "-1.5"}) == true
	holds("NumericGreaterThanEquals", "k", "-1.5", {"k": "-2"}) == false
	holds("NumericLessThanEquals", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": 3600}) == true
}

test_numeric_request_values_that_are_not_numbers_do_not_match if {
	holds("NumericEquals", "k", "10", {"k": "ten"}) == false
	holds("NumericNotEquals", "k", "10", {"k": "ten"}) == true
}

# Same page, section "Date condition operators": W3C implementations of ISO 8601 or epoch
# (UNIX) time; the example {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}.
# W3C "Date and Time Formats" (NOTE-datetime): YYYY, YYYY-MM, YYYY-MM-DD,
# YYYY-MM-DDThh:mmTZD, YYYY-MM-DDThh:mm:ssTZD, YYYY-MM-DDThh:mm:ss.sTZD.

test_date_operators if {
	issued := {"aws:TokenIssueTime": "2020-06-01T12:00:00Z"}
	holds("DateGreaterThan", "aws:TokenIssueTime", "2020-01-01T00:00:01Z", issued) == true
	holds(
		"DateGreaterThan",
		"aws:TokenIssueTime",
		"2020-01-01T00:00:01Z",
		{"aws:TokenIssueTime": "2019-12-31T23:59:59Z"},
	) == false
	holds("DateLessThan", "aws:TokenIssueTime", "2020-06-01T12:00:01Z", issued) == true
	holds("DateLessThan", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == false
	holds("DateLessThanEquals", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == true
	holds("DateGreaterThanEquals", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == true
	holds("DateGreaterThanEquals", "aws:TokenIssueTime", "2020-06-01T12:00:01Z", issued) == false
	holds("DateEquals", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == true
	holds("DateNotEquals", "aws:TokenIssueTime", "2020-06-01T12:00:00Z", issued) == false
	holds("DateNotEquals", "aws:TokenIssueTime", "2020-06-01T12:00:01Z", issued) == true
}

test_date_formats if {
	noon := {"aws:CurrentTime": "2020-06-01T12:00:00Z"}
	holds("DateGreaterThan", "aws:CurrentTime", "2020-06", noon) == true
	holds("DateGreaterThan", "aws:CurrentTime", "2020-06-01", noon) == true
	holds("DateLessThan", "aws:CurrentTime", "2020-06-02", noon) == true
	holds("DateEquals", "aws:CurrentTime", "2020-06-01T12:00Z", noon) == true
	holds("DateEquals", "aws:CurrentTime", "2020-06-01T14:00:00+02:00", noon) == true
	holds("DateEquals", "aws:CurrentTime", "2020-06-01T07:00-05:00", noon) == true
	holds("DateEquals", "aws:CurrentTime", "2020-06-01T12:00:00.000Z", noon) == true
	holds("DateLessThan", "aws:CurrentTime", "2020-06-01T12:00:00.5Z", noon) == true
}

test_date_epoch_seconds if {
	# A value of digits only is epoch seconds (a W3C bare year "YYYY" is read the same way).
	holds("DateEquals", "aws:EpochTime", "2020", {"aws:EpochTime": 2020}) == true
	holds("DateLessThan", "aws:CurrentTime", "2020", {"aws:CurrentTime": "2020-01-01T00:00:00Z"}) == false

	# 1591012800 is 2020-06-01T12:00:00Z.
	holds("DateEquals", "aws:EpochTime", "1591012800", {"aws:EpochTime": 1591012800}) == true
	holds("DateEquals", "aws:CurrentTime", 1591012800, {"aws:CurrentTime": "2020-06-01T12:00:00Z"}) == true
	holds("DateLessThan", "aws:EpochTime", "2020-06-01T12:00:01Z", {"aws:EpochTime": "1591012800"}) == true
	holds("DateGreaterThan", "aws:EpochTime", "2020-06-01T12:00:00Z", {"aws:EpochTime": 1591012800}) == false
}

test_date_request_values_that_are_not_dates_do_not_match if {
	holds("DateEquals", "aws:CurrentTime", "2020-06-01", {"aws:CurrentTime": "yesterday"}) == false
	holds("DateNotEquals", "aws:CurrentTime", "2020-06-01", {"aws:CurrentTime": "yesterday"}) == true
	holds("DateEquals", "aws:CurrentTime", "2020-06-01", {"aws:CurrentTime": "2020-06-01T12:00:00"}) == false
}

# Same page, section "Boolean condition operators": Bool compares a key to "true" or
# "false"; the example {"Bool": {"aws:SecureTransport": "false"}}.

test_bool if {
	holds("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": false}) == true
	holds("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": "false"}) == true
	holds("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": true}) == false
	holds("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "TRUE"}) == true
	holds("Bool", "aws:SecureTransport", true, {"aws:SecureTransport": "true"}) == true
	holds("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "yes"}) == false
}

# Same page, section "Boolean condition operators" (the condition operators page lists
# policy variables as usable with Bool; see the errors tests for the Access Analyzer view).
test_bool_with_a_policy_variable if {
	ctx := {"aws:SecureTransport": true, "aws:PrincipalTag/secure": "true"}
	holds("Bool", "aws:SecureTransport", "${aws:PrincipalTag/secure}", ctx) == true
	holds("Bool", "aws:SecureTransport", "${aws:PrincipalTag/none}", ctx) == false
}

# Same page, section "Binary condition operators": BinaryEquals compares the key's value
# byte for byte against the base-64 encoded value in the policy.

test_binary_equals if {
	holds("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {"key": base64.encode("BinaryValueInBase64")}) == true
	holds("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {"key": base64.encode("OtherValue")}) == false
	holds("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {"key": "not base-64 !"}) == false
}

# Same page, section "IP address condition operators": IPv4 or IPv6 addresses or ranges in
# CIDR format (203.0.113.0/24, 2001:DB8:1234:5678::/64); without a prefix IAM uses /32;
# NotIpAddress matches all addresses except the range.

test_ip_address if {
	holds("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.7"}) == true
	holds("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.114.7"}) == false
	holds("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.114.7"}) == true
	holds("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.7"}) == false
}

test_ip_address_mixed_ipv4_and_ipv6 if {
	ranges := ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]
	holds("IpAddress", "aws:SourceIp", ranges, {"aws:SourceIp": "2001:db8:1234:5678::1"}) == true
	holds("IpAddress", "aws:SourceIp", ranges, {"aws:SourceIp": "2001:db8:1234:5679::1"}) == false
	holds("IpAddress", "aws:SourceIp", ranges, {"aws:SourceIp": "203.0.113.200"}) == true
}

test_ip_address_without_prefix_is_one_address if {
	holds("IpAddress", "aws:SourceIp", "203.0.113.7", {"aws:SourceIp": "203.0.113.7"}) == true
	holds("IpAddress", "aws:SourceIp", "203.0.113.7", {"aws:SourceIp": "203.0.113.8"}) == false
	holds("IpAddress", "aws:SourceIp", "2001:db8::1", {"aws:SourceIp": "2001:db8::1"}) == true
	holds("IpAddress", "aws:SourceIp", "2001:db8::1", {"aws:SourceIp": "2001:db8::2"}) == false
}

test_ip_request_values_that_are_not_addresses_do_not_match if {
	holds("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "example.com"}) == false
	holds("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "example.com"}) == true
}

# Same page, section "Amazon Resource Name (ARN) condition operators": ArnEquals and
# ArnLike behave identically (case-sensitive, six parts checked separately, * and ? in
# each); ArnNotEquals and ArnNotLike likewise; the finance/* example matches with StringLike
# but not with ArnLike.

sns_topic := "arn:aws:sns:REGION:123456789012:TOPIC-ID"

test_arn_operators if {
	every name in ["ArnEquals", "ArnLike"] {
		holds(name, "aws:SourceArn", sns_topic, {"aws:SourceArn": sns_topic}) == true
		holds(name, "aws:SourceArn", "arn:aws:sns:*:123456789012:*", {"aws:SourceArn": sns_topic}) == true
		holds(
			name,
			"aws:SourceArn",
			"arn:aws:sns:*:123456789012:*",
			{"aws:SourceArn": "arn:aws:sns:r:999999999999:t"},
		) == false
		holds(name, "aws:SourceArn", "arn:aws:sns:*:123456789012:topic-id", {"aws:SourceArn": sns_topic}) == false
	}
	every name in ["ArnNotEquals", "ArnNotLike"] {
		holds(name, "aws:SourceArn", sns_topic, {"aws:SourceArn": sns_topic}) == false
		holds(
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
	holds("StringLike", "aws:SourceArn", pattern, {"aws:SourceArn": value}) == true
	holds("ArnLike", "aws:SourceArn", pattern, {"aws:SourceArn": value}) == false
}
