# METADATA
# title: Action names for the analyses
# description: |
#   What the Action elements of a policy name in terms of the action catalog
#   (data.cognito.reference.catalog): every catalogued action, the actions an
#   Action pattern expands to, whether a service prefix is a Cognito one, and
#   the catalogued names closest to a misspelt one (a bounded edit distance,
#   ranked after a letter-pair similarity). Every function works on its
#   arguments and the catalog only; none reads input.
package cognito.analysis.actions

import data.cognito.catalog
import data.cognito.match
import data.cognito.util

# METADATA
# description: The canonical names of every catalogued action (set).
catalogued contains name if {
	some svc in catalog.services
	some name in catalog.actions_of(svc)
}

# METADATA
# description: |
#   The lower-cased service prefix of an action name or pattern ("cognito-idp"
#   for "Cognito-IDP:List*"); undefined when it has no colon.
service(pattern) := lower(split(pattern, ":")[0]) if {
	is_string(pattern)
	contains(pattern, ":")
}

# METADATA
# description: |
#   True when a service prefix (lower-case, possibly with wildcards) can only
#   name Amazon Cognito services: a catalogued service, or any prefix that
#   starts with "cognito" ("cognito-*", or a misspelt "cognito-ipd").
# scope: document
cognito_service(svc) if catalog.has_service(svc)

cognito_service(svc) if startswith(svc, "cognito")

# METADATA
# description: |
#   The canonical names of the catalogued actions an Action pattern names: the
#   action itself for a name without wildcards (when catalogued), otherwise
#   every catalogued action the pattern matches (IAM's * and ?,
#   case-insensitive). Empty for "*"-free names the catalog does not know.
expand(pattern) := {catalog.canonical(pattern)} if {
	is_string(pattern)
	not match.has_wildcard(pattern)
	catalog.known(pattern)
} else := catalog.actions_matching(pattern) if {
	is_string(pattern)
	match.has_wildcard(pattern)
} else := set()

# METADATA
# description: |
#   The catalogued actions a statement's Action or NotAction element names,
#   given expansion (an object from lower-cased pattern to its expand() set)
#   and every catalogued action (every_action): for Action the union of its patterns'
#   expansions; for NotAction every other catalogued action.
named_by(s, expansion, every_action) := union({expansion[lower(p)] | some p in util.as_strings(s.Action)}) if {
	"Action" in object.keys(s)
} else := every_action - union({expansion[lower(p)] | some p in util.as_strings(s.NotAction)}) if {
	"NotAction" in object.keys(s)
} else := set()

# METADATA
# description: |
#   True when an Action pattern may name actions outside the action catalog:
#   a pattern whose service prefix is not a Cognito one, such as "iam:PassRole"
#   or "*".
# scope: document
names_other_services(pattern) if not cognito_service(service(pattern))

names_other_services("*")

# METADATA
# description: |
#   Up to three catalogued actions closest to a name the catalog does not know,
#   as a list of {"action", "distance"} (distance: the edit distance when at
#   most 2 - insertions, deletions, substitutions and swaps of neighbouring
#   letters, case-insensitive - else null). Candidates are the actions of its
#   service when the service is catalogued, otherwise every action; the ten
#   most similar by shared letter pairs are ranked by distance, then
#   similarity. Names too far from every action get no suggestion.
closest(name) := [{"action": c[2], "distance": _shown(c[0])} | some c in array.slice(_best(sort(ranked)), 0, 3)] if {
	strip := _known_service(name)
	key := _key(name, strip)
	similar := array.slice(sort([[0 - _similarity(key, _key(a, strip)), a] | some a in _candidates(name)]), 0, 10)
	ranked := [[_rank(key, _key(a, strip)), s, a] |
		some [s, a] in similar
		_close_enough(key, _key(a, strip), s)
	]
}

_known_service(name) if catalog.has_service(service(name))

else := false

# The actions of its service, and of any service with the same action name.
_candidates(name) := catalog.actions_of(service(name)) | _same_name(name) if {
	catalog.has_service(service(name))
} else := catalogued

_same_name(name) := {a | some a in catalogued; _key(a, true) == _key(name, true)}

# Compare action names without their service prefix when the service is known.
_key(name, true) := lower(split(name, ":")[1])

_key(name, false) := lower(name)

# Names within the edit distance when there are any, else the most similar.
_best(ranked) := [c | some c in ranked; c[0] < 3] if ranked[0][0] < 3

else := ranked

_rank(a, b) := d if {
	d := distance(a, b)
} else := 3

_shown(3) := null

_shown(d) := d if d < 3

_close_enough(a, b, _) if distance(a, b)

_close_enough(_, _, negated) if negated <= -0.5

# METADATA
# description: |
#   The Dice coefficient of the two texts' sets of letter pairs (0 to 1, 1 for
#   equal texts); texts of one letter compare as equal or not.
similarity(a, b) := _similarity(lower(a), lower(b))

_similarity(a, b) := 1 if a == b

else := (2 * count(_pairs(a) & _pairs(b))) / (count(_pairs(a)) + count(_pairs(b))) if {
	count(_pairs(a)) + count(_pairs(b)) > 0
} else := 0

_pairs(text) := {substring(text, i, 2) |
	count(text) > 1
	some i in numbers.range(0, count(text) - 2)
}

# METADATA
# description: |
#   The edit distance between two texts when it is at most 2 (insertions,
#   deletions, substitutions, and swaps of two neighbouring letters, each
#   counting 1); undefined when it is larger. Their common beginning and end
#   are set aside first, then the rest is searched edit by edit as paths of a
#   graph (graph.reachable): Rego has no loops, and this keeps the graph small.
distance(a, b) := d if {
	s := split(lower(a), "")
	t := split(lower(b), "")
	p := _common_prefix(s, t)
	q := _common_prefix(_reverse(array.slice(s, p, count(s))), _reverse(array.slice(t, p, count(t))))
	d := _bounded(array.slice(s, p, count(s) - q), array.slice(t, p, count(t) - q), 2)
}

_common_prefix(s, t) := min(_differing(s, t) | {count(s), count(t)})

_differing(s, t) := {i |
	some i in numbers.range(0, count(s) - 1)
	i < count(t)
	s[i] != t[i]
}

_reverse(s) := [s[(count(s) - 1) - i] | some i, _ in s]

_bounded(s, t, k) := min({e | some e in numbers.range(0, k); [count(s), count(t), e] in reached}) if {
	abs(count(s) - count(t)) <= k
	nodes := {[i, j, e] |
		some i in numbers.range(0, count(s))
		some j in numbers.range(max([0, i - k]), min([count(t), i + k]))
		some e in numbers.range(0, k)
	}
	reached := graph.reachable({node: _next(s, t, node, k) | some node in nodes}, {[0, 0, 0]})
}

# The nodes one step on from [i, j, e]: i letters of s and j of t consumed with e edits.
_next(s, t, [i, j, e], k) := {n |
	some n in _steps(s, t, i, j, e)
	n[2] <= k
}

_steps(s, t, i, j, e) := (({[i + 1, j + 1, e] | s[i] == t[j]} | {[i + 1, j + 1, e + 1] | s[i] != t[j]}) | {
[i + 1, j, e + 1] | i < count(s)}) | ({[i, j + 1, e + 1] | j < count(t)} | {[i + 2, j + 2, e + 1] |
	s[i] == t[j + 1]
	s[i + 1] == t[j]
})
