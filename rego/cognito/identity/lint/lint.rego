# METADATA
# title: Identity-pool lint
# description: |
#   Misconfigurations of an identity pool and its roles, found by asking the
#   resolution's own questions of hypothetical tokens: may another pool's
#   token assume a role (no aud condition), may a guest token assume a role
#   meant for sign-ins (no amr condition: guest escalation through the basic
#   flow), does a role the pool hands out reject the pool's own tokens (or
#   lack sts:TagSession for the pool's principal tags), may any signed-in
#   user pick any role in the basic flow, does ambiguous resolution hand out
#   the default role after rules, more than 25 rules, and anything AWS would
#   not accept (cognito.identity.validation). Input: {"pool", "roles"} as in
#   the identity object. Each finding is {"rule", "severity", "role_arn",
#   "field", "message", "hint"}; data.cognito.identity.lint.report answers
#   for input.
#   Sources: reference/cognito/identity-pools.md sections 5, 8.4, 11, 12 and
#   the Cognito Developer Guide "Security best practices for Amazon Cognito
#   identity pools" (S11), "Identity pools authentication flow" (S4).
package cognito.identity.lint

import data.cognito.analysis.lint.config
import data.cognito.identity.logins
import data.cognito.identity.sts
import data.cognito.identity.tags
import data.cognito.identity.validation
import data.cognito.util

# METADATA
# description: Every rule by id - {"severity", "summary", "source"}; severities as in cognito.analysis.lint.
rules := {
	"trust-without-aud": {
		"severity": "error",
		"summary": "a role's trust policy accepts tokens of any identity pool (no aud condition)",
		"source": "S11/S14: roles for identity pools must constrain cognito-identity.amazonaws.com:aud",
	},
	"guest-escalation": {
		"severity": "error",
		"summary": "a role meant for sign-ins accepts guest tokens (no amr condition) while the basic flow is open",
		"source": "identity-pools.md 8.4; S4: the basic flow exchanges tokens for any role that trusts the pool",
	},
	"guest-token-accepted": {
		"severity": "warning",
		"summary": "a role meant for sign-ins accepts guest tokens (no amr condition); exposed if the basic flow is enabled",
		"source": "identity-pools.md 8.4; S3: the documented trust policies test amr",
	},
	"role-rejects-pool": {
		"severity": "error",
		"summary": "a role the pool hands out rejects the pool's tokens: those users get no credentials",
		"source": "identity-pools.md 5; S9 InvalidIdentityPoolConfigurationException",
	},
	"role-not-given": {
		"severity": "info",
		"summary": "a role the pool names has no entry in roles, so its trust policy is not checked",
		"source": "identity-pools.md 9",
	},
	"basic-flow-role-choice": {
		"severity": "warning",
		"summary": "the basic flow is open: any signed-in user may assume every role that trusts the pool",
		"source": "S4: tokens of the basic flow can be exchanged \"for any IAM roles that trust your identity pool\"",
	},
	"classic-flow-unset": {
		"severity": "warning",
		"summary": "AllowClassicFlow is not set: pools made through the CLI or SDK were observed to allow the basic flow",
		"source": "identity-pools.md 8.5, A9 (S20)",
	},
	"ambiguous-default-role": {
		"severity": "warning",
		"summary": "sign-ins no rule matches get the default authenticated role (AmbiguousRoleResolution AuthenticatedRole)",
		"source": "S1: \"If no rules match, the Role resolution setting is applied\"",
	},
	"too-many-rules": {
		"severity": "error",
		"summary": "more than 25 rules for one provider (not adjustable): AWS refuses the mapping",
		"source": "S1, S10 quotas",
	},
	"invalid-configuration": {
		"severity": "error",
		"summary": "a pool or role AWS would not accept, or that cannot be evaluated",
		"source": "cognito.identity.validation (S8 SetIdentityPoolRoles, SetPrincipalTagAttributeMap)",
	},
}

# METADATA
# description: |
#   The lint report for input, {"findings", "summary" (count by severity),
#   "severities" (each severity's rank, as in cognito.analysis.lint)}.
# entrypoint: true
report := {
	"findings": fs,
	"summary": {severity: count([f | some f in fs; f.severity == severity]) | some severity, _ in config.severities},
	"severities": config.severities,
} if {
	fs := findings(input)
}

_finding(rule, role_arn, field, message, hint) := {
	"rule": rule,
	"severity": rules[rule].severity,
	"role_arn": role_arn,
	"field": field,
	"message": message,
	"hint": hint,
}

_other_pool := "us-east-1:00000000-0000-4000-8000-000000000000"

# METADATA
# description: |
#   The findings for x ({"pool", "roles"}), sorted by severity, rule and role.
findings(x) := [entry[2] | some entry in sort([[_rank(f.severity), f.rule, f] | some f in _all(x)])]

_rank("error") := 0

_rank("warning") := 1

_rank("info") := 2

_all(x) := _invalid_findings(x) if {
	not is_object(object.get(x, "pool", null))
} else := union({_invalid_findings(x), _rules_count(x.pool), _semantic(x)}) if {
	count(_pool_errors(x)) == 0
} else := _invalid_findings(x) | _rules_count(x.pool)

_pool_errors(x) := {e |
	some e in validation.errors(x)
	not _counted_rules_error(object.get(x, "pool", {}), e)
}

# A rule count past 25 has its own finding (too-many-rules).
_counted_rules_error(pool, e) if {
	endswith(e.field, ".RulesConfiguration.Rules")
	some key, m in pool.RoleMappings
	e.field == sprintf("pool.RoleMappings[%q].RulesConfiguration.Rules", [key])
	count(util.as_array(m.RulesConfiguration.Rules)) > 25
}

_invalid_findings(x) := {_finding("invalid-configuration", null, e.field, e.message, "") |
	some e in _pool_errors(x)
}

_rules_count(pool) := {_finding(
	"too-many-rules", null, sprintf("pool.RoleMappings[%q].RulesConfiguration.Rules", [key]),
	sprintf("%s has %d rules: at most 25 per provider", [key, count(m.RulesConfiguration.Rules)]),
	"merge rules (Contains / StartsWith) or move the choice into cognito:preferred_role (Type Token)",
) |
	some key, m in util.as_object(pool.RoleMappings)
	count(util.as_array(m.RulesConfiguration.Rules)) > 25
}

_semantic(x) := union({
	_without_aud(x),
	_guest_tokens(x),
	_rejecting_roles(x),
	_basic_flow(x),
	_ambiguous(x),
})

# Facts of a hypothetical token of pool_id (see cognito.identity.facts).
_token(pool, pool_id, lp) := {
	"pool": pool,
	"pool_id": pool_id,
	"flow": "basic",
	"login_provider": lp,
	"authenticated": is_string(lp),
	"identity_id": null,
}

# The login providers of the pool (a placeholder when it has none).
_providers(pool) := ps if {
	ps := {lp |
		some lp in array.flatten([
			[p.ProviderName | some p in object.get(pool, "CognitoIdentityProviders", [])],
			[k | some k, _ in object.get(pool, "SupportedLoginProviders", {})],
			[logins.oidc_name(a) | some a in object.get(pool, "OpenIdConnectProviderARNs", [])],
			object.get(pool, "SamlProviderARNs", []),
		])
	}
	count(ps) > 0
} else := {"accounts.google.com"}

_accepts(role, token) if not sts.refusal(token, "arn:aws:iam::000000000000:role/lint", role.trust_policy, {})

# Roles pinned to identities (a cognito-identity.amazonaws.com:sub condition)
# reject almost every token by design: not reported as rejecting the pool.
_pinned(role) if contains(lower(json.marshal(role.trust_policy)), "cognito-identity.amazonaws.com:sub")

_without_aud(x) := {_finding(
	"trust-without-aud", role_arn, sprintf("roles[%q].trust_policy", [role_arn]),
	sprintf("%s accepts tokens of identity pool %s, which is not this pool: any pool's identities can assume it", [
		role_arn, _other_pool,
	]),
	"add StringEquals cognito-identity.amazonaws.com:aud with the pool ID",
) |
	some role_arn, role in x.roles
	some lp in array.concat([null], [p | some p in _providers(x.pool)])
	_accepts(role, _token({"IdentityPoolId": _other_pool}, _other_pool, lp))
}

# Roles meant for sign-ins: every role but the pool's unauthenticated role.
_signed_in_roles(x) := {role_arn: role |
	some role_arn, role in x.roles
	role_arn != object.get(x.pool, ["Roles", "unauthenticated"], "")
}

_basic_open(pool) if {
	object.get(pool, "AllowClassicFlow", true) != false
	count(object.get(pool, "RoleMappings", {})) == 0
}

_guest_tokens(x) := {_finding(
	rule, role_arn, sprintf("roles[%q].trust_policy", [role_arn]),
	sprintf("%s accepts a guest token of this pool (amr unauthenticated)%s", [role_arn, _exposure(rule)]),
	"add ForAnyValue:StringLike cognito-identity.amazonaws.com:amr \"authenticated\" to its trust policy",
) |
	some role_arn, role in _signed_in_roles(x)
	_accepts(role, _token(x.pool, x.pool.IdentityPoolId, null))
	rule := _guest_rule(x.pool)
}

_guest_rule(pool) := "guest-escalation" if {
	pool.AllowUnauthenticatedIdentities == true
	_basic_open(pool)
} else := "guest-token-accepted"

_exposure("guest-escalation") := concat("", [
	": guests get it through the basic flow ",
	"(GetId, GetOpenIdToken, AssumeRoleWithWebIdentity)",
])

_exposure("guest-token-accepted") := ""

# The roles the pool hands out, with the token each must accept:
# [role ARN, where it is named, login provider (null for guests)].
_handed_out(pool) := {[role_arn, field, lp] |
	some slot, role_arn in util.as_object(pool.Roles)
	field := sprintf("pool.Roles.%s", [slot])
	some lp in _slot_providers(pool, slot)
} | {[r.RoleARN, field, lp] |
	some key, m in util.as_object(pool.RoleMappings)
	some i, r in util.as_array(m.RulesConfiguration.Rules)
	field := sprintf("pool.RoleMappings[%q].RulesConfiguration.Rules[%d]", [key, i])
	lp := _key_provider(key)
}

_slot_providers(_, "unauthenticated") := {null}

_slot_providers(pool, "authenticated") := _providers(pool)

# A mapping key names the provider, for a user pool with ":APP_CLIENT_ID".
_key_provider(key) := substring(key, 0, indexof(key, ":")) if {
	startswith(key, "cognito-idp.")
	contains(key, ":")
} else := key

_rejecting_roles(x) := {_finding(
	"role-rejects-pool", role_arn, field,
	sprintf("%s (%s) rejects %s of this pool: %s", [role_arn, field, _who(lp), r.reason]),
	"let its trust policy accept the pool's aud and its users' amr (and sts:TagSession for principal tags)",
) |
	some [role_arn, field, lp] in _handed_out(x.pool)
	role := x.roles[role_arn]
	not _pinned(role)
	r := sts.refusal(_token(x.pool, x.pool.IdentityPoolId, lp), role_arn, role.trust_policy, _sample_tags(x.pool, lp))
} | {_finding(
	"role-not-given", role_arn, field,
	sprintf("%s (%s) has no entry in roles: its trust policy and policies are not checked", [role_arn, field]),
	"add its get-role output to the roles folder",
) |
	some [role_arn, field, _] in _handed_out(x.pool)
	not is_object(object.get(x.roles, role_arn, null))
}

_who(null) := "guest tokens"

_who(lp) := sprintf("tokens of %s sign-ins", [lp]) if is_string(lp)

# Tags a sign-in through lp would carry (any values): the keys of its attribute map.
_sample_tags(pool, lp) := {k: "x" | some k, _ in tags.attribute_map(pool, lp)}

_basic_flow(x) := {_finding(
	"basic-flow-role-choice", role_arn, "pool.AllowClassicFlow",
	sprintf("the basic flow is open and %s accepts the pool's signed-in tokens: any signed-in user may assume it", [
		role_arn,
	]),
	"set AllowClassicFlow false (S4: don't activate basic authentication by default)",
) |
	_basic_open(x.pool)
	some role_arn, role in _signed_in_roles(x)
	role_arn != object.get(x.pool, ["Roles", "authenticated"], "")
	some lp in _providers(x.pool)
	_accepts(role, _token(x.pool, x.pool.IdentityPoolId, lp))
} | {_finding(
	"classic-flow-unset", null, "pool.AllowClassicFlow",
	"AllowClassicFlow is not set: treated as enabled (identity-pools.md A9)",
	"set AllowClassicFlow explicitly (false unless the basic flow is needed)",
) |
	not "AllowClassicFlow" in object.keys(x.pool)
}

_ambiguous(x) := {_finding(
	"ambiguous-default-role", object.get(x.pool, ["Roles", "authenticated"], null),
	sprintf("pool.RoleMappings[%q].AmbiguousRoleResolution", [key]),
	sprintf("sign-ins through %s that no rule matches get the default authenticated role %v", [
		key, object.get(x.pool, ["Roles", "authenticated"], null),
	]),
	"use AmbiguousRoleResolution Deny, or make the default authenticated role the least privileged",
) |
	some key, m in util.as_object(x.pool.RoleMappings)
	m.Type == "Rules"
	m.AmbiguousRoleResolution == "AuthenticatedRole"
}
