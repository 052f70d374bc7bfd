# METADATA
# description: Tests for cognito.variables, each group naming the AWS document it comes from.
package cognito.variables_test

import data.cognito.variables

_sub_key := "cognito-identity.amazonaws.com:sub"

_identity_id := "us-east-1:5f4e3d2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f"

_pool_id := "us-east-1:0e8f2bb4-8a42-4b7c-9d4b-1f6a2c3d4e5f"

_ctx := {
	"aws:username": "David",
	"aws:PrincipalTag/team": "yellow",
	_sub_key: _identity_id,
	"cognito-identity.amazonaws.com:aud": _pool_id,
	"cognito-identity.amazonaws.com:amr": ["authenticated", "graph.facebook.com"],
	"aws:MultiFactorAuthAge": 3600,
	"aws:SecureTransport": true,
	"aws:ViaAWSService": false,
	"aws:SourceVpce": ["vpce-1a2b3c4d"],
	"aws:PrincipalTag/empty": null,
}

# IAM User Guide, "IAM policy elements: Variables and tags", section "Using variables in
# policies": IAM replaces ${aws:username} with the friendly name of the current user; "Key
# names are case-insensitive. For example, aws:CurrentTime is equivalent to AWS:currenttime."
# "You can use any single-valued condition key as a variable. You can't use a multivalued
# condition key as a variable."

test_substitute_username if {
	variables.substitute("arn:aws:iam::account-id:user/${aws:username}", _ctx) == "arn:aws:iam::account-id:user/David"
	variables.substitute("home/${aws:username}/", _ctx) == "home/David/"
}

test_key_names_are_case_insensitive if {
	variables.substitute("${AWS:USERNAME}", _ctx) == "David"
	variables.substitute("${aws:principaltag/TEAM}", _ctx) == "yellow"
	variables.substitute("${aws:username}", {"AWS:UserName": "Adele"}) == "Adele"
	variables.lookup({"AWS:SourceIp": "203.0.113.1"}, "aws:sourceip") == "203.0.113.1"
	variables.lookup({"aws:sourceip": "203.0.113.1"}, "AWS:SourceIp") == "203.0.113.1"
}

test_values_are_case_sensitive if {
	variables.substitute("${aws:username}", _ctx) != "david"
}

test_single_valued_keys_only if {
	not variables.substitute("${cognito-identity.amazonaws.com:amr}", _ctx)
	variables.substitute("${aws:SourceVpce}", _ctx) == "vpce-1a2b3c4d"
	not variables.value(_ctx, "cognito-identity.amazonaws.com:amr")
}

test_numbers_and_booleans_are_written_as_text if {
	variables.substitute("${aws:MultiFactorAuthAge}", _ctx) == "3600"
	variables.substitute("${aws:SecureTransport}/${aws:ViaAWSService}", _ctx) == "true/false"
}

test_text_without_variables_is_unchanged if {
	variables.substitute("arn:aws:s3:::bucket/*", _ctx) == "arn:aws:s3:::bucket/*"
	variables.substitute("price$5", _ctx) == "price$5"
	variables.substitute("", _ctx) == ""
	not variables.has_variables("price$5")
	variables.has_variables("${aws:username}")
	not variables.has_variables(5)
}

# Same page, section "Policy variables with no value": a key that is not present is
# effectively null; "If a variable that has no value in the authorization context is used
# as part of the Resource or NotResource element of a policy, the resource that includes a
# policy variable with no value will not match any resource."

test_missing_variable_has_no_substitution if {
	not variables.substitute("home/${aws:PrincipalTag/project}/", _ctx)
	not variables.substitute("${aws:PrincipalTag/empty}", _ctx)
	not variables.substitute("${aws:username}", {})
}

test_resource_with_missing_variable_matches_nothing if {
	not variables.resource_matches("arn:aws:s3:::bucket/${aws:PrincipalTag/project}", "arn:aws:s3:::bucket/", _ctx)
	not variables.resource_matches("arn:aws:s3:::bucket/${aws:PrincipalTag/project}*", "arn:aws:s3:::bucket/x", _ctx)
	not variables.resource_matches(
		"arn:aws:s3:::bucket/${aws:PrincipalTag/project}",
		"arn:aws:s3:::bucket/${aws:PrincipalTag/project}",
		_ctx,
	)
}

# Same page, section "Where you can use policy variables", "Resource element": variables
# only in the resource part of the ARN (after the fifth colon); the examples
# "arn:aws:s3:::mybucket/${aws:username}/*" and "arn:aws:sqs:us-east-2:*:${aws:username}-queue".

test_resource_variable_examples if {
	variables.resource_matches("arn:aws:s3:::mybucket/${aws:username}/*", "arn:aws:s3:::mybucket/David/notes.txt", _ctx)
	not variables.resource_matches(
		"arn:aws:s3:::mybucket/${aws:username}/*",
		"arn:aws:s3:::mybucket/Adele/notes.txt",
		_ctx,
	)
	variables.resource_matches(
		"arn:aws:sqs:us-east-2:*:${aws:username}-queue",
		"arn:aws:sqs:us-east-2:123456789012:David-queue",
		_ctx,
	)
	not variables.resource_matches(
		"arn:aws:sqs:us-east-2:*:${aws:username}-queue",
		"arn:aws:sqs:us-east-2:123456789012:Adele-queue",
		_ctx,
	)
	variables.resource_matches("arn:aws:s3:::bucket/${aws:PrincipalTag/team}", "arn:aws:s3:::bucket/yellow", _ctx)
}

test_resource_variable_is_case_sensitive_in_value if {
	not variables.resource_matches("arn:aws:s3:::mybucket/${aws:username}", "arn:aws:s3:::mybucket/david", _ctx)
}

test_resource_variables_before_the_fifth_colon_do_not_match if {
	not variables.resource_matches("arn:aws:iam::${aws:username}:user/x", "arn:aws:iam::David:user/x", _ctx)
	not variables.resource_matches("arn:aws:${aws:username}:us-east-1:1:x", "arn:aws:David:us-east-1:1:x", _ctx)
}

# Cognito Developer Guide, "IAM roles" (identity pools), access policy examples: a user's
# own Cognito Sync data and S3 prefix by ${cognito-identity.amazonaws.com:aud} and
# ${cognito-identity.amazonaws.com:sub}; the identity pool ID and identity ID hold a colon.

_sync_pools := "arn:aws:cognito-sync:us-east-1:123456789012:identitypool/"

_own_sync_data := concat("", [
	_sync_pools, "${cognito-identity.amazonaws.com:aud}",
	"/identity/${cognito-identity.amazonaws.com:sub}/*",
])

test_cognito_sync_own_data_example if {
	own := concat("", [_sync_pools, _pool_id, "/identity/", _identity_id, "/dataset/UserProfile"])
	variables.resource_matches(_own_sync_data, own, _ctx)
	other_id := "us-east-1:00000000-0000-0000-0000-000000000000"
	other := concat("", [_sync_pools, _pool_id, "/identity/", other_id, "/dataset/UserProfile"])
	not variables.resource_matches(_own_sync_data, other, _ctx)
	not variables.resource_matches(_own_sync_data, own, {_sub_key: _identity_id})
}

test_s3_per_identity_prefix_example if {
	variables.resource_matches(
		"arn:aws:s3:::mybucket/${cognito-identity.amazonaws.com:sub}/*",
		concat("", ["arn:aws:s3:::mybucket/", _identity_id, "/photo.jpg"]),
		_ctx,
	)
	regex.match(variables.like_regex("${cognito-identity.amazonaws.com:sub}/*", _ctx), concat("", [_identity_id, "/a/b"]))
	not regex.match(variables.like_regex("${cognito-identity.amazonaws.com:sub}/*", _ctx), "us-east-1:other/a")
}

# Same page, section "Special characters": ${*} for an asterisk, ${?} for a question mark,
# ${$} for a dollar sign, where inserting the character literally would be misread (a *
# would be a wildcard). A variable therefore never contributes a wildcard: substituted
# values are literal text, like ${*}.

test_special_characters_substitute_literally if {
	variables.substitute("a${*}b${?}c${$}d", {}) == "a*b?c$d"
}

test_special_characters_are_literal_in_like_matching if {
	variables.string_like("a${*}b", "a*b", {})
	not variables.string_like("a${*}b", "axxb", {})
	variables.string_like("what${?}", "what?", {})
	not variables.string_like("what${?}", "whatX", {})
	variables.string_like("cost${$}*", "cost$5", {})
	variables.string_like("cost${$}{x}", "cost${x}", {})
}

test_special_characters_are_literal_in_resources if {
	variables.resource_matches("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*", {})
	not variables.resource_matches("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/anything", {})
	variables.resource_matches("arn:aws:s3:::bucket/a${?}*", "arn:aws:s3:::bucket/a?b", {})
	not variables.resource_matches("arn:aws:s3:::bucket/a${?}*", "arn:aws:s3:::bucket/ab", {})
}

test_substituted_wildcards_stay_literal if {
	tricky := {"aws:username": "*", "aws:PrincipalTag/team": "a?c", "aws:PrincipalTag/re": ".+[x]"}
	variables.resource_matches(
		"arn:aws:iam::123456789012:user/${aws:username}",
		"arn:aws:iam::123456789012:user/*",
		tricky,
	)
	not variables.resource_matches(
		"arn:aws:iam::123456789012:user/${aws:username}",
		"arn:aws:iam::123456789012:user/Bob",
		tricky,
	)
	not variables.resource_matches(
		"arn:aws:iam::123456789012:user/${aws:username}",
		"arn:aws:iam::123456789012:user/",
		tricky,
	)
	variables.string_like("team/${aws:PrincipalTag/team}/*", "team/a?c/x", tricky)
	not variables.string_like("team/${aws:PrincipalTag/team}/*", "team/abc/x", tricky)
	variables.string_like("${aws:PrincipalTag/re}", ".+[x]", tricky)
	not variables.string_like("${aws:PrincipalTag/re}", "aa", tricky)
	variables.arn_like("arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::123456789012:user/*", tricky)
	not variables.arn_like("arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::123456789012:user/Bob", tricky)
}

test_substitution_happens_once if {
	# A value that looks like a variable is text, never substituted again.
	variables.substitute(
		"${aws:username}",
		{"aws:username": "${aws:PrincipalTag/team}", "aws:PrincipalTag/team": "x"},
	) == "${aws:PrincipalTag/team}"
	variables.substitute("${aws:PrincipalTag/none, '${aws:username}'}", _ctx) == "${aws:username}"
}

# Same page, section "Specifying default values": "${aws:PrincipalTag/team, 'company-wide'}"
# gives the team tag's value, or "company-wide" for principals without the tag.

_default_resource := "arn:aws:s3:::DOC-EXAMPLE-BUCKET-${aws:PrincipalTag/team, 'company-wide'}"

test_default_value_example if {
	variables.resource_matches(_default_resource, "arn:aws:s3:::DOC-EXAMPLE-BUCKET-yellow", _ctx)
	not variables.resource_matches(_default_resource, "arn:aws:s3:::DOC-EXAMPLE-BUCKET-company-wide", _ctx)
	variables.resource_matches(
		_default_resource,
		"arn:aws:s3:::DOC-EXAMPLE-BUCKET-company-wide",
		{"aws:username": "David"},
	)
	not variables.resource_matches(_default_resource, "arn:aws:s3:::DOC-EXAMPLE-BUCKET-yellow", {})
	variables.substitute("${aws:PrincipalTag/project, 'none'}", _ctx) == "none"
	variables.substitute("${aws:username, 'guest'}", _ctx) == "David"
}

test_default_value_is_literal_and_may_hold_quotes_and_braces if {
	variables.substitute("${aws:PrincipalTag/x, 'it''s'}", {}) == "it's"
	variables.substitute("${aws:PrincipalTag/x, 'a}b'}", {}) == "a}b"
	variables.substitute("${aws:PrincipalTag/x, ''}", {}) == ""
	variables.substitute("${aws:PrincipalTag/x,'tight'}", {}) == "tight"
	variables.string_like("${aws:PrincipalTag/x, '*'}", "*", {})
	not variables.string_like("${aws:PrincipalTag/x, '*'}", "anything", {})
}

test_default_applies_to_multivalued_keys if {
	variables.substitute("${cognito-identity.amazonaws.com:amr, 'none'}", _ctx) == "none"
}

# IAM Access Analyzer policy check reference: "Error – Missing brace in variable", "Error –
# Missing quote in variable", "Error – Unsupported space in variable", "Error – Empty
# variable". Errors are policy lines that prevent the policy from functioning ("Validating
# IAM policies": Errors), so such a variable is reported and never matches.

_codes(s) := {e.code | some e in variables.errors(s)}

test_errors_of_well_formed_text if {
	_codes("arn:aws:s3:::b/${aws:username}/${*}${?}${$}") == set()
	_codes("${aws:PrincipalTag/team, 'company-wide'}") == set()
	_codes("no variables, $ alone") == set()
	_codes(42) == set()
}

test_missing_brace if {
	_codes("home/${aws:username") == {"missing_brace"}
	not variables.substitute("home/${aws:username", _ctx)
	not variables.resource_matches("arn:aws:s3:::b/${aws:username", "arn:aws:s3:::b/${aws:username", _ctx)
	not variables.string_like("${aws:username", "${aws:username", _ctx)
}

test_missing_quote if {
	_codes("${aws:PrincipalTag/team, company-wide}") == {"missing_quote"}
	_codes("${aws:PrincipalTag/team, 'company-wide}") == {"missing_quote"}
	not variables.substitute("${aws:PrincipalTag/nope, company-wide}", _ctx)
	not variables.substitute("${aws:PrincipalTag/nope, 'company-wide}", _ctx)
}

test_unsupported_space if {
	_codes("${ aws:username}") == {"unsupported_space"}
	_codes("${aws:username }") == {"unsupported_space"}
	_codes("${aws:username , 'x'}") == {"unsupported_space"}
	not variables.substitute("${ aws:username}", _ctx)
}

test_empty_variable if {
	_codes("${}") == {"empty_variable"}
	_codes("${ }") == {"empty_variable"}
	not variables.substitute("${}", _ctx)
}

test_error_messages_name_the_variable if {
	some e in variables.errors("${ aws:username}")
	contains(e.message, "aws:username")
}

# IAM User Guide, "Condition operators", section "Amazon Resource Name (ARN) condition
# operators": ArnLike matches each part separately; policy variables may be used.
test_arn_like_with_variables_anywhere if {
	variables.arn_like("arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::123456789012:user/David", _ctx)
	not variables.arn_like("arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::123456789012:user/Adele", _ctx)
	variables.arn_like(
		"arn:aws:iam::${aws:PrincipalAccount}:role/*",
		"arn:aws:iam::123456789012:role/r",
		{"aws:PrincipalAccount": "123456789012"},
	)
	not variables.arn_like(
		"arn:aws:iam::${aws:PrincipalAccount}:role/*",
		"arn:aws:iam::210987654321:role/r",
		{"aws:PrincipalAccount": "123456789012"},
	)
	not variables.arn_like("arn:aws:iam::${aws:PrincipalAccount}:role/*", "arn:aws:iam::123456789012:role/r", {})
	variables.arn_like("arn:aws:iam::*:role/x", "arn:aws:iam::1:role/x", {})
	not variables.arn_like("arn:aws:iam::*:user/${aws:username}", 7, _ctx)
	not variables.arn_like(
		"arn:aws:someservice:*:${aws:username}:finance/*",
		"arn:aws:someservice:us-east-2:9:store/abc:David:finance/d",
		_ctx,
	)
}

test_string_like_rejects_non_strings if {
	not variables.string_like("${aws:username}", 7, _ctx)
	not variables.string_like(7, "7", _ctx)
}

# Paths through the fragment reader: wildcards, "?" and colons beside variables, and a
# lone "$" (literal text) in a pattern.
test_wildcards_and_colons_beside_variables if {
	variables.substitute("${aws:username}:*?", _ctx) == "David:*?"
	variables.string_like("${aws:username}:?x*", "David:1xyz", _ctx)
	not variables.string_like("${aws:username}:?x*", "David:xyz", _ctx)
	variables.resource_matches("arn:aws:svc$:us-east-1:*", "arn:aws:svc$:us-east-1:123456789012:thing/x", _ctx)
	not variables.resource_matches("arn:aws:svc$:us-east-1:*", "arn:aws:svc:us-east-1:123456789012:thing/x", _ctx)
	variables.resource_matches("arn:aws:svc$:us-east-1:1:a/*", "arn:aws:svc$:us-east-1:1:a/b:c", _ctx)
}

test_resource_matches_without_variables_uses_plain_matching if {
	variables.resource_matches("*", "arn:aws:s3:::b", {})
	variables.resource_matches(
		"arn:aws:cognito-idp:us-east-1:*",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/p",
		{},
	)
	not variables.resource_matches(["*"], "arn:aws:s3:::b", {})
	not variables.resource_matches("arn:aws:s3:::b/${aws:username}", 5, _ctx)
}

test_trailing_star_crosses_colons_with_variables if {
	variables.resource_matches(
		"arn:aws:cognito-idp:*:*:userpool/${aws:PrincipalTag/team}",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/yellow",
		_ctx,
	)
	variables.resource_matches(
		"arn:aws:cognito-idp:us-east-?:*:userpool/${aws:PrincipalTag/team}",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/yellow",
		_ctx,
	)
	not variables.resource_matches(
		"arn:aws:cognito-idp:us-*-1:123456789012:userpool/${aws:PrincipalTag/team}",
		"arn:aws:cognito-idp:us-east:1-1:123456789012:userpool/yellow",
		_ctx,
	)
	variables.resource_matches("arn:aws:cognito-idp:us-east-1:${*}", "arn:aws:cognito-idp:us-east-1:*", _ctx) == false
}
