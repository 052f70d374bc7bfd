# METADATA
# title: Statement matching
# description: |
#   Whether one IAM policy statement applies to a request: its Action or
#   NotAction names the action, its Resource or NotResource names the
#   resource, and its Condition block is satisfied by the request context.
#   The Principal element (resource-based policies only) is package
#   cognito.trust's concern. Ill-formed elements never match and never fail.
#   Sources: IAM User Guide, "IAM JSON policy elements: Action", "NotAction",
#   "Resource", "NotResource", "Condition".
package cognito.statement

import data.cognito.conditions
import data.cognito.match
import data.cognito.util
import data.cognito.variables

# METADATA
# description: |
#   True when statement s applies to the request req = {"action", "resource",
#   "context"}; variables is true when the policy's Version lets IAM substitute
#   policy variables (see policy.substitutes_variables).
applies(s, variables, req) if {
	is_object(s)
	action_matches(s, req.action)
	resource_matches(s, variables, req)
	condition_matches(s, variables, req.context)
}

# METADATA
# description: |
#   Action names the action (case-insensitive, * and ?), or NotAction is
#   present and does not name it: NotAction "matches everything except the
#   specified list of actions" (IAM User Guide, "NotAction").
# scope: document
action_matches(s, act) if {
	_names_action(s.Action, act)
} else if {
	s.NotAction
	not "Action" in object.keys(s)
	not _names_action(s.NotAction, act)
}

# One pattern (a string) or any of several names the action.
_names_action(patterns, act) if {
	is_string(patterns)
	match.action(patterns, act)
} else if {
	some p in patterns
	match.action(p, act)
}

# METADATA
# description: |
#   Resource names the resource, or NotResource is present and does not name
#   it, or (resource-based policies such as role trust policies) neither
#   element is present: the policy then governs the resource it is attached to.
# scope: document
resource_matches(s, variables, req) if {
	_names_resource(s.Resource, variables, req)
} else if {
	s.NotResource
	not "Resource" in object.keys(s)
	not _names_resource(s.NotResource, variables, req)
} else if {
	not s.Resource
	not "Resource" in object.keys(s)
	not "NotResource" in object.keys(s)
}

_names_resource(patterns, variables, req) if {
	is_string(patterns)
	_resource_like(patterns, req.resource, variables, req.context)
} else if {
	some p in patterns
	_resource_like(p, req.resource, variables, req.context)
}

# With Version 2012-10-17 policy variables are substituted (as literal text);
# otherwise the pattern is matched as written, "${...}" included (IAM User
# Guide, "IAM JSON policy elements: Version").
_resource_like(p, resource, true, context) if variables.resource_matches(p, resource, context)

_resource_like(p, resource, false, _) if match.resource(p, resource)

# METADATA
# description: |
#   No Condition element, or a Condition block that the context satisfies.
# scope: document
condition_matches(s, variables, context) if {
	not "Condition" in object.keys(s)
} else if {
	block := s.Condition
	is_object(block)
	_conditions_satisfied(block, variables, context)
}

# Condition values are matched by cognito.conditions, which substitutes policy
# variables in them; IAM substitutes them only with Version 2012-10-17, so for
# older policies every "${" is first written as "${$}{", the escape that
# stands for a literal "$" - the text then matches as written.
_conditions_satisfied(block, true, context) if conditions.satisfied(block, context)

_conditions_satisfied(block, false, context) if conditions.satisfied(_literal_block(block), context)

_literal_block(block) := {name: _literal_keys(keys) | some name, keys in block}

_literal_keys(keys) := {key: _literal(v) | some key, v in keys} if is_object(keys)

else := keys

_literal(v) := [_literal_text(x) | some x in v] if is_array(v)

else := _literal_text(v)

_literal_text(x) := replace(x, "${", "${$}{") if is_string(x)

else := x

# METADATA
# description: |
#   The compiled form of statement s (an object), worked out once when a bundle
#   stores it (cognito.store.indexing) so that a decision only compares:
#   {"fast": true, "action": its Action patterns, "resource": one test per
#   Resource pattern, "condition": its Condition block compiled by
#   cognito.conditions.compile (null without one), "variables"} for a
#   statement with an Action and a Resource that are strings or lists of
#   strings and no Condition or one that compiles;
#   {"fast": false, "raw": s, "variables"} for any other (NotAction,
#   NotResource, no Resource, ...), matched by applies. A resource test is
#   ["any", ""] for "*", ["equals", p] for a pattern without wildcards,
#   ["regex", match.resource_regex(p)] for a wildcard pattern, and
#   ["variables", p] for a pattern in which IAM substitutes policy variables;
#   a Condition block of a policy without Version 2012-10-17 is compiled with
#   its "${" escaped (see condition_matches). variables as for applies.
compile(s, variables) := {
	"fast": true,
	"action": util.as_list(s.Action),
	"resource": [_resource_test(p, variables) | some p in util.as_list(s.Resource)],
	"condition": _compiled_condition(s, variables),
	"variables": variables,
} if {
	_strings(s.Action)
	_strings(s.Resource)
	_compiled_condition(s, variables)
} else := {"fast": false, "raw": s, "variables": variables}

_strings(x) if is_string(x)

_strings(x) if {
	is_array(x)
	every p in x {
		is_string(p)
	}
}

_resource_test(p, true) := ["variables", p] if contains(p, "$")

else := _plain_resource_test(p)

_resource_test(p, false) := _plain_resource_test(p)

_plain_resource_test("*") := ["any", ""]

_plain_resource_test(p) := ["equals", p] if {
	p != "*"
	not match.has_wildcard(p)
}

_plain_resource_test(p) := ["regex", match.resource_regex(p)] if {
	p != "*"
	match.has_wildcard(p)
}

_compiled_condition(s, _) := null if not "Condition" in object.keys(s)

_compiled_condition(s, true) := conditions.compile(s.Condition) if is_object(s.Condition)

_compiled_condition(s, false) := conditions.compile(_literal_block(s.Condition)) if is_object(s.Condition)

# METADATA
# description: |
#   True when the statement compiled as c (see compile) applies to the request
#   req = {"action", "resource", "context"}, as applies would answer for the
#   statement itself. action_known is true when the caller already knows that
#   c's Action names req.action (a statement index lists it for that action,
#   by match.action): its patterns are then not matched again.
# scope: document
compiled_applies(c, action_known, req) if {
	c.fast
	_compiled_action(c.action, action_known, req.action)
	_compiled_resource(c.resource, req)
	_compiled_condition_matches(c.condition, req.context)
}

compiled_applies(c, _, req) if {
	not c.fast
	applies(c.raw, c.variables, req)
}

# METADATA
# description: |
#   True when matching the statement compiled as c (see compile) can read the
#   request context: it has a Condition, a resource test with policy
#   variables, or is matched in full (not fast). compiled_applies answers the
#   same for any other whatever the context.
# scope: document
compiled_reads_context(c) if not c.fast

compiled_reads_context(c) if c.condition != null

compiled_reads_context(c) if {
	some test in c.resource
	test[0] == "variables"
}

_compiled_action(_, true, _) := true

_compiled_action(patterns, false, act) if _names_action(patterns, act)

_compiled_resource(tests, req) if {
	is_string(req.resource)
	some test in tests
	_passes(test, req)
}

_passes(["any", _], _) := true

_passes(["equals", p], req) if p == req.resource

_passes(["regex", expression], req) if regex.match(expression, req.resource)

_passes(["variables", p], req) if variables.resource_matches(p, req.resource, req.context)

_compiled_condition_matches(null, _) := true

_compiled_condition_matches(tests, context) if {
	tests != null
	conditions.compiled_satisfied(tests, context)
}
