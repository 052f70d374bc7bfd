package cognito.catalog_test

import data.cognito.catalog

# A small fixture in the catalog's shape; the last tests read the bundle's
# catalog, whose facts come from the IAM Service Authorization Reference and
# the seed page ("Signed versus Unsigned APIs").
_userpool_arn := "arn:${Partition}:cognito-idp:${Region}:${Account}:userpool/${UserPoolId}"

_fixture := {
	"sources": [{"name": "fixture"}],
	"services": {"cognito-idp": {"resource_types": {"userpool": {"arn": _userpool_arn}}}},
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
	_case_insensitive_lookup with data.cognito.reference.catalog as _fixture
}

_case_insensitive_lookup if {
	catalog.canonical("COGNITO-IDP:admincreateuser") == "cognito-idp:AdminCreateUser"
	catalog.known("cognito-idp:AdminCreateUser")
	not catalog.known("cognito-idp:Nope")
	not catalog.known(5)
}

test_signed_and_authorization if {
	_signed_and_authorization with data.cognito.reference.catalog as _fixture
}

_signed_and_authorization if {
	catalog.signed("cognito-idp:AdminCreateUser") == true
	catalog.signed("cognito-idp:SignUp") == false
	catalog.unsigned("cognito-idp:signup")
	not catalog.unsigned("cognito-idp:AdminCreateUser")
	catalog.signed("cognito-idp:Unknown") == true
	catalog.authorization("cognito-idp:SignUp") == "public"
	catalog.authorization("cognito-idp:GetUser") == "iam"
	catalog.authorization("s3:GetObject") == "iam"
	catalog.unsigned_sources("cognito-idp:SignUp") == ["seed"]
	catalog.unsigned_sources("cognito-idp:AdminCreateUser") == []
}

test_details if {
	_details with data.cognito.reference.catalog as _fixture
}

_details if {
	catalog.access_level("cognito-idp:AdminCreateUser") == "Write"
	catalog.resource_types("cognito-idp:AdminCreateUser") == {"userpool"}
	catalog.required_resource_types("cognito-idp:AdminCreateUser") == {"userpool"}
	catalog.resource_types("cognito-idp:SignUp") == set()
	catalog.condition_keys("cognito-idp:AdminCreateUser") == {"aws:ResourceTag/${TagKey}"}
	catalog.dependent_actions("cognito-idp:AdminCreateUser") == {"iam:PassRole"}
	catalog.resource_type_arn("Cognito-IDP", "userpool") == _userpool_arn
	catalog.sources == [{"name": "fixture"}]
}

test_services_and_matching if {
	_services_and_matching with data.cognito.reference.catalog as _fixture
}

_services_and_matching if {
	catalog.services == {"cognito-idp"}
	catalog.has_service("COGNITO-IDP")
	not catalog.has_service("s3")
	catalog.actions_matching("cognito-idp:*User") == {"cognito-idp:AdminCreateUser", "cognito-idp:GetUser"}
	catalog.actions_matching("COGNITO-IDP:sign?p") == {"cognito-idp:SignUp"}
	catalog.actions_of("cognito-idp") == {"cognito-idp:AdminCreateUser", "cognito-idp:SignUp", "cognito-idp:GetUser"}
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
	every a in [
		"cognito-identity:GetId", "cognito-identity:UnlinkIdentity",
		"cognito-idp:SignUp", "cognito-idp:VerifyUserAttribute",
	] {
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

test_actions_at_level if {
	writes := {"cognito-idp:AdminCreateUser", "cognito-idp:SignUp"}

	catalog.actions_at_level("Write") == writes with data.cognito.reference.catalog as _fixture
}
