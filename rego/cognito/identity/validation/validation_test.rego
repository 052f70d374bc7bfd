package cognito.identity.validation_test

import data.cognito.identity.validation

# Expectations: the Cognito Identity API Reference (S8: IdentityPool fields
# and types; RoleMapping "If you specify Token or Rules as the Type,
# AmbiguousRoleResolution is required"; "Up to 25 rules can be specified per
# identity provider"; RoleMappingMap max 10; MappingRule Claim 1..64, Value
# 1..128; PrincipalTags max 50), quotas (S10), observed text S19
# ("... is not a valid RoleMapping ProviderName or is not a configured
# provider."), reference/cognito/identity-pools.md sections 2, 10-12 (A20).

_up := "cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"

_key := concat(":", [_up, "app1"])

_role := "arn:aws:iam::123456789012:role/Auth"

_trust := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Principal": {"Federated": "cognito-identity.amazonaws.com"},
	"Action": "sts:AssumeRoleWithWebIdentity",
}]}

_pool := {
	"IdentityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555",
	"IdentityPoolName": "ignored",
	"AllowUnauthenticatedIdentities": true,
	"CognitoIdentityProviders": [{"ProviderName": _up, "ClientId": "app1", "ServerSideTokenCheck": false}],
	"Roles": {"authenticated": _role},
}

_base := {"pool": _pool, "roles": {_role: {"trust_policy": _trust}}}

_identity(extra) := object.union(_base, extra)

_pool_fields(extra) := _fields(_identity({"pool": object.union(_pool, extra)}))

_rules(rules) := {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": rules}}

_fields(x) := {e.field | some e in validation.errors(x)}

_rule := {"Claim": "email", "MatchType": "Contains", "Value": "@", "RoleARN": _role}

_with_mapping(m) := _identity({"pool": object.union(_pool, {"RoleMappings": {_key: m}})})

test_valid if {
	validation.errors(_identity({})) == set()
	signed_in := {"login_provider": _up, "token": {"aud": "app1"}, "identity_id": "us-east-1:abc"}
	validation.errors(_identity(signed_in)) == set()
	validation.errors(_identity({"flow": "basic", "role_arn": _role})) == set()
	validation.errors(_with_mapping(_rules([_rule]))) == set()
}

test_not_an_object if {
	_fields([]) == {""}
}

test_pool_required if {
	_fields({}) == {"pool"}
	_fields({"pool": "x"}) == {"pool"}
	_fields({"pool": 1}) == {"pool"}
	_fields({"pool": {}}) == {"pool.IdentityPoolId", "pool.AllowUnauthenticatedIdentities"}
}

# A string pool left unexpanded (cognito.identity.facts.expanded): no stored
# pool has that ID, or roles were given beside it.
test_pool_id_not_stored if {
	codes := {[e.code, e.field] | some e in validation.errors({"pool": _pool.IdentityPoolId})}
	codes == {["unknown_identity_pool", "pool"]}
	with_roles := {"pool": _pool.IdentityPoolId, "roles": _base.roles}
	{[e.code, e.field] | some e in validation.errors(with_roles)} == {["roles_with_stored_pool", "roles"]}
	{e.code | some e in validation.errors({"pool": 1})} == {"invalid_type"}
}

test_pool_types if {
	pool := object.union(_pool, {"AllowClassicFlow": "yes", "SupportedLoginProviders": {"graph.facebook.com": 1}})
	_fields(_identity({"pool": pool})) == {"pool.AllowClassicFlow", "pool.SupportedLoginProviders[\"graph.facebook.com\"]"}
	_fields(_identity({"pool": object.union(_pool, {"IdentityPoolId": "no colon"})})) == {"pool.IdentityPoolId"}
	bad_provider := json.patch(_pool, [{"op": "replace", "path": "/CognitoIdentityProviders", "value": [{"ClientId": 1}]}])
	_fields(_identity({"pool": bad_provider})) == {
		"pool.CognitoIdentityProviders[0].ProviderName",
		"pool.CognitoIdentityProviders[0].ClientId",
	}
	_fields(_identity({"pool": object.union(_pool, {"SamlProviderARNs": [1]})})) == {"pool.SamlProviderARNs[0]"}
	not_objects := object.union(object.remove(_pool, ["CognitoIdentityProviders"]), {"CognitoIdentityProviders": [_up]})
	_fields(_identity({"pool": not_objects})) == {"pool.CognitoIdentityProviders[0]"}
}

test_default_roles_keys if {
	_fields(_identity({"pool": object.union(_pool, {"Roles": {"admin": _role}})})) == {"pool.Roles[\"admin\"]"}
	_pool_fields({"Roles": {"authenticated": "Auth"}}) == {"pool.Roles[\"authenticated\"]"}
}

test_role_mapping_requirements if {
	field := sprintf("pool.RoleMappings[%q]", [_key])
	_fields(_with_mapping({"Type": "Token"})) == {concat(".", [field, "AmbiguousRoleResolution"])}
	_fields(_with_mapping({"Type": "Groups", "AmbiguousRoleResolution": "Deny"})) == {concat(".", [field, "Type"])}
	no_rules := {"Type": "Rules", "AmbiguousRoleResolution": "Deny"}
	_fields(_with_mapping(no_rules)) == {concat(".", [field, "RulesConfiguration.Rules"])}
	_fields(_with_mapping("Token")) == {field}
}

test_rule_limits if {
	rules := [_rule | some _ in numbers.range(1, 26)]
	errs := validation.errors(_with_mapping(_rules(rules)))
	[e] := [e | some e in errs]
	contains(e.message, "1 to 25 rules")
	bad := {"Claim": "", "MatchType": "Like", "Value": concat("", ["v" | some _ in numbers.range(0, 128)]), "RoleARN": "x"}
	bad_rule_fields := _fields(_with_mapping(_rules([bad, 1])))
	prefix := sprintf("pool.RoleMappings[%q].RulesConfiguration.Rules", [_key])
	suffixes := ["[0].Claim", "[0].MatchType", "[0].Value", "[0].RoleARN", "[1]"]
	bad_rule_fields == {concat("", [prefix, suffix]) | some suffix in suffixes}
}

test_mapping_key_must_be_configured if {
	pool := object.union(_pool, {"RoleMappings": {_up: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}}})
	[e] := [e | some e in validation.errors(_identity({"pool": pool}))]
	e.message == sprintf("%s is not a valid RoleMapping ProviderName or is not a configured provider.", [_up])
}

test_at_most_ten_mappings if {
	logins := {sprintf("login%d.example.com", [i]): "app" | some i in numbers.range(1, 11)}
	mappings := {p: {"Type": "Token", "AmbiguousRoleResolution": "Deny"} | some p, _ in logins}
	pool := object.union(_pool, {"SupportedLoginProviders": logins, "RoleMappings": mappings})
	_fields(_identity({"pool": pool})) == {"pool.RoleMappings"}
}

test_tag_maps if {
	maps := {_up: {"UseDefaults": "yes"}, "x": {"PrincipalTags": {"a": 1}}}
	_pool_fields({"PrincipalTagAttributeMaps": maps}) == {
		sprintf("pool.PrincipalTagAttributeMaps[%q]", [_up]),
		"pool.PrincipalTagAttributeMaps[\"x\"]",
	}
}

test_roles_entries if {
	_fields(_identity({"roles": {"Auth": {}}})) == {"roles[\"Auth\"]"}
	_fields(_identity({"roles": {_role: "x"}})) == {sprintf("roles[%q]", [_role])}
	_fields({"pool": _pool, "roles": {_role: {}}}) == {sprintf("roles[%q].trust_policy", [_role])}
	entry := {
		"trust_policy": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity"}]},
		"policies": [{"Statement": [{"Effect": "Maybe", "Action": "s3:GetObject", "Resource": "*"}]}],
		"managed_policies": ["AmazonS3FullAccess"],
		"permissions_boundary": {"Statement": {"Effect": "Allow"}},
	}
	fields := _fields(_identity({"roles": {_role: entry}}))
	prefix := sprintf("roles[%q]", [_role])
	every suffix in [".trust_policy.Statement[0]", ".policies[0].Statement[0].Effect", ".managed_policies[0]"] {
		concat("", [prefix, suffix]) in fields
	}
	_fields(_identity({"roles": {_role: {"trust_policy": _trust, "policies": {}}}})) == {concat("", [prefix, ".policies"])}
	_fields(_identity({"roles": []})) == {"roles"}
	some f in fields
	startswith(f, concat("", [prefix, ".permissions_boundary"]))
}

test_request_fields if {
	_fields(_identity({"flow": "classic"})) == {"flow"}
	_fields(_identity({"flow": 1})) == {"flow"}
	_fields(_identity({"login_provider": ""})) == {"login_provider"}
	_fields(_identity({"identity_id": "nope"})) == {"identity_id"}
	_fields(_identity({"login_provider": _up, "custom_role_arn": "Admin"})) == {"custom_role_arn"}
}

test_flow_fields if {
	_fields(_identity({"flow": "basic"})) == {"role_arn"}
	both := {"flow": "basic", "role_arn": _role, "custom_role_arn": _role, "login_provider": _up}
	_fields(_identity(both)) == {"custom_role_arn"}
	_fields(_identity({"role_arn": _role})) == {"role_arn"}

	# A20: CustomRoleArn for a guest is not documented.
	_fields(_identity({"custom_role_arn": _role})) == {"custom_role_arn"}
}

test_token_fields if {
	_fields(_identity({"login_provider": _up, "token": 5})) == {"token"}
	_fields(_identity({"login_provider": _up, "token": "not-a-jwt"})) == {"token"}
	_fields(_identity({"token": {"aud": "app1"}})) == {"token"}
	_fields(_identity({"login_provider": _up, "token": {}, "jwks": {"k": []}})) == {"jwks"}
	validation.errors(_identity({"login_provider": _up, "token": {}, "jwks": "{}"})) == set()
}

test_canonical_id if {
	validation.canonical_id("us-east-1:12345678-abcd-abcd-abcd-123456790ab")
	not validation.canonical_id("us-east-1:12345678-corner-cafe-123456790ab")
}
