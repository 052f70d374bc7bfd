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

import data.cognito.arn
import data.cognito.managed
import data.cognito.policy
import data.cognito.principal
import data.cognito.registered
import data.cognito.statement
import data.cognito.trust
import data.cognito.util

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
#   The identity-based policies that apply to the caller, as a list of
#   {"label", "doc"}: inline policies ("policies[i]"), AWS managed policies
#   (their NAME), and the bundle-stored policies of the principal
#   ("principal:NAME", its managed policies by NAME).
identity_documents(r, c) := array.flatten([
	[{"label": sprintf("policies[%d]", [i]), "doc": d} | some i, d in util.as_array(r.policies)],
	_managed_documents(object.get(r, "managed_policies", [])),
	_stored_documents(c),
])

# METADATA
# description: |
#   The identity_documents that come with request r, not the stored ones:
#   inline, then managed.
request_identity_documents(r) := array.concat(
	[{"label": sprintf("policies[%d]", [i]), "doc": d} | some i, d in util.as_array(r.policies)],
	_managed_documents(object.get(r, "managed_policies", [])),
)

# applied(_stored_documents(c), req), with the stored policies' statements
# taken from principal.stored_statements, compiled for matching (at bundle
# build time when the bundle has a statement index, which also leaves out
# those that cannot name the action or the resource).
_stored_applied(c, req) := array.concat(
	[{"policy": x.entry.policy, "statement": x.entry.statement, "effect": x.entry.effect} |
		some x in principal.stored_statements(c, req)
		statement.compiled_applies(x.entry, x.known, req)
	],
	applied(_managed_documents(object.get(s, "managed_policies", [])), req),
) if {
	s := principal.stored(c)
} else := []

_managed_documents(refs) := [{"label": managed.name(ref), "doc": managed.document(ref)} |
	some ref in util.as_array(refs)
]

_stored_documents(c) := array.concat(
	[{"label": sprintf("principal:%s", [name]), "doc": d} | some name, d in util.as_object(s.policies)],
	_managed_documents(object.get(s, "managed_policies", [])),
) if {
	s := principal.stored(c)
} else := []

# METADATA
# description: |
#   The permissions boundary that applies: the request's, else the one stored
#   with the principal; a list of zero or one {"label", "doc"}.
boundary_documents(r, c) := [{"label": "permissions_boundary", "doc": r.permissions_boundary}] if {
	is_object(r.permissions_boundary)
} else := [{"label": "permissions_boundary", "doc": principal.stored(c).permissions_boundary}] if {
	is_object(principal.stored(c).permissions_boundary)
} else := []

# METADATA
# description: |
#   The SCP levels of the request: a list of levels, each a list of
#   {"label", "doc"} ("scps[i]" for a level given as one document, "scps[i][j]"
#   for a level given as a list).
scp_levels(r) := [_scp_level(level, i) | some i, level in util.as_array(r.scps)]

_scp_level(level, i) := [{"label": sprintf("scps[%d][%d]", [i, j]), "doc": d} | some j, d in level] if {
	is_array(level)
} else := [{"label": sprintf("scps[%d]", [i]), "doc": level}]

# METADATA
# description: The session policies of the request, as a list of {"label", "doc"}.
session_documents(r) := [{"label": sprintf("session_policies[%d]", [i]), "doc": d} |
	some i, d in util.as_array(r.session_policies)
]

# METADATA
# description: The statements of the given documents that apply to req, as {"policy", "statement", "effect"}.
applied(entries, req) := [{"policy": e.label, "statement": policy.label(s, i), "effect": s.Effect} |
	some e in entries
	variables := _substitutes(e.doc)
	some i, s in policy.statement_list(e.doc)
	statement.applies(s, variables, req)
]

# METADATA
# description: |
#   The statements of a resource-based policy that apply to req and name the
#   caller c, as {"policy": "resource_policy", "statement", "effect", "via"};
#   via is "self", "direct" or "account" (see cognito.trust.principal_match).
#   bounded is true when the caller has a permissions boundary: a Deny with
#   NotPrincipal then always applies to it (IAM User Guide, "Permissions
#   boundaries for IAM entities").
applied_resource(doc, req, c, bounded) := [{
	"policy": "resource_policy",
	"statement": policy.label(s, i),
	"effect": s.Effect,
	"via": via,
} |
	variables := _substitutes(doc)
	some i, s in policy.statement_list(doc)
	via := _via(s, c, bounded)
	statement.applies(s, variables, req)
]

_via(s, c, _) := trust.principal_match(s, c)

_via(s, c, true) := "direct" if {
	s.Effect == "Deny"
	"NotPrincipal" in object.keys(s)
	not trust.principal_match(s, c)
}

_substitutes(doc) if policy.substitutes_variables(doc)

else := false

# METADATA
# description: |
#   The evaluation of a valid request r: {"allowed", "decision"
#   ("allow" | "explicit_deny" | "implicit_deny"), "matched", "reason",
#   "warnings" (set of {"code", "message"})}.
evaluate(r) := outcome(facts(r))

# METADATA
# description: |
#   The facts the outcome is decided from: the caller, the resource's account,
#   and for each kind of policy the statements that apply to the request. A
#   request naming a registered policy set (cognito.registered) is evaluated
#   as if it carried the set's documents, matched in the form compiled when
#   the set was registered.
# scope: document
facts(r) := {
	"action": r.action,
	"resource": r.resource,
	"caller": c,
	"resource_account": _resource_account(r),
	"role_trust": _role_trust(r),
	"identity": array.concat(applied(request_identity_documents(r), req), _stored_applied(c, req)),
	"resource_policy_given": is_object(object.get(r, "resource_policy", null)),
	"resource_policy": [m |
		is_object(r.resource_policy)
		some m in applied_resource(r.resource_policy, req, c, count(boundary) > 0)
	],
	"boundary_given": count(boundary) > 0,
	"boundary": applied(boundary, req),
	"scps": [applied(level, req) | some level in scp_levels(r)],
	"session_given": count(session) > 0,
	"session": applied(session, req),
} if {
	not r.policy_set
	c := principal.caller(r)
	req := {"action": r.action, "resource": r.resource, "context": principal.context(r, c)}
	boundary := boundary_documents(r, c)
	session := session_documents(r)
}

facts(r) := _registered_facts(registered.expanded(r, set_id), set_id) if {
	r.policy_set
	set_id := registered.id(r)
	set_id != ""
}

# The facts of a request naming a registered policy set, r with the set's
# documents (registered.expanded): the same facts, each kind of the set's
# policies matched in the form its registration compiled (the identity-based
# ones through their statement index). A body of its own, not a branch per
# kind in the one above: every function call with the request as argument
# costs a decision time (OPA hashes the arguments to reuse results).
_registered_facts(r, set_id) := {
	"action": r.action,
	"resource": r.resource,
	"caller": c,
	"resource_account": _resource_account(r),
	"role_trust": _role_trust(r),
	"identity": array.concat(identity, _stored_applied(c, req)),
	"resource_policy_given": is_object(object.get(r, "resource_policy", null)),
	"resource_policy": [m |
		is_object(r.resource_policy)
		some m in applied_resource(r.resource_policy, req, c, boundary[0])
	],
	"boundary_given": boundary[0],
	"boundary": boundary[1],
	"scps": [_compiled_applied(level, req) | some level in compiled.scps],
	"session_given": compiled.session != null,
	"session": _compiled_applied(compiled.session, req),
} if {
	c := principal.caller(r)
	req := {"action": r.action, "resource": r.resource, "context": principal.context(r, c)}
	compiled := data.registered_policy_sets[set_id].compiled
	identity := [_public(x.entry) |
		some x in principal.registered_statements(set_id, req)
		statement.compiled_applies(x.entry, x.known, req)
	]
	boundary := _registered_boundary(compiled.boundary, r, c, req)
}

# The set's permissions boundary when it has one, else the stored one: [given, applied].
_registered_boundary(compiled, r, c, req) := [true, _compiled_applied(compiled, req)] if {
	compiled != null
} else := [count(docs) > 0, applied(docs, req)] if {
	docs := boundary_documents(r, c)
}

_compiled_applied(entries, req) := [_public(x) | some x in entries; statement.compiled_applies(x, false, req)]

# The account that owns the resource: the ARN's account field, else resource_account.
# Resources AWS itself owns carry the alias "aws" there instead of an account ID (IAM User
# Guide, "Controlling access to IAM users and roles": "The ARN of an AWS managed policy uses
# the special alias aws in the policy ARN instead of an account ID"): they belong to no
# customer's account, so a request on them crosses no account boundary; AWS managed
# policies are readable from every account with an identity-based policy alone.
_resource_account(r) := "" if {
	arn.parse(r.resource).account == "aws"
} else := parsed.account if {
	parsed := arn.parse(r.resource)
	parsed.account != ""
} else := r.resource_account if {
	is_string(r.resource_account)
} else := ""

# An sts request (AssumeRole, AssumeRoleWithWebIdentity, ...) on an IAM role:
# the role's trust policy must allow it, whatever the caller's own policies say.
_role_trust(r) if {
	parsed := arn.parse(r.resource)
	parsed.service == "iam"
	startswith(parsed.resource, "role/")
	startswith(lower(r.action), "sts:")
} else := false

# METADATA
# description: True when the caller's account and the resource's account are both known and differ.
cross_account(f) if {
	f.caller.account != ""
	f.resource_account != ""
	f.caller.account != f.resource_account
}

_denies(f) := [_public(m) |
	some m in array.flatten([f.identity, f.resource_policy, f.boundary, f.session, _scp_matches(f)])
	m.effect == "Deny"
]

_allows(list) := [_public(m) | some m in list; m.effect == "Allow"]

_public(m) := {"policy": m.policy, "statement": m.statement, "effect": m.effect}

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
_self_grants(f) := [_public(m) | some m in f.resource_policy; m.effect == "Allow"; m.via == "self"] if {
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
