# METADATA
# title: Identity object validation
# description: |
#   What makes an identity object impossible to resolve: a missing or
#   malformed pool (DescribeIdentityPool's fields, GetIdentityPoolRoles'
#   Roles and RoleMappings, PrincipalTagAttributeMaps), a pool AWS would not
#   have accepted (SetIdentityPoolRoles' limits and required fields), a role
#   entry whose policies are not valid IAM policies, or request fields of
#   the wrong type or in the wrong flow. Each error is {"code", "field",
#   "message"}, the field relative to the identity object, e.g.
#   "pool.RoleMappings[\"graph.facebook.com\"].Type".
#   Sources: Cognito Identity API Reference (S8: IdentityPool, RoleMapping,
#   MappingRule, RulesConfigurationType, SetPrincipalTagAttributeMap), Cognito
#   quotas (S10), reference/cognito/identity-pools.md sections 2, 10, 11.
package cognito.identity.validation

import data.cognito.identity.logins
import data.cognito.identity.token
import data.cognito.managed
import data.cognito.util
import data.cognito.validation as policy_validation

# METADATA
# description: The fields of the identity object the contract defines.
fields := {"pool", "roles", "flow", "login_provider", "token", "identity_id", "custom_role_arn", "role_arn", "jwks"}

_err(code, field, message) := {"code": code, "field": field, "message": message}

_types := {
	"flow": "string",
	"login_provider": "string",
	"identity_id": "string",
	"custom_role_arn": "string",
	"role_arn": "string",
	"roles": "object",
}

_pool_types := {
	"IdentityPoolId": "string",
	"AllowUnauthenticatedIdentities": "boolean",
	"AllowClassicFlow": "boolean",
	"CognitoIdentityProviders": "array",
	"SupportedLoginProviders": "object",
	"DeveloperProviderName": "string",
	"OpenIdConnectProviderARNs": "array",
	"SamlProviderARNs": "array",
	"Roles": "object",
	"RoleMappings": "object",
	"PrincipalTagAttributeMaps": "object",
}

_role_arn_pattern := `^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/.+$`

# METADATA
# description: The errors of identity object x (set; empty when it can be resolved).
errors(x) := {_err("invalid_type", "", "identity must be a JSON object")} if {
	not is_object(x)
} else := union({
	_field_type_errors(x),
	_request_errors(x),
	_token_errors(x),
	_pool_errors(x),
	_roles_errors(object.get(x, "roles", {})),
})

_field_type_errors(x) := {_err("invalid_type", field, sprintf("%s must be a JSON %s", [field, expected])) |
	some field, expected in _types
	value := x[field]
	type_name(value) != expected
}

_request_errors(x) := ({_err("invalid_flow", "flow", "flow must be \"enhanced\" or \"basic\"") |
	is_string(x.flow)
	not x.flow in {"enhanced", "basic"}
} | _flow_errors(object.get(x, "flow", "enhanced"), x)) | _id_errors(x)

_flow_errors("basic", x) := {_err(
	"custom_role_not_applicable", "custom_role_arn",
	"custom_role_arn is a GetCredentialsForIdentity parameter (enhanced flow); the basic flow takes role_arn",
) |
	"custom_role_arn" in object.keys(x)
} | {_err("missing_field", "role_arn", "the basic flow needs role_arn: the RoleArn the client passes to STS") |
	not "role_arn" in object.keys(x)
}

_flow_errors("enhanced", x) := {_err(
	"role_arn_not_applicable", "role_arn",
	"role_arn is the basic flow's RoleArn; in the enhanced flow Cognito chooses the role (custom_role_arn asks for one)",
) |
	"role_arn" in object.keys(x)
} | {_err(
	"custom_role_not_applicable", "custom_role_arn",
	"custom_role_arn for a guest: AWS documents no behaviour for it (identity-pools.md A20), so it is not evaluated",
) |
	"custom_role_arn" in object.keys(x)
	not "login_provider" in object.keys(x)
}

_flow_errors(flow, _) := set() if not flow in {"enhanced", "basic"}

_id_errors(x) := ({_err(
	"invalid_identity_id", "identity_id",
	"identity_id must be an identity ID REGION:GUID",
) |
	is_string(x.identity_id)
	not _identity_id_like(x.identity_id)
} | {_err("invalid_arn", field, sprintf("%s must be an IAM role ARN", [field])) |
	some field in ["custom_role_arn", "role_arn"]
	is_string(x[field])
	not regex.match(_role_arn_pattern, x[field])
}) | {_err("invalid_login_provider", "login_provider", "login_provider must not be empty") |
	x.login_provider == ""
}

# REGION:ID; AWS's own pattern ([\w-]+:[0-9a-f-]+) is checked by canonical_id
# (a warning): the documentation's examples use IDs such as
# us-east-1:12345678-corner-cafe-123456790ab.
_identity_id_like(s) if regex.match(`^[\w-]+:[\w-]+$`, s)

# METADATA
# description: |
#   True when s has the form of AWS's identity and identity-pool IDs: at
#   most 55 characters of the pattern [\w-]+:[0-9a-f-]+ (S8).
canonical_id(s) if {
	regex.match(`^[\w-]+:[0-9a-f-]+$`, s)
	count(s) <= 55
}

_token_errors(x) := union({
	{_err("invalid_type", "token", "token must be the claims (a JSON object) or the raw JWT (a string)") |
		t := x.token
		not is_object(t)
		not is_string(t)
	},
	{_err("invalid_token", "token", "token is not a JWT whose payload is a JSON object (io.jwt.decode)") |
		is_string(x.token)
		not token.claims(x.token)
	},
	{_err("token_without_login", "token", concat(" ", [
		"a token needs login_provider (its Logins key);",
		"without one the request is a guest's, which presents no token",
	])) |
		"token" in object.keys(x)
		not "login_provider" in object.keys(x)
	},
	{_err("invalid_type", "jwks", "jwks must be a JWKS: a JSON object with \"keys\", or its JSON text") |
		k := x.jwks
		not is_string(k)
		not is_array(object.get(k, "keys", null))
	},
})

_pool_errors(x) := {_err("missing_field", "pool", "the identity has no pool (describe-identity-pool output)")} if {
	not "pool" in object.keys(x)
} else := {_err(
	"roles_with_stored_pool", "roles",
	"pool names a stored identity pool, which brings its own roles: give the pool object to give roles",
)} if {
	is_string(x.pool)
	"roles" in object.keys(x)
} else := {_err("unknown_identity_pool", "pool", sprintf(
	"the bundle stores no identity pool %q (bundle build --identity-pools); give its ID or the pool object",
	[x.pool],
))} if {
	is_string(x.pool)
} else := {_err("invalid_type", "pool", "pool must be a JSON object, or the IdentityPoolId of a stored pool")} if {
	not is_object(x.pool)
} else := union({
	_pool_field_errors(x.pool),
	_providers_errors(x.pool),
	_default_roles_errors(x.pool),
	_mappings_errors(x.pool),
	_tag_map_errors(x.pool),
})

_pool_field_errors(pool) := ({_err("missing_field", sprintf("pool.%s", [f]), sprintf("pool.%s is required", [f])) |
	some f in ["IdentityPoolId", "AllowUnauthenticatedIdentities"]
	not f in object.keys(pool)
} | {_err("invalid_type", sprintf("pool.%s", [f]), sprintf("pool.%s must be a JSON %s", [f, t])) |
	some f, t in _pool_types
	value := pool[f]
	type_name(value) != t
}) | {_err("invalid_pool_id", "pool.IdentityPoolId", "IdentityPoolId must be REGION:GUID") |
	is_string(pool.IdentityPoolId)
	not _identity_id_like(pool.IdentityPoolId)
}

_providers_errors(pool) := union({
	{_err("invalid_type", sprintf("pool.CognitoIdentityProviders[%d]", [i]), message) |
		some i, p in util.as_array(pool.CognitoIdentityProviders)
		not is_object(p)
		message := "a CognitoIdentityProviders entry is {ProviderName, ClientId, ServerSideTokenCheck}"
	},
	{_err("invalid_type", field, "ProviderName must be a string") |
		some i, p in util.as_array(pool.CognitoIdentityProviders)
		is_object(p)
		field := sprintf("pool.CognitoIdentityProviders[%d].ProviderName", [i])
		not is_string(object.get(p, "ProviderName", null))
	},
	{_err("invalid_type", sprintf("pool.CognitoIdentityProviders[%d].ClientId", [i]), "ClientId must be a string") |
		some i, p in util.as_array(pool.CognitoIdentityProviders)
		"ClientId" in object.keys(p)
		not is_string(p.ClientId)
	},
	{_err("invalid_type", sprintf("pool.SupportedLoginProviders[%q]", [k]), "an app ID must be a string") |
		some k, v in util.as_object(pool.SupportedLoginProviders)
		not is_string(v)
	},
	{_err("invalid_type", sprintf("pool.%s[%d]", [f, i]), "a provider ARN must be a string") |
		some f in ["OpenIdConnectProviderARNs", "SamlProviderARNs"]
		some i, v in util.as_array(pool[f])
		not is_string(v)
	},
})

_default_roles_errors(pool) := {_err(
	"invalid_roles", sprintf("pool.Roles[%q]", [k]),
	"Roles takes the keys authenticated and unauthenticated, each an IAM role ARN (SetIdentityPoolRoles)",
) |
	some k, v in util.as_object(pool.Roles)
	not _default_role_entry(k, v)
}

_default_role_entry(k, v) if {
	k in {"authenticated", "unauthenticated"}
	is_string(v)
	regex.match(_role_arn_pattern, v)
}

# SetIdentityPoolRoles would refuse these with InvalidParameterException (S8, S10; code A19).
_mappings_errors(pool) := {_err(
	"invalid_role_mapping", "pool.RoleMappings",
	sprintf("%d role mappings: at most 10 providers can have one (S10, not adjustable)", [count(pool.RoleMappings)]),
) |
	count(util.as_object(pool.RoleMappings)) > 10
} | {e |
	some key, m in util.as_object(pool.RoleMappings)
	some e in _mapping_errors(pool, key, m, sprintf("pool.RoleMappings[%q]", [key]))
}

_mapping_errors(pool, key, m, field) := {_err("invalid_type", field, "a role mapping must be a JSON object")} if {
	not is_object(m)
} else := union({
	{_err(
		"invalid_role_mapping", field,
		sprintf("%s is not a valid RoleMapping ProviderName or is not a configured provider.", [key]),
	) |
		not logins.configured_key(pool, key)
	},
	{_err("invalid_role_mapping", sprintf("%s.Type", [field]), "Type must be Token or Rules") |
		not object.get(m, "Type", null) in {"Token", "Rules"}
	},
	{_err(
		"invalid_role_mapping", sprintf("%s.AmbiguousRoleResolution", [field]),
		"AmbiguousRoleResolution must be AuthenticatedRole or Deny (required for Token and Rules, S8)",
	) |
		not object.get(m, "AmbiguousRoleResolution", null) in {"AuthenticatedRole", "Deny"}
	},
	_rules_errors(m, field),
})

_rules_errors(m, field) := {_err(
	"invalid_role_mapping", sprintf("%s.RulesConfiguration.Rules", [field]),
	"a Rules mapping needs RulesConfiguration.Rules: 1 to 25 rules (S1, S10: not adjustable)",
)} if {
	m.Type == "Rules"
	not _rule_count_ok(m)
} else := {e |
	m.Type == "Rules"
	some i, r in m.RulesConfiguration.Rules
	some e in _rule_errors(r, sprintf("%s.RulesConfiguration.Rules[%d]", [field, i]))
}

_rule_count_ok(m) if {
	is_array(m.RulesConfiguration.Rules)
	count(m.RulesConfiguration.Rules) >= 1
	count(m.RulesConfiguration.Rules) <= 25
}

_rule_errors(r, field) := {_err("invalid_type", field, "a rule must be a JSON object")} if {
	not is_object(r)
} else := {_err("invalid_rule", sprintf("%s.%s", [field, k]), message) |
	some k, message in {
		"Claim": "Claim must be a claim name of 1 to 64 characters",
		"MatchType": "MatchType must be Equals, Contains, StartsWith or NotEqual",
		"Value": "Value must be a string of 1 to 128 characters",
		"RoleARN": "RoleARN must be an IAM role ARN",
	}
	not _rule_field_ok(k, object.get(r, k, null))
}

_rule_field_ok("Claim", v) if _length_within(v, 64)

_rule_field_ok("MatchType", v) if v in {"Equals", "Contains", "StartsWith", "NotEqual"}

_rule_field_ok("Value", v) if _length_within(v, 128)

_rule_field_ok("RoleARN", v) if {
	is_string(v)
	regex.match(_role_arn_pattern, v)
}

_length_within(v, n) if {
	is_string(v)
	count(v) >= 1
	count(v) <= n
}

_tag_map_errors(pool) := {_err("invalid_type", sprintf("pool.PrincipalTagAttributeMaps[%q]", [p]), message) |
	some p, m in util.as_object(pool.PrincipalTagAttributeMaps)
	not _tag_map_ok(m)
	message := "a principal tag map is {UseDefaults: boolean, PrincipalTags: {tag key: claim name}}, at most 50 tags (S8)"
}

_tag_map_ok(m) if {
	is_object(m)
	type_name(object.get(m, "UseDefaults", false)) == "boolean"
	tags := object.get(m, "PrincipalTags", {})
	is_object(tags)
	count(tags) <= 50
	every v in tags {
		is_string(v)
	}
}

_roles_errors(roles) := set() if {
	not is_object(roles)
} else := {e |
	some role_arn, entry in roles
	some e in _role_errors(role_arn, entry, sprintf("roles[%q]", [role_arn]))
}

_role_errors(role_arn, entry, field) := {_err("invalid_arn", field, "roles are keyed by IAM role ARN")} if {
	not regex.match(_role_arn_pattern, role_arn)
} else := {_err("invalid_type", field, "a role entry must be a JSON object")} if {
	not is_object(entry)
} else := {_err(
	"missing_field", sprintf("%s.trust_policy", [field]),
	"a role entry needs its trust_policy (get-role's AssumeRolePolicyDocument): STS evaluates it",
)} if {
	not "trust_policy" in object.keys(entry)
} else := union({
	policy_validation.policy_errors(entry.trust_policy, sprintf("%s.trust_policy", [field]), "resource"),
	_role_documents_errors(entry, field),
})

_role_documents_errors(entry, field) := union({
	{_err("invalid_type", sprintf("%s.%s", [field, k]), sprintf("%s must be a JSON %s", [k, t])) |
		some k, t in {"policies": "array", "managed_policies": "array", "permissions_boundary": "object"}
		value := entry[k]
		type_name(value) != t
	},
	{e |
		some i, d in util.as_array(entry.policies)
		some e in policy_validation.policy_errors(d, sprintf("%s.policies[%d]", [field, i]), "identity")
	},
	{e |
		is_object(entry.permissions_boundary)
		boundary_field := sprintf("%s.permissions_boundary", [field])
		some e in policy_validation.policy_errors(entry.permissions_boundary, boundary_field, "identity")
	},
	{_err("unknown_managed_policy", sprintf("%s.managed_policies[%d]", [field, i]), sprintf(
		"no AWS managed policy %v in the bundle: give its document in policies (get-policy-version)",
		[ref],
	)) |
		some i, ref in util.as_array(entry.managed_policies)
		not managed.name(ref)
	},
})
