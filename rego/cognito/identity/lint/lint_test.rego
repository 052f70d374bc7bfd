package cognito.identity.lint_test

import data.cognito.identity.lint

# Expectations: reference/cognito/identity-pools.md: the documented trust
# policies (S3 "Role trust and permissions") accept only the pool's own aud
# and the intended amr, so a pool using them, with the basic flow off, has no
# finding; section 8.4 (a role trusting aud without amr is assumable by guests
# through the basic flow, S4); section 5 (a role that rejects the pool's
# tokens, or lacks sts:TagSession for principal tags, S9/S13); section 11 (25
# rules per provider, S10); S11 (identity-pool roles must constrain aud).

_pool_id := "us-east-1:12345678-corner-cafe-123456790ab"

_up := "cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"

_auth := "arn:aws:iam::123456789012:role/Cognito_CornerCafeAuth_Role"

_unauth := "arn:aws:iam::123456789012:role/Cognito_CornerCafeUnauth_Role"

_admins := "arn:aws:iam::123456789012:role/CornerCafeAdmins"

_trust(condition, actions) := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Principal": {"Federated": "cognito-identity.amazonaws.com"},
	"Action": actions,
	"Condition": condition,
}]}

_documented(amr) := _trust(
	{
		"StringEquals": {"cognito-identity.amazonaws.com:aud": _pool_id},
		"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
	},
	"sts:AssumeRoleWithWebIdentity",
)

_aud_only := _trust({"StringEquals": {"cognito-identity.amazonaws.com:aud": _pool_id}}, "sts:AssumeRoleWithWebIdentity")

_pool := {
	"IdentityPoolId": _pool_id,
	"AllowUnauthenticatedIdentities": true,
	"AllowClassicFlow": false,
	"CognitoIdentityProviders": [{"ProviderName": _up, "ClientId": "app1"}],
	"Roles": {"authenticated": _auth, "unauthenticated": _unauth},
	"RoleMappings": {concat(":", [_up, "app1"]): {
		"Type": "Rules",
		"AmbiguousRoleResolution": "Deny",
		"RulesConfiguration": {"Rules": [_rule]},
	}},
}

_rule := {"Claim": "cognito:groups", "MatchType": "Contains", "Value": "admins", "RoleARN": _admins}

_roles := {
	_auth: {"trust_policy": _documented("authenticated")},
	_unauth: {"trust_policy": _documented("unauthenticated")},
	_admins: {"trust_policy": _documented("authenticated")},
}

_rules_of(x) := {f.rule | some f in lint.findings(x)}

_with_role(role_arn, trust) := {"pool": _pool, "roles": object.union(_roles, {role_arn: {"trust_policy": trust}})}

test_well_configured_pool_has_no_finding if {
	lint.findings({"pool": _pool, "roles": _roles}) == []
	lint.report.summary == {"error": 0, "warning": 0, "info": 0} with input as {"pool": _pool, "roles": _roles}
}

test_trust_without_aud if {
	any_pool := {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}
	no_aud := _trust(any_pool, "sts:AssumeRoleWithWebIdentity")
	[f] := lint.findings(_with_role(_admins, no_aud))
	f.rule == "trust-without-aud"
	f.severity == "error"
	f.role_arn == _admins
}

test_guest_escalation_through_the_basic_flow if {
	open := object.union(object.remove(_pool, ["RoleMappings"]), {"AllowClassicFlow": true})
	x := {"pool": open, "roles": object.union(_roles, {_auth: {"trust_policy": _aud_only}})}
	"guest-escalation" in _rules_of(x)

	# The basic flow off: the role still accepts guest tokens, a warning.
	closed := object.union(_roles, {_auth: {"trust_policy": _aud_only}})
	_rules_of({"pool": _pool, "roles": closed}) == {"guest-token-accepted"}
}

test_role_rejects_pool if {
	facebook_only := _documented("graph.facebook.com")
	[f] := lint.findings(_with_role(_admins, facebook_only))
	f.rule == "role-rejects-pool"
	contains(f.field, "RulesConfiguration.Rules[0]")

	# S3: a default role trusting only Facebook logins rejects the user pool's sign-ins.
	with_facebook := object.union(_pool, {"SupportedLoginProviders": {"graph.facebook.com": "7346241598935552"}})
	fs := lint.findings({"pool": with_facebook, "roles": object.union(_roles, {_auth: {"trust_policy": facebook_only}})})
	[g] := [g | some g in fs; g.role_arn == _auth]
	contains(g.message, _up)
	not contains(g.message, "tokens of graph.facebook.com")
	swapped := object.union(_roles, {_unauth: {"trust_policy": _documented("authenticated")}})
	"role-rejects-pool" in _rules_of({"pool": _pool, "roles": swapped})
}

test_tag_session_missing if {
	tagged := object.union(_pool, {"PrincipalTagAttributeMaps": {_up: {"UseDefaults": true}}})
	fs := lint.findings({"pool": tagged, "roles": _roles})
	{f.role_arn | some f in fs; f.rule == "role-rejects-pool"} == {_auth, _admins}
	with_tag_session := {r: {"trust_policy": _trust(
		_documented("authenticated").Statement[0].Condition,
		["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
	)} |
		some r in [_auth, _admins]
	}
	lint.findings({"pool": tagged, "roles": object.union(_roles, with_tag_session)}) == []
}

test_pinned_role_not_reported if {
	pinned := _trust(
		{
			"StringEquals": {
				"cognito-identity.amazonaws.com:aud": _pool_id,
				"cognito-identity.amazonaws.com:sub": ["us-east-1:12345678-1234-1234-1234-123456790ab"],
			},
			"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
		},
		"sts:AssumeRoleWithWebIdentity",
	)
	lint.findings(_with_role(_admins, pinned)) == []
}

test_role_not_given if {
	[f] := lint.findings({"pool": _pool, "roles": object.remove(_roles, [_admins])})
	f.rule == "role-not-given"
	f.severity == "info"
}

test_basic_flow_role_choice if {
	open := object.union(object.remove(_pool, ["RoleMappings"]), {"AllowClassicFlow": true})
	[f] := lint.findings({"pool": open, "roles": _roles})
	f.rule == "basic-flow-role-choice"
	f.role_arn == _admins
	unset := lint.findings({"pool": object.remove(_pool, ["AllowClassicFlow"]), "roles": _roles})
	[g] := unset
	g.rule == "classic-flow-unset"
}

test_ambiguous_default_role if {
	pool := json.patch(_pool, [{
		"op": "replace",
		"path": sprintf("/RoleMappings/%s/AmbiguousRoleResolution", [replace(concat(":", [_up, "app1"]), "/", "~1")]),
		"value": "AuthenticatedRole",
	}])
	[f] := lint.findings({"pool": pool, "roles": _roles})
	f.rule == "ambiguous-default-role"
	f.role_arn == _auth
}

test_too_many_rules if {
	many := json.patch(_pool, [{
		"op": "replace",
		"path": sprintf("/RoleMappings/%s/RulesConfiguration/Rules", [replace(concat(":", [_up, "app1"]), "/", "~1")]),
		"value": [_rule | some _ in numbers.range(1, 26)],
	}])
	[f] := lint.findings({"pool": many, "roles": _roles})
	f.rule == "too-many-rules"
	contains(f.message, "26 rules")
}

test_invalid_configuration if {
	[f] := lint.findings({"pool": object.union(_pool, {"Roles": {"admin": _admins}}), "roles": _roles})
	f.rule == "invalid-configuration"
	f.field == "pool.Roles[\"admin\"]"
	[g] := lint.findings({"roles": _roles})
	g.field == "pool"
}

# A Facebook mapping is keyed by the provider name; a guests-only pool has no
# provider (the checks then use a placeholder sign-in).
test_other_providers if {
	facebook := object.union(object.remove(_pool, ["CognitoIdentityProviders", "RoleMappings"]), {
		"SupportedLoginProviders": {"graph.facebook.com": "7346241598935552"},
		"RoleMappings": {"graph.facebook.com": {
			"Type": "Rules",
			"AmbiguousRoleResolution": "Deny",
			"RulesConfiguration": {"Rules": [object.union(_rule, {"Claim": "sub", "Value": "1"})]},
		}},
	})
	lint.findings({"pool": facebook, "roles": _roles}) == []
	guests_only := object.remove(_pool, ["CognitoIdentityProviders", "RoleMappings"])
	lint.findings({"pool": guests_only, "roles": _roles}) == []
}
