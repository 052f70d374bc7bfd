# METADATA
# title: The statement index of stored principals
# description: |
#   Computed when a bundle is built (cognito.store.build), stored at
#   data.cognito.store.index and read by cognito.principal.stored_statements:
#   a decision for a principal with stored policies then matches only the
#   statements whose Action can name the requested action and whose Resource
#   can name the requested resource. Those candidates are still matched in
#   full (cognito.statement.applies), so the index may only ever leave out
#   statements that cannot apply; a statement it cannot classify with
#   certainty is a candidate for every action ("scan").
#   Layout (format 2): {"format": 2, "expanded": {action: true}, "principals":
#   {key: {"actions": {action: {"exact": {resource: refs}, "prefix": {bucket:
#   refs}}}, "wildcard": refs, "scan": refs, "compiled": {policy name:
#   [entry]}}}}. A ref [policy name, position in its Statement list] names a
#   statement of the principal's "policies" (not its managed policies or
#   boundary); every list of refs is in the order of a full scan (policy
#   names in byte order, then positions). "compiled" holds, at each ref, the
#   statement compiled for matching (cognito.statement.compile) with the
#   labels a decision reports, {"policy": "principal:NAME", "statement": its
#   Sid or position, "effect"} (null for a statement that is not an object):
#   a decision reads it instead of translating the statement's patterns.
#   Actions are lower-cased. "expanded" holds the catalogued actions
#   (data.cognito.reference.catalog): for those, "actions" lists every
#   statement whose Action names them, wildcard patterns included; for any
#   other action, the statements naming it literally, plus "wildcard" (every
#   statement with a wildcard pattern). Only ASCII patterns are classified:
#   IAM matches actions case-insensitively, and lower-casing a pattern that is
#   not ASCII need not agree with case-insensitive matching, so a statement
#   with NotAction, a non-ASCII pattern or an Action that is not a string or
#   a list of strings is in "scan". Resources are grouped by where they can
#   match: a pattern without * ? or $ matches only itself ("exact"); any other
#   pattern only resources starting with its text before the first of them,
#   grouped under that text cut after its last ":" or "/" ("prefix", possibly
#   ""), which cognito.principal looks up for every such prefix of the
#   resource. NotResource, a missing Resource or one that is not a string or
#   a list of strings is in the group "" (any resource).
#   The principals indexed are data.cognito.store.principals (cognito.store
#   gives its entries there with `with`).
package cognito.store.indexing

import data.cognito.catalog
import data.cognito.match
import data.cognito.policy
import data.cognito.principal
import data.cognito.util

# METADATA
# description: The version of the layout (read by cognito.principal, which uses format 2 only).
format := 2

# METADATA
# description: The statement index of data.cognito.store.principals (the layout above).
index := {
	"format": format,
	"expanded": {action: true | some action in expanded},
	"principals": {key: {
		"actions": {action: {kind: _groups([[key, action], kind]) | some kind in ["exact", "prefix"]} |
			some action in object.get(_actions_of, key, [])
		},
		"wildcard": object.get(_wildcard_of, key, []),
		"scan": object.get(_scan_of, key, []),
		"compiled": {name: _compiled_policy(name, doc) | some name, doc in util.as_object(entry.policies)},
	} |
		some key, entry in _principals
	},
}

_compiled_policy(name, doc) := [principal.compiled_statement(name, i, s, doc) | some i, s in policy.statement_list(doc)]

# METADATA
# description: |
#   The lower-cased names of the catalogued actions, for which "actions" lists
#   every statement, wildcard patterns expanded.
expanded contains lower(name) if some name in catalog.actions_matching("*")

default _principals := {}

_principals := data.cognito.store.principals if is_object(data.cognito.store.principals)

# Every statement of a stored principal's policies that is an object (others
# never apply): [principal key, ref, statement].
_statements contains [key, [name, i], s] if {
	some key, entry in _principals
	some name, doc in util.as_object(entry.policies)
	some i, s in policy.statement_list(doc)
	is_object(s)
}

# The action patterns of a statement the index can rely on: an Action that is
# an ASCII string or a list of ASCII strings. Undefined otherwise.
_action_patterns(s) := [s.Action] if {
	is_string(s.Action)
	_ascii(s.Action)
} else := s.Action if {
	is_array(s.Action)
	every p in s.Action {
		is_string(p)
		_ascii(p)
	}
}

_ascii(text) if regex.match(`^[\x00-\x7f]*$`, text)

_wildcard_patterns contains p if {
	some [_, _, s] in _statements
	some p in _action_patterns(s)
	match.has_wildcard(p)
}

# Each wildcard pattern with the expanded actions it names (the catalog's own matching).
_expansions[p] := {lower(name) | some name in catalog.actions_matching(p)} if some p in _wildcard_patterns

_actions_named(patterns) := {action |
	some p in patterns
	some action in _pattern_actions(p)
}

_pattern_actions(p) := _expansions[p] if match.has_wildcard(p)

else := {lower(p)}

# The resource groups of a statement: ["exact", resource] or ["prefix", bucket].
_resource_groups(s) := {_resource_group(p) | some p in _resource_patterns(s)} if {
	_resource_patterns(s)
} else := {["prefix", ""]}

_resource_patterns(s) := [s.Resource] if {
	is_string(s.Resource)
} else := s.Resource if {
	is_array(s.Resource)
	every p in s.Resource {
		is_string(p)
	}
}

_resource_group(p) := ["exact", p] if {
	not regex.match(`[*?$]`, p)
} else := ["prefix", concat("", regex.find_n(`[^:/]*[:/]`, regex.split(`[*?$]`, p)[0], -1))]

# The index is grouped from flat sets of facts by comprehensions in complete
# rules, each filtering on one value bound outside it: OPA indexes those
# (comprehension indexing), so each grouping is one pass over the facts. The
# alternatives Regal prefers are quadratic here (measured with OPA 1.22 on
# 10,000 facts: a partial object rule with such a comprehension in its body is
# not indexed, and a rule with variables in its head ref, such as
# p[key][action] contains ref, slows down as it grows), hence the
# prefer-set-or-object-rule exemptions. Array keys are looked up directly,
# never with object.get, which reads an array as a path.

# Each classified statement (its Action readable): [key, ref, the lower-cased
# actions it is listed for, its resource groups], each worked out once.
_classified contains [key, ref, actions, groups] if {
	some [key, ref, s] in _statements
	actions := _actions_named(_action_patterns(s))
	groups := _resource_groups(s)
}

# [[[key, action], kind], group], ref]: the statement ref is listed for the
# action under the resource group [kind, group].
_listings contains [[[[key, action], kind], group], ref] if {
	some [key, ref, actions, groups] in _classified
	some action in actions
	some [kind, group] in groups
}

# Every [key, action]: in the index even when its statements have no resource
# group (an empty Resource list).
_named contains [key, action] if {
	some [key, _, actions, _] in _classified
	some action in actions
}

# regal ignore:prefer-set-or-object-rule
_actions_of := {key: [pair[1] | some pair in _named; pair[0] == key] | some key in {pair[0] | some pair in _named}}

_group_keys contains listing[0] if some listing in _listings

# regal ignore:prefer-set-or-object-rule
_refs_of := {group_key: sort([listing[1] | some listing in _listings; listing[0] == group_key]) |
	some group_key in _group_keys
}

# [[key, action], kind] -> {group: refs}
# regal ignore:prefer-set-or-object-rule
_groups_of := {slot: {group_key[1]: _refs_of[group_key] | some group_key in _group_keys; group_key[0] == slot} |
	some slot in {group_key[0] | some group_key in _group_keys}
}

_groups(slot) := groups if {
	groups := _groups_of[slot]
} else := {}

_wildcard contains [key, ref] if {
	some [key, ref, s] in _statements
	some p in _action_patterns(s)
	match.has_wildcard(p)
}

_scan contains [key, ref] if {
	some [key, ref, s] in _statements
	not _action_patterns(s)
}

# regal ignore:prefer-set-or-object-rule
_wildcard_of := {key: sort([w[1] | some w in _wildcard; w[0] == key]) | some key in {w[0] | some w in _wildcard}}

# regal ignore:prefer-set-or-object-rule
_scan_of := {key: sort([w[1] | some w in _scan; w[0] == key]) | some key in {w[0] | some w in _scan}}
