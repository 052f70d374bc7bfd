# METADATA
# title: Request and policy validation
# description: |
#   What makes a request impossible to evaluate: a missing or malformed
#   action, a resource that is neither an ARN nor "*", fields of the wrong
#   type, an unknown managed policy, or a policy document that is not a valid
#   IAM policy. Each error is {"code", "message", "field"}, the field naming
#   the place, e.g. "policies[0].Statement[1].Effect".
#   Sources: IAM User Guide, "IAM JSON policy element reference" (Version,
#   Id, Statement, Sid, Effect, Principal, NotPrincipal, Action, NotAction,
#   Resource, NotResource, Condition) and "IAM JSON policy grammar".
package cognito.validation

import data.cognito.arn
import data.cognito.conditions
import data.cognito.limits
import data.cognito.managed
import data.cognito.principal
import data.cognito.registered
import data.cognito.util

# METADATA
# description: The request fields the contract defines.
request_fields := {
	"action", "resource", "policies", "managed_policies", "principal", "principal_type",
	"resource_account", "permissions_boundary", "scps", "session_policies", "context",
	"resource_policy", "policy_set",
}

_policy_keys := {"Version", "Id", "Statement"}

_statement_keys := {
	"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
	"Resource", "NotResource", "Condition",
}

_versions := {"2012-10-17", "2008-10-17"}

_err(code, field, message) := {"code": code, "field": field, "message": message}

# METADATA
# description: |
#   The errors of a request (set; empty when it can be evaluated). Policy
#   documents are checked as identity-based policies, resource_policy as a
#   resource-based policy (it must name a Principal or NotPrincipal). A
#   request over a size limit (cognito.limits) gets only those errors: the
#   other checks are not run on it. A request naming a registered policy set
#   (cognito.registered) gets that name's errors, else those of its other
#   fields: the set was validated when it was registered.
request_errors(r) := {_err("invalid_request", "", "a request must be a JSON object")} if {
	not is_object(r)
} else := set() if {
	_plain_request(r)
} else := policy_set_errors if {
	registered.given(r)
	policy_set_errors := registered.errors(r)
	count(policy_set_errors) > 0
} else := _request_errors(registered.without_id(r))

_request_errors(r) := too_large if {
	too_large := limits.errors(r)
	count(too_large) > 0
} else := set() if {
	_clean_request(r)
} else := _all_errors(r)

_all_errors(r) := union({
	_action_errors(r),
	_resource_errors(r),
	_type_errors(r),
	_managed_errors(r),
	_context_errors(r),
	_documents_errors(r),
})

_action_errors(r) := {_err("missing_action", "action", "the request has no action")} if {
	not "action" in object.keys(r)
} else := {_err("invalid_type", "action", "action must be a string \"service:Name\"")} if {
	not is_string(r.action)
} else := {_err("invalid_action", "action", sprintf("action %q is not of the form service:Name", [r.action]))} if {
	not _action_form(r.action)
} else := set()

# The form of an action name: service:Name.
_action_form(action) if regex.match(`^[A-Za-z0-9][A-Za-z0-9-]*:[A-Za-z0-9][A-Za-z0-9_.-]*$`, action)

_resource_errors(r) := {_err("missing_resource", "resource", "the request has no resource (an ARN or \"*\")")} if {
	not "resource" in object.keys(r)
} else := {_err("invalid_type", "resource", "resource must be a string: an ARN or \"*\"")} if {
	not is_string(r.resource)
} else := {_err("invalid_resource", "resource", sprintf("resource %q is neither an ARN nor \"*\"", [r.resource]))} if {
	r.resource != "*"
	not arn.is_arn(r.resource)
} else := set()

_type_errors(r) := {_err("invalid_type", field, sprintf("%s must be a JSON %s", [field, expected])) |
	some field, expected in {
		"policies": "array",
		"managed_policies": "array",
		"principal": "string",
		"principal_type": "string",
		"resource_account": "string",
		"permissions_boundary": "object",
		"scps": "array",
		"session_policies": "array",
		"context": "object",
		"resource_policy": "object",
	}
	value := r[field]
	type_name(value) != expected
} | {_err(
	"invalid_principal_type", "principal_type",
	"principal_type must be one of AWS, Federated, Service, CanonicalUser",
) |
	is_string(r.principal_type)
	not principal.is_kind(r.principal_type)
}

_managed_errors(r) := {e |
	some i, ref in util.as_array(r.managed_policies)
	e := _managed_error(ref, sprintf("managed_policies[%d]", [i]))
}

_managed_error(ref, field) := _err("invalid_type", field, "a managed policy is named by a string") if {
	not is_string(ref)
} else := _err("unknown_managed_policy", field, sprintf("no AWS managed policy %q in the bundle", [ref])) if {
	not managed.name(ref)
}

_context_errors(r) := {_err("invalid_type", sprintf("context.%s", [key]), msg) |
	some key, value in util.as_object(r.context)
	not _context_value(value)
	msg := "a context value must be a string, number, boolean, or a list of them"
}

_context_value(v) if util.is_scalar(v)

_context_value(v) if {
	is_array(v)
	every x in v {
		util.is_scalar(x)
	}
}

_documents_errors(r) := union({
	_list_errors(r, "policies"),
	_list_errors(r, "session_policies"),
	{e | some e in policy_errors(_object_field(r, "permissions_boundary"), "permissions_boundary", "identity")},
	{e | some e in policy_errors(_object_field(r, "resource_policy"), "resource_policy", "resource")},
	{e | some i, level in util.as_array(r.scps); some e in _scp_level_errors(level, i)},
})

_list_errors(r, name) := {e |
	some i, d in util.as_array(r[name])
	some e in policy_errors(d, sprintf("%s[%d]", [name, i]), "identity")
}

_scp_level_errors(level, i) := {e |
	some j, d in level
	some e in policy_errors(d, sprintf("scps[%d][%d]", [i, j]), "identity")
} if {
	is_array(level)
} else := policy_errors(level, sprintf("scps[%d]", [i]), "identity")

# METADATA
# description: |
#   The errors of one policy document (set). kind is "identity" for
#   identity-based policies, permissions boundaries, SCPs and session
#   policies (Resource or NotResource required, Principal forbidden) or
#   "resource" for resource-based policies such as role trust policies
#   (Principal or NotPrincipal required, Resource optional).
policy_errors(doc, field, kind) := {_err("invalid_type", field, "a policy document must be a JSON object")} if {
	not is_object(doc)
} else := union({
	{_err("unknown_element", sprintf("%s.%s", [field, k]), sprintf("unknown policy element %q", [k])) |
		some k, _ in doc
		not k in _policy_keys
	},
	_version_errors(doc, field),
	_id_errors(doc, field),
	_statements_errors(doc, field, kind),
})

_version_errors(doc, field) := {_err(
	"invalid_version", sprintf("%s.Version", [field]),
	sprintf("Version must be \"2012-10-17\" or \"2008-10-17\", not %v", [doc.Version]),
)} if {
	"Version" in object.keys(doc)
	not doc.Version in _versions
} else := set()

_id_errors(doc, field) := {_err("invalid_type", sprintf("%s.Id", [field]), "Id must be a string")} if {
	"Id" in object.keys(doc)
	not is_string(doc.Id)
} else := set()

_statements_errors(doc, field, _) := {_err(
	"missing_statement", sprintf("%s.Statement", [field]),
	"the policy has no Statement",
)} if {
	not "Statement" in object.keys(doc)
}

_statements_errors(doc, field, kind) := errs if {
	is_array(doc.Statement)
	errs := {e |
		some i, s in doc.Statement
		some e in _statement_errors(s, sprintf("%s.Statement[%d]", [field, i]), kind)
	} | _duplicate_sid_errors(doc.Statement, field)
}

_statements_errors(doc, field, kind) := _statement_errors(doc.Statement, sprintf("%s.Statement", [field]), kind) if {
	is_object(doc.Statement)
}

_statements_errors(doc, field, _) := {_err(
	"invalid_type", sprintf("%s.Statement", [field]),
	"Statement must be an object or a list of objects",
)} if {
	"Statement" in object.keys(doc)
	not is_array(doc.Statement)
	not is_object(doc.Statement)
}

# Every statement whose Sid an earlier statement already uses. Sorted [Sid,
# index] pairs put each Sid's uses next to each other, first one first: n log n
# rather than comparing every pair of statements (a document of the largest
# size holds some 200 statements).
_duplicate_sid_errors(statements, field) := {_err(
	"duplicate_sid", sprintf("%s.Statement[%d].Sid", [field, pair[1]]),
	sprintf("Sid %q is used by more than one statement", [pair[0]]),
) |
	pairs := sort([[sid, i] | some i, s in statements; sid := _sid(s)])
	some k, pair in pairs
	k > 0
	pairs[k - 1][0] == pair[0]
}

_sid(s) := s.Sid if {
	is_object(s)
	is_string(s.Sid)
	s.Sid != ""
}

_statement_errors(s, field, kind) := {_err("invalid_type", field, "a statement must be a JSON object")} if {
	not is_object(s)
} else := union({
	{_err("unknown_element", sprintf("%s.%s", [field, k]), sprintf("unknown statement element %q", [k])) |
		some k, _ in s
		not k in _statement_keys
	},
	_sid_errors(s, field),
	_effect_errors(s, field),
	_pair_errors(s, field, "Action", "NotAction", true),
	_pair_errors(s, field, "Resource", "NotResource", kind != "resource"),
	_principal_errors(s, field, kind),
	_action_value_errors(s, field),
	_resource_value_errors(s, field),
	_condition_errors(s, field),
})

_sid_errors(s, field) := {_err("invalid_type", sprintf("%s.Sid", [field]), "Sid must be a string")} if {
	"Sid" in object.keys(s)
	not is_string(s.Sid)
} else := set()

_effect_errors(s, field) := {_err("missing_effect", sprintf("%s.Effect", [field]), "the statement has no Effect")} if {
	not "Effect" in object.keys(s)
} else := {_err(
	"invalid_effect", sprintf("%s.Effect", [field]),
	sprintf("Effect must be \"Allow\" or \"Deny\", not %v", [s.Effect]),
)} if {
	not s.Effect in {"Allow", "Deny"}
} else := set()

# An element and its negation: never both; exactly one when required.
_pair_errors(s, field, name, negation, required) := {_err(
	"conflicting_elements", field,
	sprintf("a statement cannot have both %s and %s", [name, negation]),
)} if {
	name in object.keys(s)
	negation in object.keys(s)
} else := {_err(
	sprintf("missing_%s", [lower(name)]), field,
	sprintf("the statement has neither %s nor %s", [name, negation]),
)} if {
	required == true
	not name in object.keys(s)
	not negation in object.keys(s)
} else := set()

_principal_errors(s, field, "resource") := _pair_errors(s, field, "Principal", "NotPrincipal", true) | {e |
	some name in ["Principal", "NotPrincipal"]
	name in object.keys(s)
	not _valid_principal(s[name])
	e := _err("invalid_principal", sprintf("%s.%s", [field, name]), sprintf(
		"%s must be \"*\" or an object with keys among AWS, Federated, Service, CanonicalUser, %s",
		[name, "each a string or a non-empty list of strings"],
	))
}

_principal_errors(s, field, kind) := {_err(
	"principal_not_allowed", sprintf("%s.%s", [field, name]),
	sprintf("%s is only for resource-based policies, not identity-based policies", [name]),
) |
	some name in ["Principal", "NotPrincipal"]
	name in object.keys(s)
} if {
	kind != "resource"
}

_valid_principal("*")

_valid_principal(p) if {
	is_object(p)
	count(p) > 0
	every k, v in p {
		principal.is_kind(k)
		_strings(v)
	}
}

_strings(v) if is_string(v)

_strings(v) if {
	is_array(v)
	count(v) > 0
	every x in v {
		is_string(x)
	}
}

_action_value_errors(s, field) := {e |
	some name in ["Action", "NotAction"]
	name in object.keys(s)
	some e in _values_errors(s[name], sprintf("%s.%s", [field, name]), "action")
}

_resource_value_errors(s, field) := {e |
	some name in ["Resource", "NotResource"]
	name in object.keys(s)
	some e in _values_errors(s[name], sprintf("%s.%s", [field, name]), "resource")
}

_values_errors(v, field, what) := {_err(
	"invalid_type", field,
	sprintf("%s must be a string or a non-empty list of strings", [what]),
)} if {
	not _strings(v)
} else := {_err(sprintf("invalid_%s_pattern", [what]), _indexed(v, field, i), _pattern_message(what, p)) |
	some i, p in util.as_list(v)
	not _valid_pattern(what, p)
}

_indexed(v, field, i) := sprintf("%s[%d]", [field, i]) if is_array(v)

_indexed(v, field, _) := field if not is_array(v)

_pattern_message("action", p) := sprintf("action %q is not \"*\" or \"service:Name\" (wildcards allowed)", [p])

_pattern_message("resource", p) := sprintf("resource %q is not \"*\" or an ARN (wildcards and variables allowed)", [p])

_valid_pattern("action", "*")

_valid_pattern("action", p) if regex.match(`^[A-Za-z0-9*?-]+:[^:\s]+$`, p)

_valid_pattern("resource", "*")

_valid_pattern("resource", p) if startswith(p, "arn:")

# The Condition block's errors (cognito.conditions.errors), their fields
# ("Condition.StringEquals...") placed under the statement's field.
_condition_errors(s, field) := {_err(e.code, sprintf("%s.%s", [field, e.field]), e.message) |
	"Condition" in object.keys(s)
	some e in conditions.errors(s.Condition)
}

_object_field(r, name) := r[name] if is_object(r[name])
