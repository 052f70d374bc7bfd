package cognito.managed_test

import data.cognito.managed

# Expectations: AWS Managed Policy Reference: an AWS managed policy's ARN is
# arn:aws:iam::aws:policy/NAME (aws-service-role/NAME for service-role policies).

_data := {
	"AmazonCognitoReadOnly": {
		"arn": "arn:aws:iam::aws:policy/AmazonCognitoReadOnly",
		"version": "v4", "document": {"Statement": []},
	},
	"AmazonCognitoIdpServiceRolePolicy": {
		"arn": "arn:aws:iam::aws:policy/aws-service-role/AmazonCognitoIdpServiceRolePolicy",
		"version": "v1", "document": {"Statement": [1]},
	},
}

test_by_name_and_arn if {
	_by_name_and_arn with data.cognito.reference.managed_policies as _data
}

_by_name_and_arn if {
	managed.name("AmazonCognitoReadOnly") == "AmazonCognitoReadOnly"
	managed.name("arn:aws:iam::aws:policy/AmazonCognitoReadOnly") == "AmazonCognitoReadOnly"
	managed.name("arn:aws-cn:iam::aws:policy/AmazonCognitoReadOnly") == "AmazonCognitoReadOnly"
	role_policy := "AmazonCognitoIdpServiceRolePolicy"
	managed.name(concat("", ["arn:aws:iam::aws:policy/aws-service-role/", role_policy])) == role_policy
	managed.document("AmazonCognitoIdpServiceRolePolicy") == {"Statement": [1]}
	managed.version("arn:aws:iam::aws:policy/AmazonCognitoReadOnly") == "v4"
}

test_unknown if {
	_unknown with data.cognito.reference.managed_policies as _data

	count(managed.names) == 0 with data.cognito.reference.managed_policies as "broken"
}

_unknown if {
	not managed.name("AmazonCognitoWriteOnly")
	not managed.name("arn:aws:iam::123456789012:policy/AmazonCognitoReadOnly")
	not managed.name(7)
}

# The seed's three managed policies (and the two unauthenticated-identity
# policies) are shipped in the bundle.
test_bundle_ships_the_documented_policies if {
	every n in [
		"AmazonCognitoPowerUser", "AmazonCognitoReadOnly", "AmazonCognitoDeveloperAuthenticatedIdentities",
		"AmazonCognitoUnauthenticatedIdentities", "AmazonCognitoUnAuthedIdentitiesSessionPolicy",
	] {
		managed.name(sprintf("arn:aws:iam::aws:policy/%s", [n])) == n
	}
}
