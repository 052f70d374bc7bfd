# The quick validity check of package cognito.validation (described in
# validation.rego): most requests are valid, and proving that takes far fewer
# steps than collecting errors. _clean_request(r) holds only for requests in
# which request_errors finds no error (each check here is the negation of error
# rules there); anything unusual (a resource_policy, a Condition with problems,
# ...) fails it and gets the full check.
package cognito.validation

import data.cognito.arn
import data.cognito.conditions
import data.cognito.limits
import data.cognito.managed
import data.cognito.principal
import data.cognito.registered

_field_types := {
	"policies": "array",
	"managed_policies": "array",
	"principal": "string",
	"principal_type": "string",
	"resource_account": "string",
	"permissions_boundary": "object",
	"scps": "array",
	"session_policies": "array",
	"context": "object",
}

# The request a sidecar sees most: the string fields and a context of
# strings, each within its limit (cognito.limits.plain_field) and
# well-formed, or naming a registered policy set. One pass over its fields proves that neither the limits nor
# the other checks find an error.
_plain_request(r) if {
	is_string(r.action)
	is_string(r.resource)
	every field, value in r {
		limits.plain_field(field, value)
		_plain_form(field, value)
	}
}

_plain_form("action", value) if _action_form(value)

_plain_form("resource", value) if _clean_resource(value)

_plain_form("principal_type", value) if principal.is_kind(value)

_plain_form(field, _) if field in {"principal", "resource_account", "context"}

# A registered policy set's ID (a set is registered only under a valid ID).
_plain_form("policy_set", value) if registered.known(value)

_clean_request(r) if {
	is_string(r.action)
	_action_form(r.action)
	is_string(r.resource)
	_clean_resource(r.resource)
	every k, v in r {
		_clean_field(k, v)
	}
}

_clean_resource("*")

_clean_resource(resource) if arn.is_arn(resource)

# Fields outside the contract are ignored (diagnostics warns about them).
_clean_field(name, value) if {
	type_name(value) == _field_types[name]
	_clean_value(name, value)
} else if {
	not _field_types[name]
	name != "resource_policy"
}

_clean_value("policies", value) if {
	every d in value {
		_clean_document(d)
	}
}

_clean_value("session_policies", value) if {
	every d in value {
		_clean_document(d)
	}
}

_clean_value("permissions_boundary", value) if _clean_document(value)

_clean_value("scps", value) if {
	every level in value {
		_clean_scp_level(level)
	}
}

_clean_value("managed_policies", value) if {
	every ref in value {
		is_string(ref)
		managed.name(ref)
	}
}

_clean_value("context", value) if {
	every v in value {
		_context_value(v)
	}
}

_clean_value("principal_type", value) if principal.is_kind(value)

_clean_value("principal", _)

_clean_value("resource_account", _)

_clean_scp_level(level) if {
	is_array(level)
	every d in level {
		_clean_document(d)
	}
} else if _clean_document(level)

# An identity-based policy document without errors (see policy_errors).
_clean_document(doc) if {
	is_object(doc)
	every k, v in doc {
		_clean_policy_element(k, v)
	}
	_clean_statements(doc.Statement)
}

_clean_policy_element("Version", v) if v in _versions

_clean_policy_element("Id", v) if is_string(v)

_clean_policy_element("Statement", _)

_clean_statements(statements) if {
	is_object(statements)
	_clean_statement(statements)
}

_clean_statements(statements) if {
	is_array(statements)
	every s in statements {
		is_object(s)
		_clean_statement(s)
	}
	sids := [s.Sid | some s in statements; s.Sid != ""]
	count(sids) == count({sid | some sid in sids})
}

_clean_statement(s) if {
	s.Effect in {"Allow", "Deny"}
	count(object.keys(s) & {"Action", "NotAction"}) == 1
	count(object.keys(s) & {"Resource", "NotResource"}) == 1
	every k, v in s {
		_clean_statement_element(k, v)
	}
}

_clean_statement_element("Sid", v) if is_string(v)

_clean_statement_element("Effect", _)

_clean_statement_element("Action", v) if _clean_patterns(v, "action")

_clean_statement_element("NotAction", v) if _clean_patterns(v, "action")

_clean_statement_element("Resource", v) if _clean_patterns(v, "resource")

_clean_statement_element("NotResource", v) if _clean_patterns(v, "resource")

_clean_statement_element("Condition", v) if count(conditions.errors(v)) == 0

_clean_patterns(v, what) if {
	is_string(v)
	_valid_pattern(what, v)
} else if {
	is_array(v)
	_strings(v)
	every p in v {
		_valid_pattern(what, p)
	}
}
