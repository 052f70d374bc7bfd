# METADATA
# title: Decision entry points
# description: |
#   The documents OPA serves: data.cognito.authz.decision answers one request
#   (input = the request) and data.cognito.authz.decisions answers many in one
#   query (input = {"requests": [...]}), in order. Every request gets a
#   decision, whatever it contains: a malformed request is "invalid" on its
#   own and never breaks the others. Decision: {"allowed", "decision",
#   "signed", "matched", "warnings", "errors", "reason"}.
#   data.cognito.authz.verdict and data.cognito.authz.verdicts answer the
#   same inputs with {"allowed", "decision"} only: the same routes and case
#   rules, without the explanation (the hot path of a sidecar).
package cognito.authz

import data.cognito.applicable
import data.cognito.catalog
import data.cognito.diagnostics
import data.cognito.iam
import data.cognito.identity
import data.cognito.identity.session
import data.cognito.validation

# METADATA
# description: The decision for input, one request.
# entrypoint: true
decision := decide(input)

# METADATA
# description: The decisions for input.requests, in order (empty when input.requests is not a list).
# entrypoint: true
decisions := [decide(r) | some r in _requests]

default _requests := []

_requests := input.requests if is_array(input.requests)

# METADATA
# description: |
#   The verdict for input, one request: {"allowed", "decision"}, equal to
#   decision's, computed by the same rules without the explanation.
# entrypoint: true
verdict := verdict_of(input)

# METADATA
# description: The verdicts for input.requests, in order (empty when input.requests is not a list).
# entrypoint: true
verdicts := [verdict_of(r) | some r in _requests]

# METADATA
# description: |
#   The decision for one request: "invalid" when it cannot be evaluated,
#   "not_governed_by_iam" for an operation IAM does not govern (unsigned:
#   public or token-authorized; or signed but needing no permission, such as
#   sts:GetCallerIdentity, cognito.iam.needs_no_permission; no policy
#   changes that, an explicit Deny included), otherwise IAM's evaluation
#   (cognito.iam.evaluate). A request with an identity (an identity-pool
#   sign-in or guest) is "no_credentials" when the pool issues none, else
#   evaluated as the resolved role's session (cognito.identity.session); its
#   decision adds the resolution as "identity".
decide(r) := _identity_decision(r) if {
	_has_identity(r)
} else := _decide(r)

# METADATA
# description: |
#   The verdict for one request, {"allowed", "decision"}: decide's allowed
#   and decision, by the same routes (_route, _identity_route) and IAM's
#   same case rules (cognito.iam.verdict), without the explanation.
verdict_of(r) := _identity_verdict(r) if {
	_has_identity(r)
} else := _verdict(r)

_has_identity(r) if {
	is_object(r)
	"identity" in object.keys(r)
}

# Which route answers a request without an identity: the one rule decide and verdict follow.
_route(r) := "invalid" if {
	count(validation.request_errors(r)) > 0
} else := "unsigned" if {
	catalog.unsigned(r.action)
} else := "needs_no_permission" if {
	iam.needs_no_permission(r.action)
} else := "evaluated" if {
	applicable.facts(r)
} else := "incomplete"

_verdicts := {
	"invalid": _v(false, "invalid"),
	"unsigned": _v(true, "not_governed_by_iam"),
	"needs_no_permission": _v(true, "not_governed_by_iam"),
	"incomplete": _v(false, "implicit_deny"),
	"no_credentials": _v(false, "no_credentials"),
}

_v(allowed, decision) := {"allowed": allowed, "decision": decision}

_verdict(r) := iam.verdict(applicable.facts(r)) if {
	_route(r) == "evaluated"
} else := _verdicts[_route(r)]

_decide(r) := _explain(_route(r), r)

_explain("invalid", r) := _invalid(r, validation.request_errors(r))

_explain("unsigned", r) := _not_governed(r)

_explain("needs_no_permission", r) := _needs_no_permission(r, iam.needs_no_permission(r.action))

_explain("evaluated", r) := _evaluated(r, iam.outcome(applicable.facts(r)))

_explain("incomplete", r) := _decision(
	_verdicts.incomplete, _signed(r), [], [], [{
		"code": "evaluation_incomplete",
		"message": "the evaluation produced no result for this request",
	}],
	"The evaluation produced no result for this request; denied by default.",
)

# Which route answers a request with an identity, given its resolution res.
_identity_route(r, res) := "invalid" if {
	count(session.request_errors(r, res)) > 0
} else := "no_credentials" if {
	res.outcome == "error"
} else := "session"

_identity_verdict(r) := _verdict(session.request(r, res)) if {
	res := identity.resolve(r.identity)
	_identity_route(r, res) == "session"
} else := _verdicts[_identity_route(r, res)] if {
	res := identity.resolve(r.identity)
}

_identity_decision(r) := object.union(_identity_explain(_identity_route(r, res), r, res), {"identity": res}) if {
	res := identity.resolve(r.identity)
}

_identity_explain("invalid", r, res) := _invalid(r, session.request_errors(r, res))

_identity_explain("no_credentials", r, res) := _decision(
	_verdicts.no_credentials, _signed(r), [], [], [w | some w in _identity_warnings(r, res)],
	sprintf("%s Without credentials no AWS request can be signed.", [res.reason]),
)

_identity_explain("session", r, res) := object.union(d, {
	"warnings": [w | some w in ({w | some w in d.warnings} | _identity_warnings(r, res))],
}) if {
	d := _decide(session.request(r, res))
}

_identity_warnings(r, res) := {w | some w in res.warnings} | session.warnings(r, res)

# A decision: the verdict v ({"allowed", "decision"}) and its explanation.
_decision(v, signed, matched, errors, warnings, reason) := {
	"allowed": v.allowed,
	"decision": v.decision,
	"signed": signed,
	"matched": matched,
	"warnings": warnings,
	"errors": errors,
	"reason": reason,
}

_invalid(r, errors) := _decision(
	_verdicts.invalid, _signed(r), [], [e | some e in errors], [],
	sprintf("The request cannot be evaluated (%d error(s)); first: %s: %s", [
		count(errors), _first(errors).field, _first(errors).message,
	]),
)

_not_governed(r) := _decision(
	_verdicts.unsigned, false, [], [], [w | some w in diagnostics.warnings(r)],
	sprintf(
		"%s is not signed with AWS credentials (%s authorization), so IAM policies cannot allow or deny it%s.",
		[catalog.canonical(r.action), catalog.authorization(r.action), _sources_note(r.action)],
	),
)

# Signed with AWS credentials, but answered without consulting any policy.
_needs_no_permission(r, entry) := _decision(
	_verdicts.needs_no_permission, true, [], [], [w | some w in diagnostics.warnings(r)],
	sprintf("%s needs no IAM permission: no policy, an explicit Deny included, stops it (%s: %s).", [
		entry.action, entry.document, entry.url,
	]),
)

_evaluated(r, result) := _decision(
	result, true, result.matched, [],
	[w | some w in (diagnostics.warnings(r) | result.warnings)],
	result.reason,
)

_sources_note(act) := sprintf(" (sources: %s)", [concat(", ", catalog.unsigned_sources(act))]) if {
	count(catalog.unsigned_sources(act)) > 0
} else := ""

_signed(r) := catalog.signed(r.action) if is_string(r.action)

else := true

_first(errors) := [e | some e in errors][0]
