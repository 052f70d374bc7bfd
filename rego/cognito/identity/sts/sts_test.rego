package cognito.identity.sts_test

import data.cognito.identity.sts

# Expectations: reference/cognito/identity-pools.md section 5, quoting the
# Cognito Developer Guide "Role trust and permissions" (S3: the documented
# trust policies, "AccessDenied -- Not authorized to perform
# sts:AssumeRoleWithWebIdentity"), "Using role-based access control" (S1),
# InvalidIdentityPoolConfigurationException (S9), the IAM condition keys
# (S15: amr "contains only unauthenticated" for guests, "authenticated and the
# name of the login provider" otherwise) and STS session tags (S13: "trust
# policies for all roles connected to the identity provider (IdP) passing
# tags must have the sts:TagSession permission").

_pool_id := "us-east-1:12345678-corner-cafe-123456790ab"

_role := "arn:aws:iam::123456789012:role/Cognito_CornerCafeAuth_Role"

_trust(actions, amr) := {"Version": "2012-10-17", "Statement": [{
	"Sid": "",
	"Effect": "Allow",
	"Principal": {"Federated": "cognito-identity.amazonaws.com"},
	"Action": actions,
	"Condition": {
		"StringEquals": {"cognito-identity.amazonaws.com:aud": _pool_id},
		"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
	},
}]}

_facts(flow, lp) := {
	"pool": {"IdentityPoolId": _pool_id, "DeveloperProviderName": "login.mycompany.myapp"},
	"pool_id": _pool_id,
	"flow": flow,
	"login_provider": lp,
	"authenticated": is_string(lp),
	"identity_id": "us-east-1:98765432-1234-1234-1243-123456790ab",
}

test_token_context if {
	sts.token_context(_facts("enhanced", null)) == {
		"cognito-identity.amazonaws.com:aud": _pool_id,
		"cognito-identity.amazonaws.com:amr": ["unauthenticated"],
		"cognito-identity.amazonaws.com:sub": "us-east-1:98765432-1234-1234-1243-123456790ab",
	}
	sts.amr(_facts("enhanced", "graph.facebook.com")) == ["authenticated", "graph.facebook.com"]
	sts.amr(_facts("enhanced", "cognito-identity.amazonaws.com")) == ["authenticated", "login.mycompany.myapp"]
	no_sub := object.union(_facts("enhanced", null), {"identity_id": null})
	not "cognito-identity.amazonaws.com:sub" in object.keys(sts.token_context(no_sub))
}

test_documented_trust_allows if {
	trust := _trust("sts:AssumeRoleWithWebIdentity", "authenticated")
	not sts.refusal(_facts("enhanced", "graph.facebook.com"), _role, trust, {})
}

test_enhanced_refusal_is_invalid_configuration if {
	r := sts.refusal(_facts("enhanced", null), _role, _trust("sts:AssumeRoleWithWebIdentity", "authenticated"), {})
	r.code == "InvalidIdentityPoolConfigurationException"
	r.stage == "get_credentials_for_identity"
	r.message == "Invalid identity pool configuration. Check assigned IAM roles for this pool."
}

test_basic_refusal_is_access_denied if {
	r := sts.refusal(_facts("basic", null), _role, _trust("sts:AssumeRoleWithWebIdentity", "authenticated"), {})
	r.code == "AccessDenied"
	r.stage == "assume_role_with_web_identity"
	r.message == "Not authorized to perform sts:AssumeRoleWithWebIdentity"
}

test_tag_session_needed_with_tags if {
	trust := _trust("sts:AssumeRoleWithWebIdentity", "authenticated")
	r := sts.refusal(_facts("enhanced", "graph.facebook.com"), _role, trust, {"username": "u1"})
	contains(r.reason, "sts:TagSession")
	both := _trust(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"], "authenticated")
	not sts.refusal(_facts("enhanced", "graph.facebook.com"), _role, both, {"username": "u1"})
	basic := sts.refusal(_facts("basic", "graph.facebook.com"), _role, trust, {"username": "u1"})
	basic.code == "AccessDenied"
	basic.message == null
}

test_session_principal if {
	sts.session_principal(_role) == concat("/", [
		"arn:aws:sts::123456789012:assumed-role",
		"Cognito_CornerCafeAuth_Role", "CognitoIdentityCredentials",
	])
	p := sts.session_principal("arn:aws-cn:iam::123456789012:role/app/Reader")
	p == "arn:aws-cn:sts::123456789012:assumed-role/Reader/CognitoIdentityCredentials"
}
