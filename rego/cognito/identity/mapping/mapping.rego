# METADATA
# title: Role choice in the enhanced flow
# description: |
#   Which IAM role GetCredentialsForIdentity chooses: guests get the pool's
#   unauthenticated role; developer-authenticated identities and sign-ins
#   whose provider has no role mapping get the default authenticated role;
#   a Token mapping takes CustomRoleArn when cognito:roles lists it (else
#   denies), then cognito:preferred_role, else ambiguous resolution; a Rules
#   mapping takes the first rule that matches (or CustomRoleArn when a
#   matching rule names it), else ambiguous resolution, which gives the
#   default authenticated role (AuthenticatedRole) or denies (Deny).
#   Sources: reference/cognito/identity-pools.md section 4 (S1 "Using
#   role-based access control", S7 GetCredentialsForIdentity, S8
#   RoleMapping / MappingRule) with its assumptions A2-A8, A10, A20.
package cognito.identity.mapping

import data.cognito.identity.errors
import data.cognito.identity.logins
import data.cognito.util

# METADATA
# description: |
#   The role choice for facts c (enhanced flow), one of
#   {"role_arn", "choice", "provider_key", "rule", "reason"} (choice:
#   default_unauthenticated, default_authenticated, developer_default,
#   token_custom_role, token_preferred_role, rule, rules_custom_role,
#   ambiguous_authenticated_role; rule: the index of the matching rule or
#   null), {"refusal", "provider_key"}, or {"invalid": [errors]} when AWS's
#   behaviour is not known (A20: CustomRoleArn where no mapping applies).
choose(c) := _default_role(c, "unauthenticated", "default_unauthenticated", null, _guest_reason) if {
	not c.authenticated
} else := _not_customizable("developer-authenticated identities") if {
	logins.kind(c.pool, c.login_provider) == "developer"
	is_string(c.custom_role_arn)
} else := _default_role(c, "authenticated", "developer_default", null, reason) if {
	logins.kind(c.pool, c.login_provider) == "developer"
	reason := "developer-authenticated identities get the default authenticated role (S7)"
} else := _mapped(c, km[0], km[1]) if {
	km := logins.mapping(c.pool, c.login_provider, c.claims)
} else := _not_customizable("a provider without a role mapping") if {
	is_string(c.custom_role_arn)
} else := _default_role(c, "authenticated", "default_authenticated", null, reason) if {
	reason := sprintf("no role mapping for %s: the default authenticated role applies", [
		logins.mapping_key(c.pool, c.login_provider, c.claims),
	])
}

_guest_reason := "a guest gets the unauthenticated role"

_not_customizable(who) := {"invalid": [{
	"code": "custom_role_not_applicable",
	"field": "custom_role_arn",
	"message": sprintf(
		"custom_role_arn for %s: AWS documents no behaviour for it (identity-pools.md A20), so it is not evaluated",
		[who],
	),
}]}

_chosen(role_arn, choice, key, rule, reason) := {
	"role_arn": role_arn,
	"choice": choice,
	"provider_key": key,
	"rule": rule,
	"reason": reason,
}

_default_role(c, slot, choice, key, reason) := _chosen(c.pool.Roles[slot], choice, key, null, reason) if {
	is_string(c.pool.Roles[slot])
	c.pool.Roles[slot] != ""
} else := {
	"refusal": errors.invalid_configuration(sprintf("the pool has no %s role (Roles.%s is not set)", [slot, slot])),
	"provider_key": key,
}

_mapped(c, key, m) := _token(c, key) if m.Type == "Token"

_mapped(c, key, m) := _rules(c, key, m) if m.Type == "Rules"

# METADATA
# description: |
#   The roles of a token's cognito:roles claim, as a list: a JSON array, or
#   the documented comma-separated string split and trimmed (A2).
token_roles(claims) := [trim_space(r) | some r in split(claims["cognito:roles"], ","); trim_space(r) != ""] if {
	is_string(claims["cognito:roles"])
} else := [r | some r in claims["cognito:roles"]; is_string(r)] if {
	is_array(claims["cognito:roles"])
} else := []

_token(c, key) := _chosen(c.custom_role_arn, "token_custom_role", key, null, reason) if {
	is_string(c.custom_role_arn)
	c.custom_role_arn in token_roles(c.claims)
	reason := "CustomRoleArn is one of the token's cognito:roles (S1)"
} else := {"refusal": errors.not_authorized(null, reason), "provider_key": key} if {
	is_string(c.custom_role_arn)
	reason := sprintf("CustomRoleArn %s is not in the token's cognito:roles %v (S1: \"deny access\")", [
		c.custom_role_arn, token_roles(c.claims),
	])
} else := _chosen(preferred, "token_preferred_role", key, null, "the token's cognito:preferred_role (S1)") if {
	preferred := c.claims["cognito:preferred_role"]
	is_string(preferred)
	preferred != ""
} else := _ambiguous(c, key, _token_ambiguity(c.claims))

_token_ambiguity(claims) := "the token has no cognito:roles or cognito:preferred_role claim" if {
	count(token_roles(claims)) == 0
} else := "the token has cognito:roles but no cognito:preferred_role claim"

# [index, RoleARN] of every rule of mapping m that matches the claims, in order.
_matching(m, claims) := [[i, r.RoleARN] |
	some i, r in util.as_array(m.RulesConfiguration.Rules)
	rule_matches(r, claims)
]

_rules(c, key, m) := _chosen(c.custom_role_arn, "rules_custom_role", key, i, reason) if {
	is_string(c.custom_role_arn)
	i := min({j | some [j, role_arn] in _matching(m, c.claims); role_arn == c.custom_role_arn})
	reason := sprintf("CustomRoleArn is the role of matching rule %d (A5)", [i])
} else := {"refusal": errors.not_authorized(null, reason), "provider_key": key} if {
	is_string(c.custom_role_arn)
	reason := sprintf("CustomRoleArn %s is the role of no matching rule (A5)", [c.custom_role_arn])
} else := _chosen(first[1], "rule", key, first[0], reason) if {
	first := _matching(m, c.claims)[0]
	reason := sprintf("rule %d is the first that matches (S1: \"The first matching rule takes precedence.\")", [first[0]])
} else := _ambiguous(c, key, "no rule matches the token's claims")

_ambiguous(c, key, why) := _default_role(c, "authenticated", "ambiguous_authenticated_role", key, reason) if {
	c.pool.RoleMappings[key].AmbiguousRoleResolution == "AuthenticatedRole"
	reason := sprintf("%s; AmbiguousRoleResolution AuthenticatedRole gives the default authenticated role", [why])
} else := {"refusal": errors.not_authorized(message, reason), "provider_key": key} if {
	message := sprintf("The ambiguous role mapping rules for: %s denied this request.", [key])
	reason := sprintf("%s; AmbiguousRoleResolution is Deny", [why])
}

# METADATA
# description: |
#   True when mapping rule r ({"Claim", "MatchType", "Value", "RoleARN"})
#   matches the claims. Claim names are literal ("custom:dept"); a claim
#   the token lacks never matches, NotEqual included (S1); values compare
#   case-sensitively (A6); a list claim matches when any element does (all
#   elements for NotEqual); numbers and booleans compare as their JSON text
#   (A8).
rule_matches(r, claims) if {
	r.Claim in object.keys(claims)
	_claim_matches(r.MatchType, claims[r.Claim], r.Value)
}

_claim_matches("NotEqual", claim, value) if {
	is_array(claim)
	every x in claim {
		util.scalar_text(x) != value
	}
}

_claim_matches("NotEqual", claim, value) if {
	not is_array(claim)
	util.scalar_text(claim) != value
}

_claim_matches(match_type, claim, value) if {
	match_type != "NotEqual"
	some x in util.as_list(claim)
	_text_matches(match_type, util.scalar_text(x), value)
}

_text_matches("Equals", text, value) if text == value

_text_matches("Contains", text, value) if contains(text, value)

_text_matches("StartsWith", text, value) if startswith(text, value)
