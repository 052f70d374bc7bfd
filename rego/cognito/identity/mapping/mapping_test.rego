package cognito.identity.mapping_test

import data.cognito.identity.mapping

# Expectations: reference/cognito/identity-pools.md section 4, quoting the
# Cognito Developer Guide "Using role-based access control" (S1), the
# GetCredentialsForIdentity API reference (S7) and the Cognito Identity
# service model (S8); assumptions A2-A8, A10, A20 where marked.

_up := "cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"

_key := concat(":", [_up, "app1"])

_auth := "arn:aws:iam::123456789012:role/Auth"

_unauth := "arn:aws:iam::123456789012:role/Unauth"

_admin := "arn:aws:iam::123456789012:role/Admin"

_editor := "arn:aws:iam::123456789012:role/Editor"

_base_pool := {
	"IdentityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555",
	"AllowUnauthenticatedIdentities": true,
	"CognitoIdentityProviders": [{"ProviderName": _up, "ClientId": "app1"}, {"ProviderName": _up, "ClientId": "app2"}],
	"SupportedLoginProviders": {"accounts.google.com": "google-app"},
	"DeveloperProviderName": "login.mycompany.myapp",
	"Roles": {"authenticated": _auth, "unauthenticated": _unauth},
}

_pool(mappings) := object.union(_base_pool, {"RoleMappings": mappings})

_facts(pool, lp, claims, custom) := {
	"pool": pool,
	"login_provider": lp,
	"authenticated": is_string(lp),
	"claims": claims,
	"custom_role_arn": custom,
}

_token_mapping(resolution) := {_key: {"Type": "Token", "AmbiguousRoleResolution": resolution}}

_rules_mapping(rules, resolution) := {_key: {
	"Type": "Rules",
	"AmbiguousRoleResolution": resolution,
	"RulesConfiguration": {"Rules": rules},
}}

_claims(extra) := object.union({"aud": "app1", "sub": "user-1"}, extra)

# S1: "You can also define a separate IAM role with limited permissions for
# guest users who are not authenticated." Mappings never apply to guests.
test_guest_gets_the_unauthenticated_role if {
	r := mapping.choose(_facts(_pool(_token_mapping("Deny")), null, {}, null))
	r.role_arn == _unauth
	r.choice == "default_unauthenticated"
}

# S9: "the identity pool has no unauthenticated role configured".
test_guest_without_unauthenticated_role if {
	pool := object.union(object.remove(_pool({}), ["Roles"]), {"Roles": {"authenticated": _auth}})
	r := mapping.choose(_facts(pool, null, {}, null))
	r.refusal.code == "InvalidIdentityPoolConfigurationException"
}

# S1: "You can define a default role for authenticated users."; S7 issues
# credentials for "the default role" when the IdP has no role choice.
test_no_mapping_default_authenticated_role if {
	r := mapping.choose(_facts(_pool({}), _up, _claims({"cognito:preferred_role": _admin}), null))
	r.role_arn == _auth
	r.choice == "default_authenticated"
}

# A1: a mapping is keyed per app client; a sign-in through app2 is not mapped.
test_mapping_of_another_app_client_does_not_apply if {
	claims := {"aud": "app2", "cognito:preferred_role": _admin}
	r := mapping.choose(_facts(_pool(_token_mapping("Deny")), _up, claims, null))
	r.role_arn == _auth
}

# S7: "This operation issues credentials for the default authenticated role to
# developer-authenticated identities."
test_developer_identity_gets_default_role if {
	r := mapping.choose(_facts(_pool(_token_mapping("Deny")), "login.mycompany.myapp", {}, null))
	r.role_arn == _auth
	r.choice == "developer_default"
	mapping.choose(_facts(_pool({}), "cognito-identity.amazonaws.com", {}, null)).role_arn == _auth
}

# A20: CustomRoleArn where no mapping applies is not documented: invalid.
test_custom_role_without_mapping_is_invalid if {
	r := mapping.choose(_facts(_pool({}), _up, _claims({}), _admin))
	r.invalid[0].field == "custom_role_arn"
	d := mapping.choose(_facts(_pool({}), "login.mycompany.myapp", {}, _admin))
	d.invalid[0].code == "custom_role_not_applicable"
}

# S1, Token: "Use the GetCredentialsForIdentity CustomRoleArn parameter if it
# is set and it matches a role in the cognito:roles claim. If this parameter
# doesn't match a role in cognito:roles, deny access."
test_token_custom_role if {
	claims := _claims({"cognito:roles": [_admin, _editor], "cognito:preferred_role": _admin})
	r := mapping.choose(_facts(_pool(_token_mapping("AuthenticatedRole")), _up, claims, _editor))
	r.role_arn == _editor
	r.choice == "token_custom_role"
	denied := mapping.choose(_facts(_pool(_token_mapping("AuthenticatedRole")), _up, claims, _auth))
	denied.refusal.code == "NotAuthorizedException"
	denied.refusal.stage == "get_credentials_for_identity"
}

# A2: "cognito:roles" as the documented comma-separated string.
test_token_roles_as_string if {
	mapping.token_roles({"cognito:roles": concat(", ", [_admin, _editor])}) == [_admin, _editor]
	claims := _claims({"cognito:roles": concat(",", [_admin, _editor])})
	mapping.choose(_facts(_pool(_token_mapping("Deny")), _up, claims, _editor)).role_arn == _editor
	mapping.token_roles({}) == []
}

# A6: role ARNs compare exactly.
test_token_custom_role_exact_match if {
	claims := _claims({"cognito:roles": [_admin]})
	r := mapping.choose(_facts(_pool(_token_mapping("AuthenticatedRole")), _up, claims, upper(_admin)))
	r.refusal.code == "NotAuthorizedException"
}

# S1: "If the cognito:preferred_role claim is set, use it."
test_token_preferred_role if {
	claims := _claims({"cognito:roles": [_admin, _editor], "cognito:preferred_role": _editor})
	r := mapping.choose(_facts(_pool(_token_mapping("Deny")), _up, claims, null))
	r.role_arn == _editor
	r.choice == "token_preferred_role"
	r.provider_key == _key
}

# S1: no preferred role, roles set, no CustomRoleArn: AmbiguousRoleResolution;
# A3 (one role, no preferred role) and A4 (no role claims) alike.
test_token_ambiguous if {
	claims := _claims({"cognito:roles": [_admin, _editor]})
	r := mapping.choose(_facts(_pool(_token_mapping("AuthenticatedRole")), _up, claims, null))
	r.role_arn == _auth
	r.choice == "ambiguous_authenticated_role"
	denied := mapping.choose(_facts(_pool(_token_mapping("Deny")), _up, claims, null))
	denied.refusal.message == sprintf("The ambiguous role mapping rules for: %s denied this request.", [_key])
	one := mapping.choose(_facts(_pool(_token_mapping("Deny")), _up, _claims({"cognito:roles": [_admin]}), null))
	one.refusal.code == "NotAuthorizedException"
	none := mapping.choose(_facts(_pool(_token_mapping("AuthenticatedRole")), _up, _claims({}), null))
	none.role_arn == _auth
	contains(none.reason, "no cognito:roles")
}

# A10: AuthenticatedRole with no default authenticated role.
test_ambiguous_without_authenticated_role if {
	pool := object.remove(_pool(_token_mapping("AuthenticatedRole")), ["Roles"])
	r := mapping.choose(_facts(pool, _up, _claims({}), null))
	r.refusal.code == "InvalidIdentityPoolConfigurationException"
	r.provider_key == _key
}

_rule(claim, match_type, value, role) := {"Claim": claim, "MatchType": match_type, "Value": value, "RoleARN": role}

# S1: "Rules are evaluated in order, and the IAM role for the first matching
# rule is used"; "The first matching rule takes precedence."
test_rules_first_match_wins if {
	rules := [
		_rule("custom:dept", "Equals", "sales", _editor),
		_rule("cognito:groups", "Contains", "admin", _admin),
		_rule("email", "StartsWith", "a", _editor),
	]
	claims := _claims({"cognito:groups": ["admin"], "email": "ann@example.com"})
	r := mapping.choose(_facts(_pool(_rules_mapping(rules, "Deny")), _up, claims, null))
	r.role_arn == _admin
	r.rule == 1
	r.choice == "rule"
}

# S1: "If no rules match, the Role resolution setting is applied".
test_rules_no_match if {
	rules := [_rule("custom:dept", "Equals", "sales", _editor)]
	claims := _claims({"custom:dept": "Sales"})
	r := mapping.choose(_facts(_pool(_rules_mapping(rules, "AuthenticatedRole")), _up, claims, null))
	r.role_arn == _auth
	denied := mapping.choose(_facts(_pool(_rules_mapping(rules, "Deny")), _up, claims, null))
	denied.refusal.code == "NotAuthorizedException"
}

# S1: "unless CustomRoleArn is specified to override the order" (A5: only the
# role of a matching rule).
test_rules_custom_role if {
	rules := [_rule("email", "StartsWith", "a", _editor), _rule("email", "Contains", "@", _admin)]
	claims := _claims({"email": "ann@example.com"})
	r := mapping.choose(_facts(_pool(_rules_mapping(rules, "Deny")), _up, claims, _admin))
	r.role_arn == _admin
	r.rule == 1
	r.choice == "rules_custom_role"
	denied := mapping.choose(_facts(_pool(_rules_mapping(rules, "AuthenticatedRole")), _up, claims, _auth))
	denied.refusal.code == "NotAuthorizedException"
}

# The four match types (S1, S8), case-sensitive (A6).
test_match_types if {
	mapping.rule_matches(_rule("c", "Equals", "abc", _admin), {"c": "abc"})
	not mapping.rule_matches(_rule("c", "Equals", "abc", _admin), {"c": "ABC"})
	mapping.rule_matches(_rule("c", "Contains", "b", _admin), {"c": "abc"})
	not mapping.rule_matches(_rule("c", "Contains", "x", _admin), {"c": "abc"})
	mapping.rule_matches(_rule("c", "StartsWith", "ab", _admin), {"c": "abc"})
	not mapping.rule_matches(_rule("c", "StartsWith", "bc", _admin), {"c": "abc"})
	mapping.rule_matches(_rule("c", "NotEqual", "x", _admin), {"c": "abc"})
	not mapping.rule_matches(_rule("c", "NotEqual", "abc", _admin), {"c": "abc"})
}

# S1: "If the match type is NotEqual and the claim doesn't exist, the rule is
# not evaluated." A7: nor do the other types match a missing claim.
test_missing_claim_never_matches if {
	every t in ["Equals", "Contains", "StartsWith", "NotEqual"] {
		not mapping.rule_matches(_rule("custom:dept", t, "x", _admin), {"email": "x"})
	}
}

# S1: custom attributes are named with their prefix ("custom:dept").
test_claim_names_literal if {
	not mapping.rule_matches(_rule("dept", "Equals", "sales", _admin), {"custom:dept": "sales"})
	mapping.rule_matches(_rule("custom:dept", "Equals", "sales", _admin), {"custom:dept": "sales"})
}

# A8: list claims element-wise (any; every for NotEqual); scalars as JSON text.
test_list_and_scalar_claims if {
	groups := {"cognito:groups": ["users", "admins"]}
	mapping.rule_matches(_rule("cognito:groups", "Equals", "admins", _admin), groups)
	mapping.rule_matches(_rule("cognito:groups", "StartsWith", "adm", _admin), groups)
	not mapping.rule_matches(_rule("cognito:groups", "NotEqual", "admins", _admin), groups)
	mapping.rule_matches(_rule("cognito:groups", "NotEqual", "guests", _admin), groups)
	mapping.rule_matches(_rule("email_verified", "Equals", "true", _admin), {"email_verified": true})
	mapping.rule_matches(_rule("level", "Equals", "42", _admin), {"level": 42})
	not mapping.rule_matches(_rule("level", "NotEqual", "42", _admin), {"level": 42})
}
