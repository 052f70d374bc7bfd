# METADATA
# title: Action catalog
# description: |
#   Lookups over the action catalog shipped as bundle data
#   (data.cognito.reference.catalog): whether an action is known, its access
#   level, the resource types it uses, whether IAM governs it (signed) and
#   which catalogued actions an IAM action pattern names. Lookups are
#   case-insensitive, as IAM's action matching is. Absent data means an empty
#   catalog: every lookup then answers "unknown". The functions read the
#   catalog data itself, by reference, rather than taking it as an argument.
package cognito.catalog

import data.cognito.match
import data.cognito.util

default _catalog := {}

_catalog := data.cognito.reference.catalog if is_object(data.cognito.reference.catalog)

default _actions := {}

_actions := _catalog.actions if is_object(_catalog.actions)

default _services := {}

_services := _catalog.services if is_object(_catalog.services)

# METADATA
# description: The catalog's sources (package names and versions), as recorded in the data.
# scope: document
default sources := []

sources := _catalog.sources if is_array(_catalog.sources)

# METADATA
# description: Lower-cased names of the services the catalog describes (e.g. "cognito-idp").
services contains lower(name) if some name, _ in _services

# METADATA
# description: True when the catalog describes the service prefix svc (case-insensitive).
has_service(svc) if {
	is_string(svc)
	lower(svc) in services
}

# METADATA
# description: The catalog entry of an action ("service:Name", any case); undefined when unknown.
action(name) := entry if {
	is_string(name)

	# The data itself, not _actions: the same entry (absent or malformed
	# catalog data gives none either way), without evaluating the rules
	# in between on every decision query.
	entry := data.cognito.reference.catalog.actions[lower(name)]
	is_object(entry)
}

# METADATA
# description: True when the action is in the catalog.
known(name) if action(name)

# METADATA
# description: The canonical spelling of a known action, e.g. "cognito-idp:AdminCreateUser".
canonical(name) := action(name).action

# METADATA
# description: |
#   False only for operations the catalog marks as not signed with AWS
#   credentials (public or token-authorized): IAM cannot restrict those.
#   Unknown actions are assumed to be signed.
signed(name) := false if {
	action(name).signed == false
} else := true

# METADATA
# description: True for a catalogued operation that IAM does not govern (signed is false).
unsigned(name) if action(name).signed == false

# METADATA
# description: |
#   The operation's authorization model as the catalog records it: "iam" for
#   IAM-authorized operations, "public" or "token" for unsigned ones. Unknown
#   actions answer "iam".
authorization(name) := model if {
	model := action(name).authorization
	is_string(model)
} else := "iam"

# METADATA
# description: Where the catalog learnt that an operation is unsigned (list; empty when signed or unknown).
unsigned_sources(name) := srcs if {
	srcs := action(name).unsigned_sources
	is_array(srcs)
} else := []

# METADATA
# description: The access level of a known action ("Read", "Write", "List", "Tagging", "Permissions management").
access_level(name) := action(name).access_level

# METADATA
# description: Names of the resource types a known action uses (empty set when it only takes Resource "*").
resource_types(name) := {rt.name |
	some rt in util.as_array(action(name).resource_types)
	is_object(rt)
}

# METADATA
# description: Names of the resource types a known action requires.
required_resource_types(name) := {rt.name |
	some rt in util.as_array(action(name).resource_types)
	is_object(rt)
	rt.required == true
}

# METADATA
# description: Condition keys a known action supports (set, as spelled in the catalog).
condition_keys(name) := {k | some k in util.as_array(action(name).condition_keys)}

# METADATA
# description: Actions a known action depends on (set).
dependent_actions(name) := {k | some k in util.as_array(action(name).dependent_actions)}

# METADATA
# description: |
#   The ARN template of a resource type as a service of the catalog lists it,
#   e.g. resource_type_arn("cognito-idp", "userpool") =
#   "arn:${Partition}:cognito-idp:${Region}:${Account}:userpool/${UserPoolId}".
resource_type_arn(svc, rtype) := min(templates) if {
	is_string(svc)
	templates := {tmpl |
		some name, s in _services
		lower(name) == lower(svc)
		tmpl := s.resource_types[rtype].arn
		is_string(tmpl)
	}
	count(templates) > 0
}

# METADATA
# description: |
#   The canonical names of the catalogued actions an IAM Action pattern names
#   (case-insensitive, * and ?), e.g. actions_matching("cognito-idp:AdminGet*").
actions_matching(pattern) := {entry.action |
	is_string(pattern)
	some entry in _actions
	match.action(pattern, entry.action)
}

# METADATA
# description: The canonical names of all catalogued actions of a service (set).
actions_of(svc) := {entry.action |
	is_string(svc)
	some entry in _actions
	lower(entry.service) == lower(svc)
}

# METADATA
# description: The canonical names of the catalogued actions at an access level ("Write", "Read", ...), as a set.
actions_at_level(level) := {entry.action |
	some entry in _actions
	entry.access_level == level
}
