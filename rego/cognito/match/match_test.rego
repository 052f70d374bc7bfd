# METADATA
# description: Tests for cognito.match, each group naming the AWS document it comes from.
package cognito.match_test

import data.cognito.match

# IAM User Guide, "IAM JSON policy elements: Action": "The prefix and the action name are
# case insensitive. For example, iam:ListAccessKeys is the same as IAM:listaccesskeys."

test_action_exact_and_case_insensitive if {
	match.action("iam:ListAccessKeys", "IAM:listaccesskeys")
	match.action("IAM:listaccesskeys", "iam:ListAccessKeys")
	match.action("cognito-idp:AdminCreateUser", "cognito-idp:AdminCreateUser")
	match.action("Cognito-IDP:admincreateuser", "cognito-idp:AdminCreateUser")
	not match.action("cognito-idp:AdminCreateUser", "cognito-idp:AdminCreateUsers")
	not match.action("cognito-idp:AdminCreateUser", "cognito-identity:AdminCreateUser")
}

# Same page: "s3:*" applies to all actions of the service; "iam:*AccessKey*" applies to
# CreateAccessKey, DeleteAccessKey, ListAccessKeys and UpdateAccessKey. The current page adds
# the single-character wildcard (?) ("You can also use wildcards (* or ?) as part of the
# action name").

test_action_star_matches_every_action_of_the_service if {
	match.action("cognito-identity:*", "cognito-identity:GetId")
	match.action("cognito-sync:*", "cognito-sync:ListRecords")
	match.action("COGNITO-SYNC:*", "cognito-sync:ListRecords")
	not match.action("cognito-identity:*", "cognito-idp:ListUsers")
	not match.action("cognito-sync:*", "cognito-identity:GetId")
}

test_action_star_within_the_name if {
	match.action("iam:*AccessKey*", "iam:CreateAccessKey")
	match.action("iam:*AccessKey*", "iam:DeleteAccessKey")
	match.action("iam:*AccessKey*", "iam:ListAccessKeys")
	match.action("iam:*AccessKey*", "iam:UpdateAccessKey")
	match.action("iam:*accesskey*", "iam:UpdateAccessKey")
	not match.action("iam:*AccessKey*", "iam:ListUsers")
}

# Cognito Developer Guide (seed), "Managed Policies": AmazonCognitoReadOnly names actions
# by prefix ("cognito-identity:Describe*", "cognito-idp:List*" ...).
test_action_prefix_patterns if {
	match.action("cognito-idp:List*", "cognito-idp:ListUsers")
	match.action("cognito-idp:List*", "cognito-idp:List")
	match.action("cognito-identity:Describe*", "cognito-identity:DescribeIdentityPool")
	not match.action("cognito-idp:List*", "cognito-idp:AdminListGroupsForUser")
}

test_action_question_mark_is_one_character if {
	match.action("cognito-identity:Get?d", "cognito-identity:GetId")
	not match.action("cognito-identity:Get?d", "cognito-identity:Getd")
	not match.action("cognito-identity:Get?d", "cognito-identity:GetIdd")
	match.action("cognito-identity:???Id", "cognito-identity:GetId")
}

test_action_star_alone_matches_everything if {
	match.action("*", "cognito-idp:ListUsers")
	match.action("*", "")
}

# Only * and ? are wildcards: every other character is literal (IAM User Guide, "Action"
# and "Resource": the wildcards are * and ?), so glob and regular expression syntax never
# widens a pattern.
test_action_metacharacters_are_literal if {
	not match.action("cognito-idp:[A-Z]*", "cognito-idp:ListUsers")
	match.action("cognito-idp:[A-Z]*", "cognito-idp:[A-Z]Users")
	not match.action("cognito-idp:.*", "cognito-idp:ListUsers")
	match.action("cognito-idp:.*", "cognito-idp:.Users")
	not match.action("cognito-idp:{List,Get}*", "cognito-idp:ListUsers")
	not match.action("cognito-idp:List|Get", "cognito-idp:Get")
	match.action("a\\*", "A\\anything")
	not match.action("a\\*", "a*")
	not match.action("cognito-idp:(List)Users", "cognito-idp:ListUsers")
	not match.action("cognito-idp:ListUser+", "cognito-idp:ListUserrr")
	not match.action("cognito-idp:^List$", "cognito-idp:List")
}

test_action_rejects_non_strings if {
	not match.action(["cognito-idp:*"], "cognito-idp:ListUsers")
	not match.action("cognito-idp:*", 7)
	not match.action(null, "x")
}

# IAM User Guide, "IAM JSON policy elements: Resource", section "Using wildcards in resource
# ARNs": * and ? within the colon-separated segments, several per segment; * expands across
# "/"; the S3 example "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*" matches and does not match
# the listed objects.

_example_pattern := "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*"

test_resource_s3_example_matches if {
	every key in [
		"1/test/object.jpg", "1/2/test/object.jpg", "1/2/test/3/object.jpg",
		"1/2/3/test/4/object.jpg", "1///test///object.jpg", "1/test/.jpg",
		"/test/object.jpg", "1/test/",
	] {
		match.resource(_example_pattern, concat("", ["arn:aws:s3:::DOC-EXAMPLE-BUCKET/", key]))
	}
}

test_resource_s3_example_does_not_match if {
	every key in ["1-test/object.jpg", "test/object.jpg", "1/2/test.jpg"] {
		not match.resource(_example_pattern, concat("", ["arn:aws:s3:::DOC-EXAMPLE-BUCKET/", key]))
	}
}

test_resource_star_matches_everything if {
	match.resource("*", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc")
	match.resource("*", "*")
	match.resource("*", "")
	not match.resource("*", 42)
}

test_resource_exact if {
	match.resource(
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
	)
	not match.resource("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc", "*")
	not match.resource(["*"], "x")
}

# Same page: "In the Resource element, the IAM user name is case sensitive"; resource
# matching is case-sensitive.
test_resource_is_case_sensitive if {
	not match.resource("arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob")
	not match.resource(
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_ABC",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
	)
	not match.resource("arn:aws:cognito-idp:US-EAST-1:*", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/x")
	not match.resource("arn:aws:iam::123456789012:user/B*", "arn:aws:iam::123456789012:user/bob")
}

_idp := "arn:aws:cognito-idp:us-east-1:123456789012:userpool/x"

test_resource_question_mark_within_a_part if {
	match.resource("arn:aws:cognito-idp:us-east-?:123456789012:userpool/x", _idp)
	not match.resource(
		"arn:aws:cognito-idp:us-east-?:123456789012:userpool/x",
		"arn:aws:cognito-idp:us-east-10:123456789012:userpool/x",
	)
	match.resource("arn:aws:iam::123456789012:user/B?b", "arn:aws:iam::123456789012:user/Bob")
	not match.resource("arn:aws:iam::123456789012:user/B?b", "arn:aws:iam::123456789012:user/Bb")
}

# Same page (current version): "If the * wildcard is the last character of a resource ARN
# segment, it can expand to match beyond the colon boundaries." So the five-part pattern
# "arn:aws:cognito-idp:us-east-1:*" matches every user pool of that region, in any account.
test_resource_trailing_star_crosses_colons if {
	match.resource("arn:aws:cognito-idp:us-east-1:*", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a")
	match.resource("arn:aws:cognito-idp:*", "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc")
	not match.resource("arn:aws:cognito-idp:us-east-1:*", "arn:aws:cognito-idp:us-west-2:123456789012:userpool/x")
	not match.resource("arn:aws:cognito-idp:us-east-1:*", "arn:aws:cognito-identity:us-east-1:123456789012:x")
}

test_resource_wildcards_in_each_part if {
	match.resource("arn:aws:cognito-idp:*:*:userpool/*", "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_a")
	match.resource(
		"arn:aws:cognito-sync:us-east-1:*:identitypool/*",
		"arn:aws:cognito-sync:us-east-1:123456789012:identitypool/us-east-1:abc",
	)
	not match.resource("arn:aws:cognito-idp:*:*:userpool/*", "arn:aws:cognito-idp:eu-west-1:123456789012:group/x")
}

test_resource_star_inside_a_part_stays_in_the_part if {
	# A * that does not end its part matches within the part only.
	match.resource("arn:aws:cognito-idp:us-*-1:123456789012:userpool/x", _idp)
	not match.resource(
		"arn:aws:cognito-idp:us-*-1:123456789012:userpool/x",
		"arn:aws:cognito-idp:us-east:2:-1:123456789012:userpool/x",
	)
	not match.resource(
		"arn:aws:cognito-idp:us-east-?:123456789012:userpool/x",
		"arn:aws:cognito-idp:us-east-:123456789012:userpool/x",
	)
}

test_resource_patterns_need_every_part_they_name if {
	not match.resource("arn:aws:cognito-idp:us-east-1:123456789012", _idp)
	not match.resource(
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/*",
		"arn:aws:cognito-idp:us-east-1:123456789012",
	)
}

# Cognito Developer Guide (seed), "Example Policies": identity pool IDs hold a colon inside
# the resource part, which * and ? in the resource part match.

_seed_pool_id := "us-east-1:1a1a1a1a-ffff-1111-9999-12345678"

_seed_pool_arn := concat("", ["arn:aws:cognito-identity:us-east-1:0123456789:identitypool/", _seed_pool_id])

_seed_sync_pool := concat("", ["arn:aws:cognito-sync:us-east-1:0123456789:identitypool/", _seed_pool_id])

test_resource_seed_restricting_console_access_example if {
	match.resource(_seed_pool_arn, _seed_pool_arn)
	not match.resource(_seed_pool_arn, concat("", [_seed_pool_arn, "9"]))
	not match.resource(_seed_pool_arn, _seed_sync_pool)
	match.resource(_seed_sync_pool, _seed_sync_pool)
	match.resource("arn:aws:cognito-identity:*:*:identitypool/us-east-1:*", _seed_pool_arn)
	match.resource("arn:aws:cognito-identity:us-east-1:0123456789:identitypool/us-east-1?1a1a*", _seed_pool_arn)
}

test_resource_seed_dataset_example if {
	dataset := concat("", [_seed_sync_pool, "/identity/*/dataset/UserProfile"])
	match.resource(dataset, concat("", [_seed_sync_pool, "/identity/us-east-1:0000/dataset/UserProfile"]))
	not match.resource(dataset, concat("", [_seed_sync_pool, "/identity/us-east-1:0000/dataset/Other"]))
	not match.resource(dataset, concat("", [_seed_sync_pool, "/identity/us-east-1:0000"]))
	not match.resource(dataset, concat("", [_seed_sync_pool, "/identity/x/dataset/userprofile"]))
	not match.resource(dataset, _seed_sync_pool)
}

test_resource_metacharacters_are_literal if {
	not match.resource("arn:aws:s3:::bucket/[ab]*", "arn:aws:s3:::bucket/a")
	match.resource("arn:aws:s3:::bucket/[ab]*", "arn:aws:s3:::bucket/[ab]c")
	not match.resource("arn:aws:s3:::bucket/{a,b}*", "arn:aws:s3:::bucket/a")
	match.resource("arn:aws:s3:::bucket/{a,b}*", "arn:aws:s3:::bucket/{a,b}")
	not match.resource("arn:aws:s3:::bucket/.*", "arn:aws:s3:::bucket/abc")
	match.resource("arn:aws:s3:::bucket/a\\*", "arn:aws:s3:::bucket/a\\b")
	not match.resource("arn:aws:s3:::bucket/a\\*", "arn:aws:s3:::bucket/a*")
	not match.resource("arn:aws:s3:::bucket/a+*", "arn:aws:s3:::bucket/aa")
	match.resource("arn:aws:s3:::bucket/$x^*", "arn:aws:s3:::bucket/$x^y")
	not match.resource("arn:aws:s3:::bucket/(a|b)*", "arn:aws:s3:::bucket/a")
	not match.resource("arn:[a]ws:s3:::*", "arn:aws:s3:::x")
	match.resource("arn:[a]ws:s3:::*", "arn:[a]ws:s3:::x")
}

test_resource_star_matches_newlines_too if {
	match.resource("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a\nb")
}

# IAM User Guide, "IAM JSON policy elements: Condition operators", section "String condition
# operators": StringLike is case-sensitive; * matches any characters and ? one character,
# anywhere in the string; "You must specify wildcards to achieve partial string matches."

test_string_like if {
	match.string_like("home/*", "home/alice/docs")
	match.string_like("*", "")
	match.string_like("t?.*", "t2.micro")
	not match.string_like("t?.*", "t22.micro")
	not match.string_like("Home/*", "home/alice")
	match.string_like("abc", "abc")
	not match.string_like("abc", "abcd")
	not match.string_like("ab", "abc")
	match.string_like("a*c", "a:/c")
	not match.string_like("[a]*", "a")
	match.string_like("[a]*", "[a]")
	not match.string_like(1, "1")
	not match.string_like("*", 1)
}

# Same page, section "Amazon Resource Name (ARN) condition operators": with StringLike the
# pattern "arn:aws:someservice:*:111122223333:finance/*" matches
# "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
# (the first * matches "us-east-2:999999999999:store/abc:"); with ArnLike, which matches
# each colon-delimited part separately, it does not.

_doc_arn_pattern := "arn:aws:someservice:*:111122223333:finance/*"

_doc_arn_value := "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"

test_string_like_crosses_colons_where_arn_like_does_not if {
	match.string_like(_doc_arn_pattern, _doc_arn_value)
	not match.arn_like(_doc_arn_pattern, _doc_arn_value)
}

# Same section: ArnEquals/ArnLike are case-sensitive, each of the six parts checked
# separately, each may use * and ?.
test_arn_like_per_part if {
	match.arn_like(_doc_arn_pattern, "arn:aws:someservice:us-east-2:111122223333:finance/document.txt")
	match.arn_like("arn:aws:sns:*:123456789012:*", "arn:aws:sns:us-east-1:123456789012:topic")
	match.arn_like("arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/path/name")
	match.arn_like("arn:aws:iam::12345678901?:role/x", "arn:aws:iam::123456789012:role/x")
	not match.arn_like("arn:aws:iam::12345678901?:role/x", "arn:aws:iam::1234567890123:role/x")
	not match.arn_like("arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:user/x")
	not match.arn_like("arn:aws:iam::*:role/X", "arn:aws:iam::123456789012:role/x")
	match.arn_like(
		"arn:aws:cognito-identity:us-east-1:*:identitypool/us-east-1:*",
		"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/us-east-1:abc",
	)
	match.arn_like("arn:aws:sns:us-east-1:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:topic")
	not match.arn_like("arn:aws:sns:us-east-1:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:Topic")
}

test_arn_like_parts_do_not_stretch if {
	not match.arn_like("arn:aws:sns:*", "arn:aws:sns:us-east-1:123456789012:topic")
	not match.arn_like("arn:aws:sns:us-east-1:*", "arn:aws:sns:us-east-1:123456789012:topic")
	not match.arn_like("arn:aws:sns:us-east-1:123456789012:topic", "arn:aws:sns:us-east-1:123456789012")
}

test_arn_like_metacharacters_are_literal if {
	not match.arn_like("arn:aws:iam::*:role/[a-z]*", "arn:aws:iam::123456789012:role/x")
	match.arn_like("arn:aws:iam::*:role/[a-z]*", "arn:aws:iam::123456789012:role/[a-z]x")
	not match.arn_like("arn:aws:iam::*:role/x", 1)
}

test_has_wildcard if {
	match.has_wildcard("a*")
	match.has_wildcard("a?")
	not match.has_wildcard("a[b]{c}\\")
}
