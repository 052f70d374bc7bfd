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
