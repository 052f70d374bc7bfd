# METADATA
# title: The statements that apply to a request
# description: |
#   The facts IAM's evaluation logic (cognito.iam) decides from: the caller,
#   the resource's account, whether the request is a role's trust check, and
#   for each kind of policy (identity-based: inline, AWS managed and the
#   principal's stored ones; the resource-based policy; the permissions
#   boundary; each SCP level; the session policies) the statements whose
#   Action, Resource and Condition apply to the request (cognito.statement),
#   with the labels a decision reports.
#   Source: IAM User Guide, "Policy evaluation logic" (the policy types it
#   evaluates), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
package cognito.applicable

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
#   A matched statement's labels, as a decision reports them: {"policy",
#   "statement", "effect"}.
labels(m) := {"policy": m.policy, "statement": m.statement, "effect": m.effect}

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

# applied(_stored_documents(c), req) for the caller c, given its candidate
# statements (principal.stored_statements: compiled for matching, at bundle
# build time when the bundle has a statement index, which also leaves out
# those that cannot name the action or the resource) and its stored managed
# policies (_stored_managed).
_stored_applied(candidates, managed, req) := array.concat(
	[{"policy": x.entry.policy, "statement": x.entry.statement, "effect": x.entry.effect} |
		some x in candidates
		statement.compiled_applies(x.entry, x.known, req)
	],
	applied(managed, req),
)

# _stored_applied for a caller that may have no stored entry (most requests
# carrying policies): nothing to look up then.
_stored_identity(c, req) := _stored_applied(principal.stored_statements(c, req), _stored_managed(c), req) if {
	principal.stored(c)
} else := []

# The caller's stored managed policies, as {"label", "doc"}.
_stored_managed(c) := _managed_documents(object.get(principal.stored(c), "managed_policies", [])) if {
	principal.stored(c)
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
#   The facts the outcome is decided from: the caller, the resource's account,
#   and for each kind of policy the statements that apply to the request. A
#   request naming a registered policy set (cognito.registered) is evaluated
#   as if it carried the set's documents, matched in the form compiled when
#   the set was registered. A request without policies of its own (a
#   sidecar's usual request, the principal's stored policies deciding) has a
#   body of its own too: the request context is worked out only when a
#   statement that can apply reads it.
# scope: document
facts(r) := {
	"action": r.action,
	"resource": r.resource,
	"caller": c,
	"resource_account": _resource_account(r),
	"role_trust": _role_trust(r),
	"identity": array.concat(
		applied(request_identity_documents(r), req),
		_stored_identity(c, req),
	),
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
	count(object.keys(r) & _policy_fields) > 0
	c := principal.caller(r)
	req := {"action": r.action, "resource": r.resource, "context": principal.context(r, c)}
	boundary := boundary_documents(r, c)
	session := session_documents(r)
}

# The facts of a request that carries no policies: the same facts, those of
# the kinds it cannot have constant. Its context is needed only to match a
# stored managed policy or boundary, or a candidate statement that reads it
# (statement.compiled_reads_context); matched without one otherwise, the
# statements apply exactly as with it. A body of its own (see _registered_facts).
facts(r) := {
	"action": r.action,
	"resource": r.resource,
	"caller": c,
	"resource_account": _resource_account(r),
	"role_trust": _role_trust(r),
	"identity": _stored_applied(candidates, managed, req),
	"resource_policy_given": false,
	"resource_policy": [],
	"boundary_given": count(boundary) > 0,
	"boundary": applied(boundary, req),
	"scps": [],
	"session_given": false,
	"session": [],
} if {
	count(object.keys(r) & _policy_fields) == 0
	c := principal.caller(r)
	candidates := principal.stored_statements(c, {"action": r.action, "resource": r.resource})
	managed := _stored_managed(c)
	boundary := boundary_documents(r, c)
	req := {
		"action": r.action,
		"resource": r.resource,
		"context": _context_if_read(r, c, candidates, count(managed) + count(boundary)),
	}
}

facts(r) := _registered_facts(registered.expanded(r, set_id), set_id) if {
	r.policy_set
	set_id := registered.id(r)
	set_id != ""
}

# The request fields that carry policies (or name a set of them).
_policy_fields := {
	"policies", "managed_policies", "permissions_boundary", "scps",
	"session_policies", "resource_policy", "policy_set",
}

_context_if_read(r, c, candidates, documents) := principal.context(r, c) if {
	documents > 0
} else := principal.context(r, c) if {
	some x in candidates
	statement.compiled_reads_context(x.entry)
} else := {}

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
	"identity": array.concat(identity, _stored_identity(c, req)),
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
	identity := [labels(x.entry) |
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

_compiled_applied(entries, req) := [labels(x) | some x in entries; statement.compiled_applies(x, false, req)]

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
