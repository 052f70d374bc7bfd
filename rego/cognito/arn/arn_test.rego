# METADATA
# description: Tests for cognito.arn, each group naming the AWS document it comes from.
package cognito.arn_test

import data.cognito.arn

# The seed's identity pool ID (10-digit account, 8-hex last group: both non-canonical).
_seed_pool := "us-east-1:1a1a1a1a-ffff-1111-9999-12345678"

# A canonical identity pool ID and identity ID (REGION:GUID) and user pool ID (REGION_ID).
_pool := "us-east-1:0e8f2bb4-8a42-4b7c-9d4b-1f6a2c3d4e5f"

_identity := "us-east-1:5f4e3d2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f"

_user_pool := "us-east-1_AbCdEf123"

# Resource type templates as the Service Authorization Reference lists them ("Actions,
# resources, and condition keys for Amazon Cognito Identity / Amazon Cognito Sync / Amazon
# Cognito User Pools", section "Resource types defined by ..."), in the catalog data shape.
_sync_pool_template := "arn:${Partition}:cognito-sync:${Region}:${Account}:identitypool/${IdentityPoolId}"

_sync_identity_template := concat("", [_sync_pool_template, "/identity/${IdentityId}"])

_catalog := {"services": {
	"cognito-identity": {"resource_types": {"identitypool": {
		"arn": "arn:${Partition}:cognito-identity:${Region}:${Account}:identitypool/${IdentityPoolId}",
	}}},
	"cognito-sync": {"resource_types": {
		"identitypool": {"arn": _sync_pool_template},
		"identity": {"arn": _sync_identity_template},
		"dataset": {"arn": concat("", [_sync_identity_template, "/dataset/${DatasetName}"])},
	}},
	"cognito-idp": {"resource_types": {
		"userpool": {"arn": "arn:${Partition}:cognito-idp:${Region}:${Account}:userpool/${UserPoolId}"},
		"webacl": {"arn": "arn:${Partition}:wafv2:${Region}:${Account}:${Scope}/webacl/${Name}/${Id}"},
	}},
}}

_idp := "arn:aws:cognito-idp:us-east-1:123456789012:"

_sync := "arn:aws:cognito-sync:us-east-1:123456789012:"

_ident := "arn:aws:cognito-identity:us-east-1:123456789012:"

# IAM User Guide, "IAM identifiers", section "IAM ARNs" (and "Identify AWS resources with
# Amazon Resource Names (ARNs)", section "ARN format"): arn:partition:service:region:
# account-id:resource, where the resource may be resource-type/resource-id or
# resource-type:resource-id; some ARNs omit the region, the account, or both.

test_parse_user_pool_arn if {
	arn.parse(concat("", ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/", _user_pool])) == {
		"partition": "aws",
		"service": "cognito-idp",
		"region": "us-east-1",
		"account": "123456789012",
		"resource": concat("", ["userpool/", _user_pool]),
	}
}

# Cognito Developer Guide, "Identity and Access Management in Amazon Cognito User Pools"
# (the seed), section "Example Policies": the identity pool ID keeps its own colon.
test_parse_seed_identity_pool_arn_keeps_colon_in_resource if {
	parsed := arn.parse(concat("", ["arn:aws:cognito-identity:us-east-1:0123456789:identitypool/", _seed_pool]))
	parsed.service == "cognito-identity"
	parsed.account == "0123456789"
	parsed.resource == concat("", ["identitypool/", _seed_pool])
}

test_parse_seed_dataset_pattern if {
	resource := concat("", ["identitypool/", _seed_pool, "/identity/*/dataset/UserProfile"])
	parsed := arn.parse(concat("", ["arn:aws:cognito-sync:us-east-1:0123456789:", resource]))
	parsed.resource == resource
}

test_parse_resource_type_colon_resource_id if {
	arn.parse("arn:aws:sns:us-east-2:123456789012:topic:sub").resource == "topic:sub"
}

test_parse_arn_without_region_and_account if {
	arn.parse("arn:aws:s3:::amzn-s3-demo-bucket/key") == {
		"partition": "aws",
		"service": "s3",
		"region": "",
		"account": "",
		"resource": "amzn-s3-demo-bucket/key",
	}
}

test_parse_other_partitions if {
	arn.parse("arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_abc").partition == "aws-cn"
	arn.parse("arn:aws-us-gov:cognito-idp:us-gov-west-1:123456789012:userpool/us-gov-west-1_abc").partition == "aws-us-gov"
}

test_parse_rejects_non_arns if {
	not arn.parse("*")
	not arn.parse("arn:aws:cognito-idp:us-east-1:123456789012")
	not arn.parse("ARN:aws:cognito-idp:us-east-1:123456789012:userpool/x")
	not arn.parse("urn:aws:cognito-idp:us-east-1:123456789012:userpool/x")
	not arn.parse(42)
	not arn.parse(null)
}

test_is_arn if {
	arn.is_arn("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc")
	not arn.is_arn("*")
	not arn.is_arn("cognito-idp:us-east-1:123456789012:userpool/x")
	not arn.is_arn(["arn:aws:s3:::b"])
}

test_format_inverts_parse if {
	s := concat("", ["arn:aws:cognito-sync:us-east-1:123456789012:identitypool/", _pool, "/identity/", _identity])
	arn.format(arn.parse(s)) == s
}

# Cognito Developer Guide (seed), section "Amazon Resource Names (ARNs)", and the Service
# Authorization Reference's resource types (see catalog above): identity pools of
# cognito-identity and cognito-sync, identities and datasets of cognito-sync, user pools of
# cognito-idp.

# Service Authorization Reference, "Actions, resources, and condition keys for Amazon
# Cognito User Pools": AssociateWebACL takes the wafv2 "webacl" resource type, which the
# cognito-idp catalog lists. ARNs that fit no template have no type.
_type_cases := {
	concat("", [_ident, "identitypool/", _pool]): "identitypool",
	concat("", [_sync, "identitypool/", _pool]): "identitypool",
	concat("", [_sync, "identitypool/", _pool, "/identity/", _identity]): "identity",
	concat("", [_sync, "identitypool/", _pool, "/identity/", _identity, "/dataset/UserProfile"]): "dataset",
	concat("", [_idp, "userpool/", _user_pool]): "userpool",
	concat("", ["arn:aws:cognito-identity:us-east-1:0123456789:identitypool/", _seed_pool]): "identitypool",
	concat("", ["arn:aws:cognito-sync:us-east-1:0123456789:identitypool/", _seed_pool]): "identitypool",
	"arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_abc": "userpool",
	"arn:aws-us-gov:cognito-sync:us-gov-west-1:123456789012:identitypool/p/identity/i": "identity",
	"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/name/0123": "webacl",
	"arn:aws:s3:::bucket": null,
	concat("", [_idp, "userpool"]): null,
	concat("", [_idp, "userpool/a/b"]): null,
	concat("", [_ident, "identitypool/p/identity/i"]): null,
	concat("", [_sync, "identitypool/p/dataset/d"]): null,
	concat("", [_sync, "dataset/x"]): null,
	"arn:aws:cognito-idp::123456789012:userpool/x": null,
}

test_resource_types if {
	types := {s: name |
		some s, _ in _type_cases
		name := arn.resource_type(arn.parse(s))
	} with data.cognito.reference.catalog as _catalog
	types == {s: name | some s, name in _type_cases; name != null}
}

test_resource_type_undefined_without_catalog if {
	parsed := arn.parse(concat("", [_idp, "userpool/", _user_pool]))

	not arn.resource_type(parsed) with data.cognito.reference.catalog as {}
}

test_resource_type_ignores_templates_that_are_not_arns if {
	parsed := arn.parse(concat("", [_idp, "userpool/", _user_pool]))
	bad := {"services": {"cognito-idp": {"resource_types": {"userpool": {"arn": "userpool/${UserPoolId}"}}}}}

	not arn.resource_type(parsed) with data.cognito.reference.catalog as bad
}

# Canonical formats:
# - AWS Account Management Reference Guide, "View AWS account identifiers": the account ID
#   is a 12-digit number (the seed's examples use the 10-digit "0123456789").
# - Amazon Cognito Federated Identities API Reference, "IdentityPoolShortDescription" /
#   "IdentityDescription": IdentityPoolId and IdentityId are "in the format REGION:GUID"
#   (pattern [\w-]+:[0-9a-f-]+); a GUID is 8-4-4-4-12 hexadecimal digits.
# - Amazon Cognito user pools API Reference, "DescribeUserPool": UserPoolId pattern
#   [\w-]+_[0-9a-zA-Z]+ (REGION_ID).

_codes(s) := {p.code | some p in arn.canonical_problems(arn.parse(s))}

test_canonical_ids_have_no_problems if {
	_codes(concat("", [_sync, "identitypool/", _pool, "/identity/", _identity, "/dataset/d"])) == set()
	_codes(concat("", ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/", _user_pool])) == set()
	_codes(concat("", ["arn:aws:cognito-identity:us-east-1:123456789012:identitypool/", _pool])) == set()
}

test_seed_identity_pool_arn_problems if {
	_codes(concat("", ["arn:aws:cognito-identity:us-east-1:0123456789:identitypool/", _seed_pool])) == {
		"noncanonical_account_id",
		"noncanonical_identity_pool_id",
	}
}

test_seed_sync_arn_problems if {
	_codes(concat("", ["arn:aws:cognito-sync:us-east-1:0123456789:identitypool/", _seed_pool])) == {
		"noncanonical_account_id",
		"noncanonical_identity_pool_id",
	}
}

test_problem_messages_name_the_id if {
	seed_arn := concat("", ["arn:aws:cognito-identity:us-east-1:0123456789:identitypool/", _seed_pool])
	problems := arn.canonical_problems(arn.parse(seed_arn))
	some p in problems
	p.code == "noncanonical_account_id"
	contains(p.message, "0123456789")
}

test_wildcards_are_not_judged if {
	_codes("arn:aws:cognito-sync:us-east-1:*:identitypool/us-east-1:*/identity/*/dataset/UserProfile") == set()
	_codes("arn:aws:cognito-idp:us-east-1:12345678901?:userpool/*") == set()
}

test_empty_account_is_not_judged if {
	_codes("arn:aws:s3:::bucket") == set()
}

test_noncanonical_identity_id if {
	_codes(concat("", [_sync, "identitypool/", _pool, "/identity/us-east-1:ABC"])) == {"noncanonical_identity_id"}
}

test_uppercase_guid_is_not_canonical if {
	# The Cognito Sync API Reference's example ID "us-east-1:23EC4050-6AEA-7089-A2DD-08002EXAMPLE"
	# is a placeholder; the API pattern [0-9a-f-]+ is lower-case hexadecimal.
	example := concat("", [_ident, "identitypool/us-east-1:23EC4050-6AEA-7089-A2DD-08002EXAMPLE"])
	_codes(example) == {"noncanonical_identity_pool_id"}
}

test_noncanonical_user_pool_id if {
	_codes("arn:aws:cognito-idp:us-east-1:123456789012:userpool/mypool") == {"noncanonical_user_pool_id"}
	_codes("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_") == {"noncanonical_user_pool_id"}
}

test_id_region_differs_from_arn_region if {
	_codes(concat("", ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/", _user_pool])) == {"id_region_mismatch"}
	_codes(concat("", ["arn:aws:cognito-identity:eu-west-1:123456789012:identitypool/", _pool])) == {"id_region_mismatch"}
}

test_ids_are_only_read_for_their_service if {
	_codes(concat("", ["arn:aws:cognito-idp:us-east-1:123456789012:identitypool/", _seed_pool])) == set()
	_codes("arn:aws:cognito-identity:us-east-1:123456789012:userpool/x") == set()
	_codes(concat("", ["arn:aws:cognito-identity:us-east-1:123456789012:identitypool/", _pool, "/identity/x"])) == set()
}

# Bundle builds store the type regular expressions (data.cognito.derived, computed
# from type_regex_table); resource_type reads them when present.
test_resource_type_reads_stored_regexes if {
	stored := {"cognito-idp": {"anything": "^arn:aws:cognito-idp:.*$"}}
	parsed := arn.parse("arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_EXAMPLE")

	arn.resource_type(parsed) == "anything" with data.cognito.derived.arn_type_regexes as stored
	arn.resource_type(parsed) == "userpool"
}

test_type_regex_table if {
	arn.type_regex_table["cognito-idp"].userpool == "^arn:[^:/]+:cognito-idp:[^:/]+:[^:/]+:userpool/[^/]+$"
}

# "aws" is the alias of AWS-owned resources, not an account ID (IAM User Guide,
# "Controlling access to IAM users and roles").
test_aws_alias_is_no_noncanonical_account if {
	_codes("arn:aws:iam::aws:policy/ReadOnlyAccess") == set()
	_codes("arn:aws:iam::aws1:policy/ReadOnlyAccess") == {"noncanonical_account_id"}
}
