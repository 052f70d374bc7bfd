package cognito.catalog_test

import data.cognito.catalog

# A small fixture in the catalog's shape; the last tests read the bundle's
# catalog, whose facts come from the IAM Service Authorization Reference and
# the seed page ("Signed versus Unsigned APIs").
_fixture := {
	"sources": [{"name": "fixture"}],
	"services": {"cognito-idp": {"resource_types": {"userpool": {"arn": "arn:${Partition}:cognito-idp:${Region}:${Account}:userpool/${UserPoolId}"}}}},
	"actions": {
		"cognito-idp:admincreateuser": {
			"action": "cognito-idp:AdminCreateUser", "service": "cognito-idp", "access_level": "Write",
			"resource_types": [{"name": "userpool", "required": true}], "condition_keys": ["aws:ResourceTag/${TagKey}"],
			"dependent_actions": ["iam:PassRole"], "signed": true, "authorization": "iam",
		},
		"cognito-idp:signup": {
			"action": "cognito-idp:SignUp", "service": "cognito-idp", "access_level": "Write",
			"resource_types": [], "signed": false, "authorization": "public", "unsigned_sources": ["seed"],
		},
		"cognito-idp:getuser": {"action": "cognito-idp:GetUser", "service": "cognito-idp", "signed": false},
	},
}

test_case_insensitive_lookup if {
	catalog.canonical("COGNITO-IDP:admincreateuser") == "cognito-idp:AdminCreateUser" with data.cognito.reference.catalog as _fixture
	catalog.known("cognito-idp:AdminCreateUser") with data.cognito.reference.catalog as _fixture
	not catalog.known("cognito-idp:Nope") with data.cognito.reference.catalog as _fixture
	not catalog.known(5) with data.cognito.reference.catalog as _fixture
}

test_signed_and_authorization if {
	catalog.signed("cognito-idp:AdminCreateUser") == true with data.cognito.reference.catalog as _fixture
	catalog.signed("cognito-idp:SignUp") == false with data.cognito.reference.catalog as _fixture
	catalog.unsigned("cognito-idp:signup") with data.cognito.reference.catalog as _fixture
	not catalog.unsigned("cognito-idp:AdminCreateUser") with data.cognito.reference.catalog as _fixture
	catalog.signed("cognito-idp:Unknown") == true with data.cognito.reference.catalog as _fixture
	catalog.authorization("cognito-idp:SignUp") == "public" with data.cognito.reference.catalog as _fixture
	catalog.authorization("cognito-idp:GetUser") == "iam" with data.cognito.reference.catalog as _fixture
	catalog.authorization("s3:GetObject") == "iam" with data.cognito.reference.catalog as _fixture
	catalog.unsigned_sources("cognito-idp:SignUp") == ["seed"] with data.cognito.reference.catalog as _fixture
	catalog.unsigned_sources("cognito-idp:AdminCreateUser") == [] with data.cognito.reference.catalog as _fixture
}

test_details if {
	catalog.access_level("cognito-idp:AdminCreateUser") == "Write" with data.cognito.reference.catalog as _fixture
	catalog.resource_types("cognito-idp:AdminCreateUser") == {"userpool"} with data.cognito.reference.catalog as _fixture
	catalog.required_resource_types("cognito-idp:AdminCreateUser") == {"userpool"} with data.cognito.reference.catalog as _fixture
	catalog.resource_types("cognito-idp:SignUp") == set() with data.cognito.reference.catalog as _fixture
	catalog.condition_keys("cognito-idp:AdminCreateUser") == {"aws:ResourceTag/${TagKey}"} with data.cognito.reference.catalog as _fixture
	catalog.dependent_actions("cognito-idp:AdminCreateUser") == {"iam:PassRole"} with data.cognito.reference.catalog as _fixture
	catalog.resource_type_arn("Cognito-IDP", "userpool") == "arn:${Partition}:cognito-idp:${Region}:${Account}:userpool/${UserPoolId}" with data.cognito.reference.catalog as _fixture
	catalog.sources == [{"name": "fixture"}] with data.cognito.reference.catalog as _fixture
}

test_services_and_matching if {
	catalog.services == {"cognito-idp"} with data.cognito.reference.catalog as _fixture
	catalog.has_service("COGNITO-IDP") with data.cognito.reference.catalog as _fixture
	not catalog.has_service("s3") with data.cognito.reference.catalog as _fixture
	catalog.actions_matching("cognito-idp:*User") == {"cognito-idp:AdminCreateUser", "cognito-idp:GetUser"} with data.cognito.reference.catalog as _fixture
	catalog.actions_matching("COGNITO-IDP:sign?p") == {"cognito-idp:SignUp"} with data.cognito.reference.catalog as _fixture
	catalog.actions_of("cognito-idp") == {"cognito-idp:AdminCreateUser", "cognito-idp:SignUp", "cognito-idp:GetUser"} with data.cognito.reference.catalog as _fixture
}

test_absent_or_broken_catalog if {
	not catalog.known("cognito-idp:SignUp") with data.cognito.reference.catalog as "broken"
	catalog.services == set() with data.cognito.reference.catalog as {"services": 1, "actions": 2}
	catalog.sources == [] with data.cognito.reference.catalog as {}
}

# The bundle's catalog: the three services with the counts of the issue
# (IAM Service Authorization Reference: cognito-identity 26, cognito-sync 19,
# cognito-idp 129 IAM actions), and the seed's 25 unsigned APIs.
test_bundle_catalog_counts if {
	count({a | some a in catalog.actions_of("cognito-identity"); catalog.action(a).iam_action == true}) == 26
	count({a | some a in catalog.actions_of("cognito-sync"); catalog.action(a).iam_action == true}) == 19
	count({a | some a in catalog.actions_of("cognito-idp"); catalog.action(a).iam_action == true}) == 129
}

test_bundle_catalog_unsigned_floor if {
	every a in ["cognito-identity:GetId", "cognito-identity:UnlinkIdentity", "cognito-idp:SignUp", "cognito-idp:VerifyUserAttribute"] {
		catalog.unsigned(a)
		"seed" in catalog.unsigned_sources(a)
	}
	catalog.signed("cognito-idp:AdminCreateUser")
}

# AmazonCognitoReadOnly's cognito-idp:AdminGet* names the reference's three
# AdminGet actions (Service Authorization Reference, Amazon Cognito User Pools).
test_bundle_actions_matching if {
	catalog.actions_matching("cognito-idp:AdminGet*") == {
		"cognito-idp:AdminGetDevice", "cognito-idp:AdminGetUser", "cognito-idp:AdminGetUserAuthFactors",
	}
}
