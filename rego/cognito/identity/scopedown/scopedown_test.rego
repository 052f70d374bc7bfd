package cognito.identity.scopedown_test

import data.cognito.identity.scopedown

# Expectations: Cognito Developer Guide "IAM roles" (S2): the scope-down
# "adds an Inline session policy and an AWS managed session policy" to guests'
# credentials "in the enhanced flow"; "In the basic (classic) flow, you make
# your own AssumeRoleWithWebIdentity API request"; reference/cognito/
# identity-pools.md section 7 (A14-A16). Bundle data: bundles/data/cognito/
# reference/identity_pools/data.json.

test_guest_policies if {
	names := [p.name | some p in scopedown.guest_policies]
	names == [
		"CognitoGuestScopeDownInline",
		"AmazonCognitoUnauthenticatedIdentities",
		"AmazonCognitoUnAuthedIdentitiesSessionPolicy",
	]
	every p in scopedown.guest_policies {
		p.document.Statement
	}
}

test_only_guests_in_the_enhanced_flow if {
	scopedown.session_policies({"flow": "enhanced", "authenticated": false}) == scopedown.guest_policies
	scopedown.session_policies({"flow": "basic", "authenticated": false}) == []
	scopedown.session_policies({"flow": "enhanced", "authenticated": true}) == []
}

test_without_bundle_data if {
	scopedown.guest_policies == [] with data.cognito.reference.identity_pools as []
		with data.cognito.reference.managed_policies as {}
}
