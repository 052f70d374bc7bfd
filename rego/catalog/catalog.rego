# METADATA
# title: Action catalog
# description: |
#   Lookups over the action catalog shipped as bundle data
#   (data.cognito.reference.catalog): whether an action is known, its access
#   level, the resource types it uses, whether IAM governs it (signed) and
#   which catalogued actions an IAM action pattern names. Lookups are
#   case-insensitive, as IAM's action matching is. Absent data means an empty
#   catalog: every function then answers "unknown".
package cognito.catalog

# Bundle data, guarded so that a missing or oddly shaped catalog never fails a query.
_catalog := c if {
	c := data.cognito.reference.catalog
	is_object(c)
} else := {}

_actions := a if {
	a := _catalog.actions
	is_object(a)
} else := {}

_services := s if {
	s := _catalog.services
	is_object(s)
} else := {}

# METADATA
# description: The catalog's sources (package names and versions), as recorded in the data.
sources := s if {
	s := _catalog.sources
} else := []

# METADATA
# description: Lower-cased names of the services the catalog describes (e.g. "cognito-idp").
services := {lower(name) | some name, _ in _services}

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
	entry := _actions[lower(name)]
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
unsigned(name) if signed(name) == false

# METADATA
# description: |
#   The operation's authorization model: "iam" for IAM-authorized operations,
#   otherwise what the catalog records ("public", "token", ...). Unknown
#   actions answer "iam".
authorization(name) := model if {
	model := action(name).authorization
	is_string(model)
} else := "iam" if {
	signed(name)
} else := "none"

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
	some rt in _list(action(name).resource_types)
	is_object(rt)
}

# METADATA
# description: Names of the resource types a known action requires.
required_resource_types(name) := {rt.name |
	some rt in _list(action(name).resource_types)
	is_object(rt)
	rt.required == true
}

# METADATA
# description: Condition keys a known action supports (set, as spelled in the catalog).
condition_keys(name) := {k | some k in _list(action(name).condition_keys)}

# METADATA
# description: Actions another known action depends on (set).
dependent_actions(name) := {k | some k in _list(action(name).dependent_actions)}

# METADATA
# description: The ARN template of a service's resource type, e.g. "arn:${Partition}:cognito-idp:...".
resource_type_arn(svc, type_name) := tmpl if {
	some name, s in _services
	lower(name) == lower(svc)
	tmpl := s.resource_types[type_name].arn
	is_string(tmpl)
}

# Regular expression per [service, resource type]: the template's ${...}
# placeholders become "one or more characters other than /", the rest is literal.
_type_patterns[[lower(svc), type_name]] := _template_regex(rt.arn) if {
	some svc, s in _services
	is_object(s.resource_types)
	some type_name, rt in s.resource_types
	is_string(rt.arn)
}

_template_regex(tmpl) := concat("", [
	"^", concat("[^/]+", [regex.replace(p, `([\\.+*?()|\[\]{}^$])`, `\$1`) |
		some p in regex.split(`\$\{[A-Za-z0-9_]+\}`, tmpl)
	]),
	"$",
])

# METADATA
# description: |
#   The resource types of service svc whose ARN template the concrete ARN
#   matches (set of names; usually zero or one).
resource_types_of(svc, arn_string) := {type_name |
	is_string(svc)
	is_string(arn_string)
	some key, re in _type_patterns
	key[0] == lower(svc)
	type_name := key[1]
	regex.match(re, arn_string)
}

# METADATA
# description: |
#   The canonical names of the catalogued actions an IAM Action pattern names
#   (case-insensitive, * and ?), e.g. actions_matching("cognito-idp:AdminGet*").
actions_matching(pattern) := {entry.action |
	is_string(pattern)
	some entry in _actions
	is_object(entry)
	_action_like(pattern, entry.action)
}

# METADATA
# description: The canonical names of all catalogued actions of a service (set).
actions_of(svc) := {entry.action |
	is_string(svc)
	some entry in _actions
	is_object(entry)
	lower(entry.service) == lower(svc)
}

_list(x) := x if is_array(x)

_list(x) := [] if not is_array(x)

# Interim action matcher (IAM: case-insensitive, * and ?, other glob
# metacharacters literal) until the shared matching package is available.
_action_like(pattern, act) if {
	is_string(pattern)
	glob.match(lower(strings.replace_n(_glob_escapes, pattern)), [], lower(act))
}

_glob_escapes := {"\\": "\\\\", "[": "\\[", "]": "\\]", "{": "\\{", "}": "\\}"}
