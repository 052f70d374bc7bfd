# METADATA
# title: Decision entry points
# description: |
#   The documents OPA serves: data.cognito.authz.decision answers one request
#   (input = the request) and data.cognito.authz.decisions answers many in one
#   query (input = {"requests": [...]}), in order. Every request gets a
#   decision, whatever it contains: a malformed request is "invalid" on its
#   own and never breaks the others. Decision: {"allowed", "decision",
#   "signed", "matched", "warnings", "errors", "reason"}.
package cognito.authz

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
	is_object(r)
	"identity" in object.keys(r)
} else := _decide(r)

_decide(r) := _invalid(r, errors) if {
	errors := validation.request_errors(r)
	count(errors) > 0
} else := _not_governed(r) if {
	catalog.unsigned(r.action)
} else := _needs_no_permission(r, entry) if {
	entry := iam.needs_no_permission(r.action)
} else := _evaluated(r, iam.evaluate(r)) if {
	iam.evaluate(r)
} else := _decision(
	false, "implicit_deny", _signed(r), [], [], [{
		"code": "evaluation_incomplete",
		"message": "the evaluation produced no result for this request",
	}],
	"The evaluation produced no result for this request; denied by default.",
)

_identity_decision(r) := object.union(_invalid(r, errors), {"identity": res}) if {
	res := identity.resolve(r.identity)
	errors := session.request_errors(r, res)
	count(errors) > 0
} else := object.union(
	_decision(
		false, "no_credentials", _signed(r), [], [], [w | some w in _identity_warnings(r, res)],
		sprintf("%s Without credentials no AWS request can be signed.", [res.reason]),
	),
	{"identity": res},
) if {
	res := identity.resolve(r.identity)
	res.outcome == "error"
} else := object.union(d, {
	"warnings": [w | some w in ({w | some w in d.warnings} | _identity_warnings(r, res))],
	"identity": res,
}) if {
	res := identity.resolve(r.identity)
	d := _decide(session.request(r, res))
}

_identity_warnings(r, res) := {w | some w in res.warnings} | session.warnings(r, res)

_decision(allowed, decision, signed, matched, errors, warnings, reason) := {
	"allowed": allowed,
	"decision": decision,
	"signed": signed,
	"matched": matched,
	"warnings": warnings,
	"errors": errors,
	"reason": reason,
}

_invalid(r, errors) := _decision(
	false, "invalid", _signed(r), [], [e | some e in errors], [],
	sprintf("The request cannot be evaluated (%d error(s)); first: %s: %s", [
		count(errors), _first(errors).field, _first(errors).message,
	]),
)

_not_governed(r) := _decision(
	true, "not_governed_by_iam", false, [], [], [w | some w in diagnostics.warnings(r)],
	sprintf(
		"%s is not signed with AWS credentials (%s authorization), so IAM policies cannot allow or deny it%s.",
		[catalog.canonical(r.action), catalog.authorization(r.action), _sources_note(r.action)],
	),
)

# Signed with AWS credentials, but answered without consulting any policy.
_needs_no_permission(r, entry) := _decision(
	true, "not_governed_by_iam", true, [], [], [w | some w in diagnostics.warnings(r)],
	sprintf("%s needs no IAM permission: no policy, an explicit Deny included, stops it (%s: %s).", [
		entry.action, entry.document, entry.url,
	]),
)

_evaluated(r, result) := _decision(
	result.allowed, result.decision, true, result.matched, [],
	[w | some w in (diagnostics.warnings(r) | result.warnings)],
	result.reason,
)

_sources_note(act) := sprintf(" (sources: %s)", [concat(", ", catalog.unsigned_sources(act))]) if {
	count(catalog.unsigned_sources(act)) > 0
} else := ""

_signed(r) := catalog.signed(r.action) if is_string(r.action)

else := true

_first(errors) := [e | some e in errors][0]
