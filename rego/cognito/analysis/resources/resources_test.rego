# METADATA
# description: |
#   Tests for cognito.analysis.resources with the ARN formats of the Cognito
#   developer guide (seed page, "Amazon Resource Names (ARNs)") as recorded in
#   the catalog's templates, and IAM's Resource matching (IAM User Guide,
#   "IAM JSON policy elements: Resource": * and ? in the resource part; a *
#   also spans "/").
package cognito.analysis.resources_test

import data.cognito.analysis.resources

_pool := "us-east-1:1a1a1a1a-ffff-1111-9999-12345678"

_dataset_pattern := concat("", [
	"arn:aws:cognito-sync:us-east-1:0123456789:identitypool/", _pool,
	"/identity/*/dataset/UserProfile",
])

test_types_of_the_catalog if {
	resources.types == {
		["cognito-identity", "identitypool"],
		["cognito-idp", "userpool"],
		["cognito-idp", "webacl"],
		["cognito-sync", "dataset"],
		["cognito-sync", "identity"],
		["cognito-sync", "identitypool"],
	}
	resources.action_types("cognito-sync:ListRecords") == {["cognito-sync", "dataset"]}
	resources.action_types("cognito-idp:ListUserPools") == set()
	resources.template_service(["cognito-idp", "webacl"]) == "wafv2"
}

test_parts if {
	resources.parts("arn:aws:cognito-identity:us-east-1:0123456789:identitypool/us-east-1:abc") == {
		"partition": "aws", "service": "cognito-identity", "region": "us-east-1",
		"account": "0123456789", "resource": "identitypool/us-east-1:abc",
	}
	resources.parts("arn:aws:cognito-idp:*") == {
		"partition": "aws", "service": "cognito-idp", "region": "*", "account": "*", "resource": "*",
	}
	not resources.parts("arn:aws:cognito-idp:us-east-1")
	not resources.parts("*")
	not resources.parts("userpool/x")
}

# The seed's dataset example names datasets only; "identitypool/*" in
# cognito-sync reaches pools, identities and datasets alike.
test_can_name if {
	resources.can_name(_dataset_pattern) == {["cognito-sync", "dataset"]}
	resources.can_name("arn:aws:cognito-sync:*:*:identitypool/*") == {
		["cognito-sync", "dataset"], ["cognito-sync", "identity"], ["cognito-sync", "identitypool"],
	}
	resources.can_name("arn:aws:cognito-sync:*:*:identitypool/*/dataset/*") == {["cognito-sync", "dataset"]}
	resources.can_name("arn:aws:cognito-identity:us-east-1:0123456789:identitypool/us-east-1:ab") == {
		["cognito-identity", "identitypool"],
	}
	resources.can_name("arn:aws:cognito-idp:*") == {["cognito-idp", "userpool"]}
	resources.can_name("arn:aws:cognito-*:*:*:identitypool/?*") == {
		["cognito-identity", "identitypool"],
		["cognito-sync", "dataset"], ["cognito-sync", "identity"], ["cognito-sync", "identitypool"],
	}
	resources.can_name("arn:aws:cognito-*:*:*:identitypool/?") == {
		["cognito-identity", "identitypool"], ["cognito-sync", "identitypool"],
	}
	resources.can_name("arn:aws:cognito-idp:us-east-1:111122223333:userpool") == set()
	resources.can_name("arn:aws:cognito-idp::111122223333:userpool/x") == set()
	resources.can_name("*") == resources.types
}

_userpool := ["cognito-idp", "userpool"]

_dataset := ["cognito-sync", "dataset"]

test_witness if {
	resources.witness("arn:aws:cognito-sync:*:*:identitypool/*", _dataset, "111122223333") == concat("", [
		"arn:aws:cognito-sync:region:111122223333:identitypool/x/identity/x/dataset/x",
	])
	resources.witness(_dataset_pattern, _dataset, "111122223333") == concat("", [
		"arn:aws:cognito-sync:us-east-1:0123456789:identitypool/", _pool, "/identity/x/dataset/UserProfile",
	])
	resources.witness("arn:aws*:cognito-idp:us-east-?:*:userpool/us-east-1_a?c", _userpool, "") == concat("", [
		"arn:aws:cognito-idp:us-east-x:account:userpool/us-east-1_axc",
	])
	resources.witness("arn:aws:cognito-idp:*:*:userpoo?/abc", _userpool, "") == concat("", [
		"arn:aws:cognito-idp:region:account:userpool/abc",
	])
	resources.witness("arn:*:wafv2:*:*:*", ["cognito-idp", "webacl"], "") == "arn:aws:wafv2:region:account:x/webacl/x/x"
	not resources.witness(_dataset_pattern, ["cognito-sync", "identitypool"], "")
	not resources.witness("arn:aws:cognito-idp:*:*:userpool/*", _dataset, "")
}

# An account that the pattern does not allow is not put in.
test_witness_account if {
	resources.witness("arn:aws:cognito-idp:*:1111*:userpool/*", _userpool, "111122223333") == concat("", [
		"arn:aws:cognito-idp:region:111122223333:userpool/x",
	])
	resources.witness("arn:aws:cognito-idp:*:2222*:userpool/*", _userpool, "111122223333") == concat("", [
		"arn:aws:cognito-idp:region:2222:userpool/x",
	])
}

test_generic if {
	resources.generic(["cognito-idp", "userpool"], "111122223333") == concat("", [
		"arn:aws:cognito-idp:${Region}:111122223333:userpool/${UserPoolId}",
	])
	resources.generic(["cognito-sync", "identity"], "") == concat("", [
		"arn:aws:cognito-sync:${Region}:${Account}:identitypool/${IdentityPoolId}/identity/${IdentityId}",
	])
}

test_literal_prefix if {
	resources.literal_prefix("arn:aws:cognito-idp:us-east-1:*:userpool/x") == "arn:aws:cognito-idp:us-east-1:"
	resources.literal_prefix("arn:aws:cognito-sync:*:*:identitypool/${x}") == "arn:aws:cognito-sync:"
	resources.literal_prefix("arn:aws:cognito-idp:us-east-?") == "arn:aws:cognito-idp:us-east-"
	resources.literal_prefix("*") == ""
	plain := "arn:aws:cognito-idp:us-east-1:1:userpool/x"
	resources.literal_prefix(plain) == plain
}
