# METADATA
# title: IAM policy evaluation
# description: |
#   IAM's evaluation logic for one valid request: an explicit Deny in any
#   applicable policy denies; otherwise an Allow in an identity-based policy
#   (or a resource-based policy naming the caller) allows, provided every
#   guardrail present also allows (permissions boundary, each SCP level,
#   session policies); otherwise the request is implicitly denied.
#   Amazon Cognito has no resource-based policies, so across accounts
#   identity-based policies alone grant nothing. A role trust policy given
#   as resource_policy must allow sts:AssumeRole* on its role.
#   Source: IAM User Guide, "Policy evaluation logic" (determining whether a
#   request is allowed or denied within an account; cross-account policy
#   evaluation logic), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
package cognito.iam

import data.cognito.applicable

# METADATA
# description: |
#   Operations outside Amazon Cognito that need no IAM permission, by
#   lower-cased name: {"action", "document", "url", "says"}. No policy, an
#   explicit Deny included, changes their outcome. Undefined for others.
needs_no_permission(action) := entry if {
	is_string(action)
	entry := _no_permission[lower(action)]
}

_no_permission := {"sts:getcalleridentity": {
	"action": "sts:GetCallerIdentity",
	"document": "AWS Security Token Service API Reference, GetCallerIdentity",
	"url": "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
	"says": concat(" ", [
		"No permissions are required to perform this operation. If an administrator attaches a policy",
		"to your identity that explicitly denies access to the sts:GetCallerIdentity action, you can",
		"still perform this operation.",
	]),
}}

# METADATA
# description: |
#   The evaluation of a valid request r: {"allowed", "decision"
#   ("allow" | "explicit_deny" | "implicit_deny"), "matched", "reason",
#   "warnings" (set of {"code", "message"})}.
evaluate(r) := outcome(applicable.facts(r))

# METADATA
# description: True when the caller's account and the resource's account are both known and differ.
cross_account(f) if {
	f.caller.account != ""
	f.resource_account != ""
	f.caller.account != f.resource_account
}

_denies(f) := [applicable.labels(m) |
	some m in array.flatten([f.identity, f.resource_policy, f.boundary, f.session, _scp_matches(f)])
	m.effect == "Deny"
]

_allows(list) := [applicable.labels(m) | some m in list; m.effect == "Allow"]

_direct(list) := [m | some m in list; m.via in {"self", "direct"}]

# The statements that grant the request before guardrails, following the
# evaluation logic: in one account, identity-based OR resource-based (naming
# the caller itself); across accounts, both; for a role, its trust policy
# always, and when it trusts only the caller's account, the caller's policies too.
_grants(f) := array.concat(_allows(f.identity), _allows(f.resource_policy)) if {
	cross_account(f)
	count(_allows(f.identity)) > 0
	count(_allows(f.resource_policy)) > 0
} else := [] if {
	cross_account(f)
} else := _role_grants(f) if {
	f.role_trust
	f.resource_policy_given
} else := array.concat(_allows(f.identity), _allows(_direct(f.resource_policy)))

_role_grants(f) := _allows(_direct(f.resource_policy)) if {
	count(_allows(_direct(f.resource_policy))) > 0
} else := array.concat(_allows(f.identity), _allows(f.resource_policy)) if {
	count(_allows(f.identity)) > 0
	count(_allows(f.resource_policy)) > 0
} else := []

# Guardrails: each one present must allow. The first that does not, as
# {"code", "text"}; undefined when all allow.
_blocking_guardrail(f) := _boundary_block if {
	f.boundary_given
	count(_allows(f.boundary)) == 0
} else := _blocking_scp(f) if {
	_blocking_scp(f)
} else := _session_block if {
	f.session_given
	count(_allows(f.session)) == 0
}

_boundary_block := {"code": "not_allowed_by_permissions_boundary", "text": "the permissions boundary does not allow it"}

_session_block := {
	"code": "not_allowed_by_session_policy",
	"text": "no session policy allows it (session policies only narrow)",
}

_blocking_scp(f) := {
	"code": "not_allowed_by_scp",
	"text": sprintf("the SCP level scps[%d] does not allow it (every level must)", [min(failing)]),
} if {
	failing := {j | some j, level in f.scps; count(_allows(level)) == 0}
	count(failing) > 0
}

# Within an account, what a resource-based policy grants to an IAM user, a
# role session or a federated user session by its own ARN is not limited by
# a permissions boundary or a session policy (IAM User Guide, "Permissions
# boundaries for IAM entities" and "Policy evaluation logic"); SCPs still apply.
_self_grants(f) := [applicable.labels(m) | some m in f.resource_policy; m.effect == "Allow"; m.via == "self"] if {
	not cross_account(f)
} else := []

_guardrail_allows(f) := _allows(array.flatten([f.boundary, _scp_matches(f), f.session]))

# array.flatten flattens one level only: the SCP levels' matches, as one list.
_scp_matches(f) := [m | some level in f.scps; some m in level]

# METADATA
# description: |
#   The verdict from the facts, without the explanation: {"allowed",
#   "decision"}, decided by the same case rules as outcome. An applicable
#   Deny decides at once; the statements that decided it, the warnings and
#   the reason are not computed.
verdict(f) := _verdicts[_case(f)]

_verdicts := {
	"explicit_deny": {"allowed": false, "decision": "explicit_deny"},
	"allow": {"allowed": true, "decision": "allow"},
	"allow_self": {"allowed": true, "decision": "allow"},
	"implicit_deny": {"allowed": false, "decision": "implicit_deny"},
}

# Which case of the evaluation logic decides: the one rule both verdict and outcome follow.
_case(f) := "explicit_deny" if {
	_denied(f)
} else := "allow" if {
	count(_grants(f)) > 0
	not _blocking_guardrail(f)
} else := "allow_self" if {
	count(_self_grants(f)) > 0
	not _blocking_scp(f)
} else := "implicit_deny"

# Any applicable Deny, in any policy (stops at the first).
_denied(f) if {
	some m in array.flatten([f.identity, f.resource_policy, f.boundary, f.session, _scp_matches(f)])
	m.effect == "Deny"
}

# METADATA
# description: |
#   The decision from the facts: {"allowed", "decision", "matched", "reason",
#   "warnings"}; matched lists the statements that decided it (empty for an
#   implicit deny, which no statement decides). allowed and decision are the
#   verdict's (same case).
outcome(f) := object.union(_explanation(case, f), _verdicts[case]) if case := _case(f)

_explanation("explicit_deny", f) := _explained(denies, reason, set()) if {
	denies := _denies(f)
	reason := sprintf("Explicitly denied by %s: an explicit Deny overrides every Allow.", [_names(denies)])
}

_explanation("allow", f) := _explained(array.concat(grants, _guardrail_allows(f)), reason, set()) if {
	grants := _grants(f)
	reason := sprintf("Allowed by %s%s.", [_names(grants), _guardrail_note(f)])
}

_explanation("allow_self", f) := _explained(array.concat(own, _allows(_scp_matches(f))), reason, set()) if {
	own := _self_grants(f)
	reason := sprintf(
		"Allowed by %s, which names the principal itself: %s do not limit what a resource-based policy grants so.",
		[_names(own), "permissions boundaries and session policies"],
	)
}

_explanation("implicit_deny", f) := _explained([], reason, {{"code": g.code, "message": g.text}}) if {
	grants := _grants(f)
	count(grants) > 0
	g := _blocking_guardrail(f)
	reason := sprintf("%s allow %s on %s, but %s: implicit deny.", [_names(grants), f.action, f.resource, g.text])
} else := _explained([], _no_grant_reason(f), _no_grant_warnings(f))

_explained(matched, reason, warnings) := {"matched": matched, "reason": reason, "warnings": warnings}

_no_grant_warnings(f) := {{"code": "cross_account", "message": sprintf(
	"principal account %s differs from resource account %s",
	[f.caller.account, f.resource_account],
)}} if {
	cross_account(f)
} else := set()

_no_grant_reason(f) := _reason(_no_grant_case(f), f)

_no_grant_case(f) := "cross_account_identity_only" if {
	cross_account(f)
	not f.resource_policy_given
	count(_allows(f.identity)) > 0
} else := "cross_account" if {
	cross_account(f)
	f.resource_policy_given
} else := "trusts_account_only" if {
	f.role_trust
	count(_allows(f.resource_policy)) > 0
} else := "not_trusted" if {
	f.role_trust
	f.resource_policy_given
} else := "no_allow"

_reason("cross_account_identity_only", f) := sprintf(
	"%s allow %s, but the principal's account %s is not the resource's account %s, and %s (implicit deny).",
	[
		_names(_allows(f.identity)), f.action, f.caller.account, f.resource_account,
		"Amazon Cognito has no resource-based policies: identity-based policies alone grant nothing across accounts",
	],
)

_reason("cross_account", f) := sprintf(
	"Across accounts (principal %s, resource %s) %s must both allow %s; %s (implicit deny).",
	[
		f.caller.account, f.resource_account,
		"the principal's policies and the resource policy", f.action, _cross_missing(f),
	],
)

_reason("trusts_account_only", f) := sprintf(
	"The role's trust policy trusts the account %s, so the caller's own policies must also allow %s; %s (implicit deny).",
	[f.caller.account, f.action, "none does"],
)

_reason("not_trusted", f) := sprintf(
	"The role's trust policy (resource_policy) does not allow %s to call %s on %s (implicit deny).",
	[_who(f.caller), f.action, f.resource],
)

_reason("no_allow", f) := sprintf("No statement allows %s on %s (implicit deny).", [f.action, f.resource])

_cross_missing(f) := "neither does" if {
	count(_allows(f.identity)) == 0
	count(_allows(f.resource_policy)) == 0
} else := "no identity-based policy allows it" if {
	count(_allows(f.identity)) == 0
} else := "the resource policy does not allow it"

_who(c) := "an unnamed principal" if c.name == ""

else := c.name

_guardrail_note(f) := "" if {
	count(_guardrail_allows(f)) == 0
} else := sprintf(", within %s", [_names(_guardrail_allows(f))])

# "policies[0] statement 1, AmazonCognitoReadOnly statement \"Sid\""
_names(list) := concat(", ", {_name(m) | some m in list})

_name(m) := sprintf("%s statement %v", [m.policy, m.statement]) if is_number(m.statement)

_name(m) := sprintf("%s statement %q", [m.policy, m.statement]) if is_string(m.statement)
