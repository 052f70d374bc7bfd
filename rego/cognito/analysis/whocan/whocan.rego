# METADATA
# title: Who can call an action on a resource
# description: |
#   For one action and one resource, the decision for every principal the
#   bundle stores (data.cognito.store.principals), each from
#   cognito.authz.decide with the principal's stored policies, managed
#   policies and permissions boundary; the allowed ones come with the Allow
#   statements that grant it. input: {"action", "resource"}. For an action IAM
#   does not govern every caller may call it, with or without a principal.
package cognito.analysis.whocan

import data.cognito.authz
import data.cognito.catalog
import data.cognito.match
import data.cognito.validation

default _store := {}

_store := data.cognito.store.principals if is_object(data.cognito.store.principals)

# METADATA
# description: |
#   The who-can report: {"errors" (non-empty when the question cannot be
#   answered), "action", "resource", "signed", "principals" (every stored
#   principal: {"principal", "allowed", "decision", "statements" (the Allow
#   statements that grant it), "reason"}), "allowed" (the allowed
#   principals' ARNs)}.
# entrypoint: true
report := answer(input)

# METADATA
# description: The who-can report for a question {"action", "resource"} (see report).
answer(question) := _failed(question, errors) if {
	errors := question_errors(question, _store)
	count(errors) > 0
}

else := _answered(question, [_entry(question, arn) | some arn in sort(object.keys(_store))])

_failed(question, errors) := {
	"errors": errors,
	"action": object.get(question, "action", null),
	"resource": object.get(question, "resource", null),
	"signed": true,
	"principals": [],
	"allowed": [],
}

_answered(question, entries) := {
	"errors": [],
	"action": _canonical(question.action),
	"resource": question.resource,
	"signed": catalog.signed(question.action),
	"principals": entries,
	"allowed": [e.principal | some e in entries; e.allowed],
}

_canonical(act) := name if {
	name := catalog.canonical(act)
} else := act

# METADATA
# description: |
#   Why a question cannot be answered (sorted list of {"code", "message",
#   "field"}): the request errors of cognito.validation, a resource with
#   wildcards, or a bundle that stores no principal.
question_errors(question, stored) := sort([e |
	some e in union({
		validation.request_errors({k: question[k] | some k in ["action", "resource"]; k in object.keys(question)}),
		_wildcard_error(question),
		_store_error(stored),
	})
])

_wildcard_error(question) := {{
	"code": "resource_pattern",
	"field": "resource",
	"message": sprintf("resource %q has wildcards: give one ARN (or \"*\")", [question.resource]),
}} if {
	is_string(question.resource)
	question.resource != "*"
	match.has_wildcard(question.resource)
} else := set()

_store_error(stored) := {{
	"code": "no_principals",
	"field": "bundle",
	"message": "the bundle stores no principals: build one with pycognito-opa bundle build --policies DIR",
}} if {
	count(stored) == 0
} else := set()

_entry(question, arn) := {
	"principal": arn,
	"allowed": d.allowed,
	"decision": d.decision,
	"statements": [m | some m in d.matched; m.effect == "Allow"; d.allowed],
	"reason": d.reason,
} if {
	d := authz.decide({"action": question.action, "resource": question.resource, "principal": arn})
}
