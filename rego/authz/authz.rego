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
import data.cognito.validation

# METADATA
# description: The decision for input, one request.
# entrypoint: true
decision := decide(input)

# METADATA
# description: The decisions for input.requests, in order (empty when input.requests is not a list).
# entrypoint: true
decisions := [decide(r) | some r in _requests]

_requests := input.requests if is_array(input.requests)

else := []

# METADATA
# description: |
#   The decision for one request: "invalid" when it cannot be evaluated,
#   "not_governed_by_iam" for an operation IAM does not govern (unsigned:
#   public or token-authorized; no policy changes that, an explicit Deny
#   included), otherwise IAM's evaluation (cognito.iam.evaluate).
decide(r) := {
	"allowed": false,
	"decision": "invalid",
	"signed": _signed(r),
	"matched": [],
	"warnings": [],
	"errors": [e | some e in errors],
	"reason": sprintf("The request cannot be evaluated (%d error(s)); first: %s: %s", [
		count(errors), _first(errors).field, _first(errors).message,
	]),
} if {
	errors := validation.request_errors(r)
	count(errors) > 0
} else := {
	"allowed": true,
	"decision": "not_governed_by_iam",
	"signed": false,
	"matched": [],
	"warnings": [w | some w in diagnostics.warnings(r)],
	"errors": [],
	"reason": sprintf(
		"%s is not signed with AWS credentials (%s authorization), so IAM policies cannot allow or deny it.",
		[catalog.canonical(r.action), catalog.authorization(r.action)],
	),
} if {
	catalog.unsigned(r.action)
} else := {
	"allowed": result.allowed,
	"decision": result.decision,
	"signed": true,
	"matched": result.matched,
	"warnings": [w | some w in (diagnostics.warnings(r) | result.warnings)],
	"errors": [],
	"reason": result.reason,
} if {
	result := iam.evaluate(r)
} else := {
	"allowed": false,
	"decision": "implicit_deny",
	"signed": _signed(r),
	"matched": [],
	"warnings": [{"code": "evaluation_incomplete", "message": "the evaluation produced no result for this request"}],
	"errors": [],
	"reason": "The evaluation produced no result for this request; denied by default.",
}

_signed(r) := catalog.signed(r.action) if is_string(r.action)

else := true

_first(errors) := [e | some e in errors][0]
