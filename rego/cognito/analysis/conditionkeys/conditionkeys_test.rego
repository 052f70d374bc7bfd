# METADATA
# description: |
#   Condition key lookups. Sources: IAM User Guide, "AWS global condition
#   context keys" (aws:SourceIp works with IP address operators,
#   aws:EpochTime with date or numeric operators, aws:PrincipalTag/tag-key
#   with string operators; cross-service keys such as
#   lambda:SourceFunctionArn); "Available keys for AWS web identity
#   federation"; IAM Service Authorization Reference for Amazon Cognito
#   Identity (cognito-identity:IdentityPoolArn, ARN, for DeleteIdentities and
#   DescribeIdentity) and User Pools (the userpool resource type takes
#   aws:ResourceTag/${TagKey}); "IAM JSON policy elements: Condition"
#   (condition key names are not case-sensitive).
package cognito.analysis.conditionkeys_test

import data.cognito.analysis.conditionkeys

test_global_keys_any_case if {
	conditionkeys.reference("AWS:SOURCEIP").key == "aws:SourceIp"
	conditionkeys.reference("aws:PrincipalTag/team").key == "aws:PrincipalTag/${TagKey}"
	conditionkeys.reference("lambda:SourceFunctionArn").scope == "global"
	not conditionkeys.reference("aws:PrincipalTag/")
	not conditionkeys.reference("aws:SourceIpp")
	not conditionkeys.reference(42)
}

test_web_identity_keys if {
	conditionkeys.reference("cognito-identity.amazonaws.com:sub").scope == "web_identity"
	conditionkeys.types("cognito-identity.amazonaws.com:amr") == {"ArrayOfString"}
	"cognito-identity.amazonaws.com" in conditionkeys.known_namespaces
}

test_types if {
	conditionkeys.types("aws:SourceIp") == {"IPAddress"}
	conditionkeys.types("aws:EpochTime") == {"Date", "Numeric"}
	conditionkeys.types("cognito-identity:identitypoolarn") == {"ARN"}
	not conditionkeys.types("cognito-idp:ClientId")
	conditionkeys.families({"ArrayOfARN"}) == {"arn", "string"}
	conditionkeys.families({"Unheard"}) == set()
}

test_action_keys if {
	conditionkeys.action_keys("cognito-idp:AdminGetUser") == {"aws:ResourceTag/${TagKey}"}
	"cognito-identity:IdentityPoolArn" in conditionkeys.action_keys("cognito-identity:DescribeIdentity")
	conditionkeys.action_keys("cognito-idp:NoSuchAction") == set()
}

test_names if {
	conditionkeys.names("aws:RequestTag/${TagKey}", "AWS:requesttag/Team")
	not conditionkeys.names("aws:RequestTag/${TagKey}", "aws:RequestTag/")
	conditionkeys.names("cognito-identity:IdentityPoolArn", "COGNITO-IDENTITY:IDENTITYPOOLARN")
	not conditionkeys.names("cognito-identity:IdentityPoolArn", "cognito-identity:IdentityPool")
}

test_namespaces if {
	conditionkeys.namespace("Cognito-Identity-Auth:AccountId") == "cognito-identity-auth"
	not conditionkeys.namespace("no-colon")
	needed := {"aws", "cognito-idp", "cognito-identity", "cognito-identity-auth", "cognito-sync"}
	needed - conditionkeys.known_namespaces == set()
	conditionkeys.service_keys("cognito-identity-unauth") == {
		"cognito-identity-unauth:AccountId": "String",
		"cognito-identity-unauth:IdentityPoolArn": "ARN",
	}
}

test_closest if {
	conditionkeys.closest("aws:SourceIpp", conditionkeys.every_key) == ["aws:SourceIp"]
	conditionkeys.closest("aws:resourcetags/team", conditionkeys.every_key) == ["aws:ResourceTag/team"]
	conditionkeys.closest("aws:ResourceTag", conditionkeys.every_key)[0] == "aws:ResourceTag/${TagKey}"
	conditionkeys.closest("cognito-idp:ClientId", conditionkeys.every_key) == []
}

test_empty_reference_data if {
	not conditionkeys.reference("aws:SourceIp") with data.cognito.reference.condition_keys as "missing"
	conditionkeys.action_keys("cognito-idp:AdminGetUser") == set() with data.cognito.reference.catalog as {}
}
