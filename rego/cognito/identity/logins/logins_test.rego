package cognito.identity.logins_test

import data.cognito.identity.logins

# Expectations: reference/cognito/identity-pools.md sections 2 and 3: the
# provider key (S8 SetIdentityPoolRoles, A1), GetId's checks (S4 "The token is
# valid and from the configured provider ... The token matches the
# application identifier created with that provider"; texts observed, S19),
# developer logins (S7 GetCredentialsForIdentity: "If the token is for
# cognito-identity.amazonaws.com, it will be passed through").

_up := "cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"

_oidc_arn := "arn:aws:iam::123456789012:oidc-provider/login.example.com"

_saml_arn := "arn:aws:iam::123456789012:saml-provider/Corp"

_pool := {
	"IdentityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555",
	"AllowUnauthenticatedIdentities": false,
	"CognitoIdentityProviders": [{"ProviderName": _up, "ClientId": "app1"}],
	"SupportedLoginProviders": {"graph.facebook.com": "7346241598935552", "accounts.google.com": "g1.apps, g2.apps"},
	"DeveloperProviderName": "login.mycompany.myapp",
	"OpenIdConnectProviderARNs": [_oidc_arn],
	"SamlProviderARNs": [_saml_arn],
}

_facts(lp, claims) := {
	"pool": _pool,
	"login_provider": lp,
	"authenticated": is_string(lp),
	"claims": claims,
	"token": {"form": "claims", "signature": "not_applicable"},
}

test_kinds if {
	logins.kind(_pool, "login.mycompany.myapp") == "developer"
	logins.kind(_pool, "cognito-identity.amazonaws.com") == "developer"
	logins.kind(_pool, _up) == "user_pool"
	logins.kind(_pool, "graph.facebook.com") == "public"
	logins.kind(_pool, "login.example.com") == "oidc"
	logins.kind(_pool, _saml_arn) == "saml"
	not logins.kind(_pool, "www.amazon.com")
	not logins.kind(object.remove(_pool, ["DeveloperProviderName"]), "cognito-identity.amazonaws.com")
}

# S8: "cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefghi:app_client_id".
test_mapping_key if {
	logins.mapping_key(_pool, _up, {"aud": "app1"}) == concat(":", [_up, "app1"])
	logins.mapping_key(_pool, "graph.facebook.com", {"aud": "x"}) == "graph.facebook.com"
}

test_mapping_lookup if {
	pool := object.union(_pool, {"RoleMappings": {_oidc_arn: {"Type": "Token"}}})
	logins.mapping(pool, "login.example.com", {}) == [_oidc_arn, {"Type": "Token"}]
	not logins.mapping(_pool, "login.example.com", {})
}

# S19 (aws-cdk#7670): a RoleMappings key must name a configured provider.
test_configured_keys if {
	logins.configured_key(_pool, concat(":", [_up, "app1"]))
	not logins.configured_key(_pool, concat(":", [_up, "app2"]))
	not logins.configured_key(_pool, _up)
	logins.configured_key(_pool, "graph.facebook.com")
	logins.configured_key(_pool, "login.example.com")
	logins.configured_key(_pool, _oidc_arn)
	logins.configured_key(_pool, _saml_arn)
	not logins.configured_key(_pool, "www.amazon.com")
}

# S4; S19: "Unauthenticated access is not supported for this identity pool."
test_guest_refused if {
	r := logins.refusal(_facts(null, {}))
	r.code == "NotAuthorizedException"
	r.stage == "get_id"
	r.message == "Unauthenticated access is not supported for this identity pool."
	not logins.refusal({"pool": object.union(_pool, {"AllowUnauthenticatedIdentities": true}), "authenticated": false})
}

# S19: "Token is not from a supported provider of this identity pool."
test_user_pool_client_not_configured if {
	r := logins.refusal(_facts(_up, {"aud": "app2", "iss": concat("", ["https://", _up])}))
	r.message == "Token is not from a supported provider of this identity pool."
	not logins.refusal(_facts(_up, {"aud": "app1", "iss": concat("", ["https://", _up])}))
	no_aud := logins.refusal(_facts(_up, {}))
	contains(no_aud.reason, "(none)")
}

test_unconfigured_providers if {
	other_pool := "cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER"
	r := logins.refusal(_facts(other_pool, {"aud": "app1"}))
	r.message == "Token is not from a supported provider of this identity pool."
	amazon := logins.refusal(_facts("www.amazon.com", {}))
	amazon.code == "NotAuthorizedException"
	amazon.message == null
}

# S19: "Invalid login token. Issuer doesn't match providerName".
test_issuer_mismatch if {
	r := logins.refusal(_facts(_up, {"aud": "app1", "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER"}))
	r.message == "Invalid login token. Issuer doesn't match providerName"
}

# S4: the token must match the application identifier configured for the provider.
test_public_provider_app_id if {
	not logins.refusal(_facts("graph.facebook.com", {"sub": "1"}))
	not logins.refusal(_facts("graph.facebook.com", {"aud": "7346241598935552"}))
	logins.refusal(_facts("graph.facebook.com", {"aud": "1111"})).code == "NotAuthorizedException"
	not logins.refusal(_facts("accounts.google.com", {"aud": "g2.apps"}))
}

test_signature_refused if {
	f := object.union(_facts(_up, {"aud": "app1"}), {"token": {"form": "jwt", "signature": "invalid"}})
	logins.refusal(f).code == "NotAuthorizedException"
}

test_entry_without_client_accepts_any if {
	pool := json.patch(_pool, [{"op": "replace", "path": "/CognitoIdentityProviders", "value": [{"ProviderName": _up}]}])
	not logins.refusal(object.union(_facts(_up, {"aud": "anything"}), {"pool": pool}))
}

test_oidc_name if {
	logins.oidc_name(_oidc_arn) == "login.example.com"
	not logins.oidc_name(_saml_arn)
}
