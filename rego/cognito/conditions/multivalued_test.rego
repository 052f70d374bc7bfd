# Tests for several keys, values and set operators, policy variables and explanations in
# cognito.conditions (package cognito.conditions_test, described in conditions_test.rego),
# each group naming the AWS document it comes from.
package cognito.conditions_test

import data.cognito.conditions

# IAM User Guide, "Creating a condition with multiple keys or values", section "Evaluation
# logic for conditions with multiple keys or values": several operators or keys are ANDed,
# several values for one key are ORed; for negated operators such as StringNotEquals the
# request value must match none of the listed values. The example block with
# StringEqualsIgnoreCase on two principal tags and StringEquals on aws:PrincipalAccount.

_example_block := {
	"StringEqualsIgnoreCase": {
		"aws:PrincipalTag/department": ["finance", "hr", "legal"],
		"aws:PrincipalTag/role": ["audit", "security"],
	},
	"StringEquals": {"aws:PrincipalAccount": "123456789012"},
}

test_multiple_keys_and_operators_are_anded if {
	conditions.satisfied(_example_block, {
		"aws:PrincipalTag/department": "HR",
		"aws:PrincipalTag/role": "audit",
		"aws:PrincipalAccount": "123456789012",
	})
	not conditions.satisfied(_example_block, {
		"aws:PrincipalTag/department": "hr",
		"aws:PrincipalTag/role": "audit",
		"aws:PrincipalAccount": "210987654321",
	})
	not conditions.satisfied(_example_block, {
		"aws:PrincipalTag/department": "hr",
		"aws:PrincipalAccount": "123456789012",
	})
	not conditions.satisfied(_example_block, {
		"aws:PrincipalTag/department": "marketing",
		"aws:PrincipalTag/role": "security",
		"aws:PrincipalAccount": "123456789012",
	})
}

test_values_for_one_key_are_ored if {
	_holds(
		"StringEquals",
		"aws:PrincipalAccount",
		["111111111111", "123456789012"],
		{"aws:PrincipalAccount": "123456789012"},
	) == true
	_holds(
		"StringEquals",
		"aws:PrincipalAccount",
		["111111111111", "222222222222"],
		{"aws:PrincipalAccount": "123456789012"},
	) == false
}

test_negated_operator_with_several_values_must_match_none if {
	accounts := ["111111111111", "222222222222"]
	_holds("StringNotEquals", "aws:PrincipalAccount", accounts, {"aws:PrincipalAccount": "111111111111"}) == false
	_holds("StringNotEquals", "aws:PrincipalAccount", accounts, {"aws:PrincipalAccount": "333333333333"}) == true
	_holds("DateNotEquals", "k", ["2020-01-01", "2021-01-01"], {"k": "2021-01-01"}) == false
}

test_empty_block_is_satisfied if {
	conditions.satisfied({}, {})
}

test_not_an_object_is_not_satisfied if {
	not conditions.satisfied([], {})
	not conditions.satisfied({"StringEquals": ["aws:username", "x"]}, {"aws:username": "x"})
	not conditions.satisfied({"StringEqualz": {"aws:username": "x"}}, {"aws:username": "x"})
}

# Same document, section "Using multiple keys and values": ForAllValues is true when every
# request value matches at least one policy value, and also when the key is absent or its
# values resolve to a null data set such as an empty string; ForAnyValue is true when at
# least one request value matches one policy value, false for no key or a null data set.
# The dynamodb:Attributes examples.

test_for_all_values_dynamodb_example if {
	allowed := ["ID", "Message", "Tags"]
	_holds(
		"ForAllValues:StringEquals",
		"dynamodb:Attributes",
		allowed,
		{"dynamodb:Attributes": ["Message", "Tags"]},
	) == true
	_holds(
		"ForAllValues:StringEquals",
		"dynamodb:Attributes",
		allowed,
		{"dynamodb:Attributes": ["ID", "Message", "Tags"]},
	) == true
	_holds(
		"ForAllValues:StringEquals",
		"dynamodb:Attributes",
		allowed,
		{"dynamodb:Attributes": ["Message", "UserName"]},
	) == false
	_holds(
		"ForAllValues:StringEquals",
		"dynamodb:Attributes",
		["PostDateTime", "Message", "Tags"],
		{"dynamodb:Attributes": ["PostDateTime", "UserName"]},
	) == false
}

test_for_any_value_dynamodb_example if {
	forbidden := ["ID", "PostDateTime"]
	_holds(
		"ForAnyValue:StringEquals",
		"dynamodb:Attributes",
		forbidden,
		{"dynamodb:Attributes": ["PostDateTime", "Message"]},
	) == true
	_holds(
		"ForAnyValue:StringEquals",
		"dynamodb:Attributes",
		forbidden,
		{"dynamodb:Attributes": ["UserName", "Message", "PostDateTime"]},
	) == true
	_holds("ForAnyValue:StringEquals", "dynamodb:Attributes", forbidden, {"dynamodb:Attributes": ["UserName"]}) == false
}

test_set_operators_on_missing_or_empty_keys if {
	every ctx in [{}, {"aws:TagKeys": []}, {"aws:TagKeys": null}, {"aws:TagKeys": ""}, {"aws:TagKeys": [""]}] {
		_holds("ForAllValues:StringEquals", "aws:TagKeys", ["a"], ctx) == true
		_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["a"], ctx) == false
	}
}

test_set_operators_on_single_values if {
	_holds("ForAnyValue:StringEquals", "k", ["a", "b"], {"k": "a"}) == true
	_holds("ForAllValues:StringEquals", "k", ["a", "b"], {"k": "c"}) == false
}

# A missing key under ForAnyValue stays false with IfExists: the set operator's "for no
# matching key ... the condition returns false" (same section; AWS re:Post "ForAnyValue:
# StringEqualsIfExists behaving unexpectedly" reports the same). ForAllValues is true anyway.
test_set_operators_with_if_exists_on_missing_keys if {
	_holds("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", ["team"], {}) == false
	_holds("ForAllValues:StringEqualsIfExists", "aws:TagKeys", ["team"], {}) == true
	_holds("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", ["team"], {"aws:TagKeys": ["team"]}) == true
}

# IAM User Guide, "Multivalued context key examples", "Example: Deny policy with condition
# set operator ForAllValues": {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}} does
# not match [key1:legal] nor [key1:hr, key1:personnel], matches [key2:audit], and matches
# when aws:TagKeys is not in the request.

test_for_all_values_string_not_like_example if {
	condition := {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}
	not conditions.satisfied(condition, {"aws:TagKeys": ["key1:legal"]})
	not conditions.satisfied(condition, {"aws:TagKeys": ["key1:hr", "key1:personnel"]})
	conditions.satisfied(condition, {"aws:TagKeys": ["key2:audit"]})
	conditions.satisfied(condition, {})
}

# Negated operators under set operators test each request value against all policy values:
# ForAllValues:StringNotEquals holds when no request value is listed; ForAnyValue:
# StringNotEquals when some request value is not listed (same pages' definitions).
test_negated_operators_under_set_operators if {
	listed := ["DataClass", "Owner"]
	_holds("ForAllValues:StringNotEquals", "aws:TagKeys", listed, {"aws:TagKeys": ["Dept", "SIC"]}) == true
	_holds("ForAllValues:StringNotEquals", "aws:TagKeys", listed, {"aws:TagKeys": ["Dept", "Owner"]}) == false
	_holds("ForAnyValue:StringNotEquals", "aws:TagKeys", listed, {"aws:TagKeys": ["Dept", "Owner"]}) == true
	_holds("ForAnyValue:StringNotEquals", "aws:TagKeys", listed, {"aws:TagKeys": ["DataClass", "Owner"]}) == false
	_holds("ForAnyValue:StringNotEquals", "aws:TagKeys", listed, {}) == false
}

test_multivalued_key_without_set_operator if {
	# Each request value is tested; a positive operator holds when any value matches, a
	# negated one when none does.
	_holds("StringEquals", "aws:TagKeys", "a", {"aws:TagKeys": ["b", "a"]}) == true
	_holds("StringEquals", "aws:TagKeys", "a", {"aws:TagKeys": ["b", "c"]}) == false
	_holds("StringNotEquals", "aws:TagKeys", "a", {"aws:TagKeys": ["b", "a"]}) == false
	_holds("StringNotEquals", "aws:TagKeys", "a", {"aws:TagKeys": ["b", "c"]}) == true
	_holds("StringEquals", "aws:TagKeys", "a", {"aws:TagKeys": {"a", "b"}}) == true
}

# Cognito Developer Guide, "Role trust and permissions": the identity pool role trust
# policies test cognito-identity.amazonaws.com:aud with StringEquals and the multivalued
# cognito-identity.amazonaws.com:amr with ForAnyValue:StringLike ("authenticated" or
# "unauthenticated").

_trust_condition(amr) := {
	"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-corner-cafe-123456790ab"},
	"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
}

test_identity_pool_trust_conditions if {
	authenticated := {
		"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-corner-cafe-123456790ab",
		"cognito-identity.amazonaws.com:amr": ["authenticated", "graph.facebook.com", "graph.facebook.com:123"],
	}
	conditions.satisfied(_trust_condition("authenticated"), authenticated)
	not conditions.satisfied(_trust_condition("unauthenticated"), authenticated)
	guest := {
		"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-corner-cafe-123456790ab",
		"cognito-identity.amazonaws.com:amr": ["unauthenticated"],
	}
	conditions.satisfied(_trust_condition("unauthenticated"), guest)
	not conditions.satisfied(_trust_condition("authenticated"), guest)
	not conditions.satisfied(
		_trust_condition("authenticated"),
		object.union(authenticated, {"cognito-identity.amazonaws.com:aud": "us-east-1:other"}),
	)
	not conditions.satisfied(
		_trust_condition("authenticated"),
		{"cognito-identity.amazonaws.com:amr": ["authenticated"]},
	)
}

# IAM User Guide, "Variables and tags", sections "Condition element" and "Policy variables
# with no value": variables in String and ARN condition values; with no value, StringEquals
# and StringLike do not match while StringNotEquals and StringNotLike do. The SNS example
# {"StringLike": {"sns:endpoint": "https://example.com/${aws:username}/"}}.

test_variables_in_string_conditions if {
	ctx := {"aws:username": "David", "sns:endpoint": "https://example.com/David/"}
	_holds("StringLike", "sns:endpoint", "https://example.com/${aws:username}/", ctx) == true
	_holds(
		"StringLike",
		"sns:endpoint",
		"https://example.com/${aws:username}/",
		object.union(ctx, {"aws:username": "Adele"}),
	) == false
	_holds("StringEquals", "sns:endpoint", "https://example.com/${aws:username}/", ctx) == true
	_holds("StringEqualsIgnoreCase", "sns:endpoint", "https://EXAMPLE.com/${aws:username}/", ctx) == true
}

test_variable_without_value_in_conditions if {
	ctx := {"s3:ExistingObjectTag/Team": "red"}
	_holds("StringEquals", "s3:ExistingObjectTag/Team", "${aws:PrincipalTag/Team}", ctx) == false
	_holds("StringLike", "s3:ExistingObjectTag/Team", "${aws:PrincipalTag/Team}", ctx) == false
	_holds("StringNotEquals", "s3:ExistingObjectTag/Team", "${aws:PrincipalTag/Team}", ctx) == true
	_holds("StringNotLike", "s3:ExistingObjectTag/Team", "${aws:PrincipalTag/Team}", ctx) == true
	_holds(
		"StringNotEquals",
		"s3:ExistingObjectTag/Team",
		"${aws:PrincipalTag/Team}",
		object.union(ctx, {"aws:PrincipalTag/Team": "red"}),
	) == false
	_holds("StringNotEquals", "s3:ExistingObjectTag/Team", ["${aws:PrincipalTag/Team}", "red"], ctx) == false
}

test_variables_in_arn_conditions if {
	ctx := {"aws:PrincipalAccount": "123456789012", "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"}
	_holds("ArnLike", "aws:SourceArn", "arn:aws:sns:*:${aws:PrincipalAccount}:*", ctx) == true
	_holds(
		"ArnLike",
		"aws:SourceArn",
		"arn:aws:sns:*:${aws:PrincipalAccount}:*",
		object.union(ctx, {"aws:PrincipalAccount": "1"}),
	) == false
	_holds("ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:${aws:PrincipalOrgID}:*", ctx) == true
}

# Same page, section "Special characters": ${*} is a literal asterisk; a substituted value
# is literal text, never a wildcard.
test_substituted_values_are_literal_in_conditions if {
	ctx := {"aws:PrincipalTag/prefix": "*", "s3:prefix": "anything"}
	_holds("StringLike", "s3:prefix", "${aws:PrincipalTag/prefix}", ctx) == false
	_holds(
		"StringLike",
		"s3:prefix",
		"${aws:PrincipalTag/prefix}",
		{"aws:PrincipalTag/prefix": "*", "s3:prefix": "*"},
	) == true
	_holds("StringLike", "s3:prefix", "${*}", ctx) == false
	_holds("StringEquals", "s3:prefix", "a${*}", {"s3:prefix": "a*"}) == true
}

# Cognito Developer Guide, "IAM roles", DynamoDB fine-grained access example:
# {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]}}.
test_leading_keys_example if {
	sub := "us-east-1:5f4e3d2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f"
	condition := {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]}}
	conditions.satisfied(condition, {"cognito-identity.amazonaws.com:sub": sub, "dynamodb:LeadingKeys": [sub]})
	not conditions.satisfied(
		condition,
		{"cognito-identity.amazonaws.com:sub": sub, "dynamodb:LeadingKeys": [sub, "us-east-1:other"]},
	)
}

test_unsatisfied_names_the_failing_conditions if {
	block := {
		"StringEquals": {"aws:username": "David", "aws:PrincipalTag/team": "yellow"},
		"Null": {"aws:TokenIssueTime": "true"},
		"StringEqualz": {"k": "v"},
	}
	conditions.unsatisfied(block, {"aws:username": "David", "aws:PrincipalTag/team": "red"}) == {
		{"operator": "StringEquals", "key": "aws:PrincipalTag/team"},
		{"operator": "StringEqualz", "key": "k"},
	}
	conditions.unsatisfied({}, {}) == set()
}

# The parts of an operator name; names are matched exactly as IAM spells them.
test_operator_parsing if {
	conditions.operator("ForAnyValue:StringLikeIfExists") == {
		"set": "ForAnyValue", "base": "StringLike", "if_exists": true,
		"family": "string", "test": "like", "negated": false,
	}
	conditions.operator("NotIpAddress").negated == true
	conditions.operator("Null").if_exists == false
	not conditions.operator("stringequals")
	not conditions.operator("IfExists")
	not conditions.operator("NullIfExists")
	not conditions.operator("ForAnyValue:Null")
	not conditions.operator("ForSome:StringEquals")
	not conditions.operator("ForAnyValue:ForAllValues:StringEquals")
	not conditions.operator(7)
}

test_normalize_context if {
	conditions.normalize_context({"AWS:SourceIp": "1", "aws:username": "x"}) == {"aws:sourceip": "1", "aws:username": "x"}
	conditions.normalize_context({"A": "1", "a": "2"}) == {"a": "1"}
}
