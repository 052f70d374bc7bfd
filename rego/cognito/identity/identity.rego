# METADATA
# title: Identity-pool resolution
# description: |
#   Which role session (if any) an Amazon Cognito identity pool gives a
#   sign-in or a guest, stage by stage: GetId (guest access, accepted
#   providers and app clients), then in the enhanced flow the role choice
#   of GetCredentialsForIdentity (default roles, Token or Rules mappings,
#   ambiguous resolution), in the basic flow GetOpenIdToken
#   (AllowClassicFlow, no role mappings) and the client's chosen role; then
#   STS (the role's trust policy with the token's aud / amr / sub, and
#   sts:TagSession for principal tags); the session gets the guest
#   scope-down in the enhanced flow. data.cognito.identity.resolution
#   answers for input (an identity object, or a request holding one in
#   "identity"); data.cognito.identity.resolutions for input.identities.
#   Specification: reference/cognito/identity-pools.md (sources S1-S21).
package cognito.identity

import data.cognito.identity.errors
import data.cognito.identity.facts
import data.cognito.identity.logins
import data.cognito.identity.mapping
import data.cognito.identity.scopedown
import data.cognito.identity.sts
import data.cognito.identity.tags
import data.cognito.identity.validation
import data.cognito.util

# METADATA
# description: The resolution of input (an identity object, or a decision request holding one in "identity").
# entrypoint: true
resolution := resolve(_identity_input)

# METADATA
# description: The resolutions of input.identities, in order (empty when it is not a list).
# entrypoint: true
resolutions := [resolve(x) | some x in _identities]

_identity_input := input.identity if {
	is_object(input)
	"identity" in object.keys(input)
} else := input

default _identities := []

_identities := input.identities if is_array(input.identities)

# METADATA
# description: |
#   The resolution of identity object x: {"outcome" ("credentials",
#   "error" or "invalid"), "flow", "authenticated", "login_provider",
#   "provider_key" (the RoleMappings key looked up, or null), "role_arn",
#   "role_choice" (how the role was chosen), "rule" (index of the matching
#   rule, or null), "session_policies" ([{"name", "document"}]),
#   "principal_tags", "session" ({"principal", "context"}, or null), "token"
#   ({"form", "signature"}), "error" ({"code", "stage", "message", "reason"}
#   or null), "errors" (for "invalid": [{"code", "field", "message"}]),
#   "warnings" ([{"code", "message"}]), "reason"}.
#   The pool is the pool object, or the IdentityPoolId of a pool the bundle
#   stores with its roles (cognito.identity.facts.expanded).
resolve(x) := _resolve(facts.expanded(x))

_resolve(x) := _invalid(errs) if {
	errs := validation.errors(x)
	count(errs) > 0
} else := _resolved(x, facts.of(x))

_resolved(x, c) := _refused(x, c, _no_choice, r) if {
	r := logins.refusal(c)
} else := _basic(x, c) if {
	c.flow == "basic"
} else := _enhanced(x, c, mapping.choose(c))

_no_choice := {"role_arn": null, "choice": null, "provider_key": null, "rule": null}

_basic(x, c) := _refused(x, c, _no_choice, errors.classic_flow_disabled) if {
	c.pool.AllowClassicFlow == false
} else := _refused(x, c, _no_choice, errors.classic_flow_with_role_mappings) if {
	count(util.as_object(c.pool.RoleMappings)) > 0
} else := _session(x, c, {
	"role_arn": c.role_arn,
	"choice": "client_chosen",
	"provider_key": null,
	"rule": null,
	"reason": "in the basic flow the client chooses the role (S4); default roles and role mappings are not consulted",
})

_enhanced(x, c, choice) := _invalid(choice.invalid) if {
	choice.invalid
} else := _refused(x, c, object.union(_no_choice, choice), choice.refusal) if {
	choice.refusal
} else := _session(x, c, choice)

_session(x, c, choice) := _invalid([{
	"code": "unknown_role",
	"field": "roles",
	"message": sprintf(
		"the resolved role %s has no entry in roles: give its trust_policy (and policies) to evaluate the session",
		[choice.role_arn],
	),
}]) if {
	not is_object(object.get(c.roles, choice.role_arn, null))
} else := _invalid(tags.errors(c)) if {
	count(tags.errors(c)) > 0
} else := _refused(x, c, choice, r) if {
	r := sts.refusal(c, choice.role_arn, c.roles[choice.role_arn].trust_policy, tags.principal_tags(c))
} else := _credentials(x, c, choice)

_outcome(x, c, choice, outcome) := {
	"outcome": outcome,
	"flow": c.flow,
	"authenticated": c.authenticated,
	"login_provider": c.login_provider,
	"provider_key": choice.provider_key,
	"role_arn": choice.role_arn,
	"role_choice": choice.choice,
	"rule": choice.rule,
	"session_policies": [],
	"principal_tags": {},
	"session": null,
	"token": c.token,
	"error": null,
	"errors": [],
	"warnings": _warnings(x, c, outcome),
}

_refused(x, c, choice, refusal) := object.union(_outcome(x, c, choice, "error"), {
	"error": refusal,
	"reason": sprintf("No credentials: %s at %s: %s.", [refusal.code, refusal.stage, refusal.reason]),
})

_credentials(x, c, choice) := object.union(_outcome(x, c, choice, "credentials"), {
	"session_policies": policies,
	"principal_tags": session_tags,
	"session": {
		"principal": sts.session_principal(choice.role_arn),
		"context": sts.session_context(c, session_tags),
	},
	"reason": sprintf("Credentials for %s: %s; %s%s.", [
		choice.role_arn, choice.reason, _trust_note(session_tags), _scope_note(policies),
	]),
}) if {
	policies := scopedown.session_policies(c)
	session_tags := tags.principal_tags(c)
}

_trust_note(session_tags) := "its trust policy allows sts:AssumeRoleWithWebIdentity" if {
	count(session_tags) == 0
} else := sprintf("its trust policy allows sts:AssumeRoleWithWebIdentity and sts:TagSession (%d principal tags)", [
	count(session_tags),
])

_scope_note(policies) := "" if {
	count(policies) == 0
} else := "; the guest scope-down session policies apply (enhanced flow)"

_invalid(errs) := {
	"outcome": "invalid",
	"role_arn": null,
	"session_policies": [],
	"principal_tags": {},
	"session": null,
	"error": null,
	"errors": [e | some e in errs],
	"warnings": [],
	"reason": sprintf("The identity cannot be resolved (%d error(s)); first: %s: %s", [
		count(errs), _first(errs).field, _first(errs).message,
	]),
}

_first(errs) := [e | some e in errs][0]

_w(code, message) := {"code": code, "message": message}

_warnings(x, c, outcome) := [w |
	some w in union({
		_field_warnings(x),
		_id_warnings(c),
		_flow_warnings(c),
		_token_warnings(c),
		_session_warnings(c, outcome),
	})
]

_field_warnings(x) := {_w("unknown_field", sprintf("identity field %q is not in the contract and is ignored", [k])) |
	some k, _ in x
	not k in validation.fields
}

_id_warnings(c) := {_w(
	code,
	sprintf("%s %q is not of AWS's form REGION:GUID ([\\w-]+:[0-9a-f-]+, S8); evaluated as written", [name, id]),
) |
	some [code, name, id] in [
		["noncanonical_identity_pool_id", "IdentityPoolId", c.pool_id],
		["noncanonical_identity_id", "identity_id", c.identity_id],
	]
	is_string(id)
	not validation.canonical_id(id)
}

_flow_warnings(c) := {_w(
	"classic_flow_unset",
	concat(" ", [
		"AllowClassicFlow is not set: treated as enabled (identity-pools.md A9:",
		"pools made through the CLI or SDK without it allow the basic flow)",
	]),
) |
	c.flow == "basic"
	not "AllowClassicFlow" in object.keys(c.pool)
}

_token_warnings(c) := {_w(
	"token_signature_not_checked",
	"the token is a raw JWT and no jwks is given: its signature is not checked, its claims are taken as given",
) |
	c.token.signature == "not_checked"
}

_session_warnings(c, "credentials") := {_w(
	"no_identity_id",
	"identity_id is not given: the session has no cognito-identity.amazonaws.com:sub condition key",
) |
	not is_string(c.identity_id)
} | {_w(
	"tag_value_too_long",
	sprintf("principal tag %q has %d characters: STS takes session tag values of at most 256 (S13)", [k, count(v)]),
) |
	some k, v in tags.principal_tags(c)
	count(v) > 256
}

_session_warnings(_, outcome) := set() if outcome != "credentials"
