# METADATA
# description: |
#   IAM policy variables in Resource elements and in condition values: ${key} for any
#   request context key (key names case-insensitive), ${key, 'default'} with a default
#   ('' inside the quotes is one quote), and the fixed ${*} ${?} ${$} for a literal *, ? and $.
#   A text is read once into fragments (literal text, the wildcards * and ?, the colons that
#   separate ARN parts); a substituted value is always literal text, so it can never act as
#   a wildcard, and it is escaped straight into the regular expression built for matching.
#   A variable without a value and without a default, or a malformed one, makes the element
#   match nothing (its errors are reported by errors).
package cognito.variables

import data.cognito.match
import data.cognito.util

# One token per variable, unterminated "${", wildcard, colon, run of other text, or "$".
# A default value in quotes may hold "}" and doubled quotes.
_token_regex := `\$\{(?:[^}']|'(?:[^']|'')*')*\}|\$\{|\*|\?|:|[^*?:$]+|\$`

_name_only := `^[^\s,']+$`

_name_with_default := `^([^\s,']+),\s*'((?:[^']|'')*)'$`

# METADATA
# description: |
#   The value of a request context key: an exact key match first, then a case-insensitive
#   one (IAM User Guide, "Condition": "Condition key names are not case-sensitive").
#   Undefined when ctx has no such key.
lookup(ctx, key) := exact if {
	exact := ctx[key]
} else := lowered_key if {
	lowered_key := ctx[lower(key)]
} else := values[0] if {
	lowered := lower(key)
	values := [v | some k, v in ctx; lower(k) == lowered]
}

# METADATA
# description: |
#   The single string value a context key supplies to a policy variable: a string, or a
#   number or boolean written as text, or the one element of a one-element list. Undefined
#   for a missing key, null, and a key with several values (IAM User Guide, "Variables and
#   tags": a multivalued key cannot be used as a variable).
value(ctx, key) := util.scalar_text(_single(lookup(ctx, key)))

_single(v) := v if not is_array(v)

_single(v) := v[0] if {
	is_array(v)
	count(v) == 1
}

# METADATA
# description: true when s holds "${" (a policy variable or the start of one).
has_variables(s) if {
	is_string(s)
	contains(s, "${")
}

# METADATA
# description: |
#   s with its policy variables replaced by their values (plain text, for the equality
#   operators). ${*} ${?} ${$} become *, ? and $. Undefined when a variable has no value and
#   no default, or is malformed.
# scope: document
substitute(s, _) := s if {
	is_string(s)
	not contains(s, "$")
}

substitute(s, ctx) := concat("", [_plain(f) | some f in frags]) if {
	is_string(s)
	contains(s, "$")
	frags := _fragments(s, ctx)
}

# METADATA
# description: |
#   The anchored regular expression for a StringLike value with policy variables: * and ?
#   in the policy text are wildcards, substituted values and ${*} ${?} ${$} are literal.
#   Undefined when a variable has no value and no default, or is malformed.
like_regex(s, ctx) := concat("", ["(?s)^", concat("", [_like_piece(f) | some f in frags]), "$"]) if {
	is_string(s)
	frags := _fragments(s, ctx)
	_matchable(frags)
}

# METADATA
# description: |
#   StringLike matching with policy variables (see like_regex): false when a variable has
#   no value and no default.
# scope: document
default string_like(_, _, _) := false

string_like(pattern, value, _) if {
	is_string(pattern)
	not contains(pattern, "$")
	match.string_like(pattern, value)
}

string_like(pattern, value, ctx) if {
	is_string(pattern)
	contains(pattern, "$")
	is_string(value)
	regex.match(like_regex(pattern, ctx), value)
}

# METADATA
# description: |
#   IAM Resource matching with policy variables: match.resource's rules (case-sensitive,
#   * and ? within each ARN part, a part-ending * may run across colons, "*" matches all),
#   with variables substituted as literal text in the resource part (after the fifth colon,
#   the only place IAM accepts them). False when a variable has no value and no default,
#   is malformed, or stands before the fifth colon.
# scope: document
default resource_matches(_, _, _) := false

resource_matches(pattern, resource, _) if {
	is_string(pattern)
	not contains(pattern, "$")
	match.resource(pattern, resource)
}

resource_matches(pattern, resource, ctx) if {
	is_string(pattern)
	contains(pattern, "$")
	is_string(resource)
	frags := _fragments(pattern, ctx)
	_matchable(frags)
	regex.match(_arn_regex(frags, true), resource)
}

# METADATA
# description: |
#   ArnLike / ArnEquals matching with policy variables: match.arn_like's rules (each of the
#   six parts separately, case-sensitive), with variables substituted as literal text.
#   False when a variable has no value and no default, or is malformed.
# scope: document
default arn_like(_, _, _) := false

arn_like(pattern, value, _) if {
	is_string(pattern)
	not contains(pattern, "$")
	match.arn_like(pattern, value)
}

arn_like(pattern, value, ctx) if {
	is_string(pattern)
	contains(pattern, "$")
	is_string(value)
	frags := _fragments(pattern, ctx)
	_matchable(frags)
	regex.match(_arn_regex(frags, false), value)
}

# METADATA
# description: |
#   Syntax errors of the policy variables in s, as a set of {"code", "message"}, following
#   IAM Access Analyzer's policy checks: missing_brace, missing_quote, unsupported_space,
#   empty_variable. Such a policy does not work as written.
# scope: document
errors(s) := set() if not has_variables(s)

errors(s) := {e | some token in regex.find_n(_token_regex, s, -1); some e in _token_errors(token, s)} if {
	has_variables(s)
}

_token_errors("${", s) := {{
	"code": "missing_quote",
	"message": "a policy variable's default value is not enclosed in single quotes",
}} if {
	regex.match(`\$\{[^}]*,\s*'`, s)
}

_token_errors("${", s) := {{
	"code": "missing_brace",
	"message": "a policy variable has no closing brace \"}\"",
}} if {
	not regex.match(`\$\{[^}]*,\s*'`, s)
}

_token_errors(token, _) := _variable_errors(_inner(token)) if _is_variable(token)

_variable_errors(inner) := set() if _well_formed(inner)

_variable_errors(inner) := {{
	"code": "empty_variable",
	"message": "a policy variable names no context key: ${ } is empty",
}} if {
	not _well_formed(inner)
	regex.match(`^\s*$`, inner)
}

_variable_errors(inner) := {{
	"code": "unsupported_space",
	"message": sprintf("the policy variable ${%s} has a space in its key name", [inner]),
}} if {
	not _well_formed(inner)
	not regex.match(`^\s*$`, inner)
	regex.match(`^[^,]*\s`, inner)
}

_variable_errors(inner) := {{
	"code": "missing_quote",
	"message": sprintf("the default value of the policy variable ${%s} is not enclosed in single quotes", [inner]),
}} if {
	not _well_formed(inner)
	not regex.match(`^\s*$`, inner)
	not regex.match(`^[^,]*\s`, inner)
}

_well_formed(inner) if inner in {"*", "?", "$"}

_well_formed(inner) if regex.match(_name_only, inner)

_well_formed(inner) if regex.match(_name_with_default, inner)

# Fragments: {"kind": "lit", "text", "var"} | {"kind": "star"} | {"kind": "q"} | {"kind": "colon"}.
# Undefined unless every token resolves.
_fragments(s, ctx) := frags if {
	tokens := regex.find_n(_token_regex, s, -1)
	frags := [f | some token in tokens; f := _fragment(token, ctx)]
	count(frags) == count(tokens)
}

# A pattern whose text, variables substituted, is longer than 4,096 characters
# matches nothing that pycognito-opa evaluates: every text it is matched
# against is at most 2,048 characters (cognito.limits), and only the pattern's
# own * and ? (at most 2,048) can match fewer characters than they take. No
# regular expression is built for it, so substituted values cannot make one
# of unbounded size.
_matchable(frags) if sum([_length(f) | some f in frags]) <= 4096

_length(f) := count(f.text) if f.kind == "lit"

else := 1

_fragment("*", _) := {"kind": "star"}

_fragment("?", _) := {"kind": "q"}

_fragment(":", _) := {"kind": "colon"}

_fragment(token, _) := {"kind": "lit", "text": token, "var": false} if {
	not token in {"*", "?", ":", "${"}
	not _is_variable(token)
}

_fragment(token, ctx) := {"kind": "lit", "text": _resolve(_inner(token), ctx), "var": true} if {
	_is_variable(token)
}

_is_variable(token) if {
	startswith(token, "${")
	endswith(token, "}")
	count(token) > 2
}

_inner(token) := substring(token, 2, count(token) - 3)

_resolve(inner, _) := inner if inner in {"*", "?", "$"}

_resolve(inner, ctx) := value(ctx, inner) if regex.match(_name_only, inner)

_resolve(inner, ctx) := text if {
	some m in regex.find_all_string_submatch_n(_name_with_default, inner, 1)
	text := _value_or_default(ctx, m[1], m[2])
}

_value_or_default(ctx, name, quoted) := text if {
	text := value(ctx, name)
} else := replace(quoted, "''", "'")

_plain(f) := f.text if f.kind == "lit"

_plain({"kind": "star"}) := "*"

_plain({"kind": "q"}) := "?"

_plain({"kind": "colon"}) := ":"

_like_piece(f) := util.regex_escape(f.text) if f.kind == "lit"

_like_piece({"kind": "star"}) := ".*"

_like_piece({"kind": "q"}) := "."

_like_piece({"kind": "colon"}) := ":"

# The ARN regular expression over fragments. Before the fifth separating colon, * and ?
# stay within their part (with trailing_star_crosses, a * ending its part may run on across
# colons, as in the Resource element) and, when trailing_star_crosses (Resource), variables
# are not accepted; after it, fragments read as in StringLike.
_arn_regex(frags, trailing_star_crosses) := concat("", ["(?s)^", concat("", pieces), "$"]) if {
	colons := [i | some i, f in frags; f.kind == "colon"]
	boundary := _boundary(colons, count(frags))
	pieces := [piece |
		some i, f in frags
		piece := _arn_piece(frags, i, f, boundary, trailing_star_crosses)
	]
	count(pieces) == count(frags)
}

_boundary(colons, _) := colons[4] if count(colons) >= 5

_boundary(colons, n) := n if count(colons) < 5

_arn_piece(_, i, f, boundary, _) := _like_piece(f) if i > boundary

_arn_piece(_, i, _, boundary, _) := ":" if i == boundary

_arn_piece(_, i, {"kind": "colon"}, boundary, _) := ":" if i < boundary

_arn_piece(_, i, {"kind": "q"}, boundary, _) := "[^:]" if i < boundary

_arn_piece(_, i, f, boundary, false) := util.regex_escape(f.text) if {
	i < boundary
	f.kind == "lit"
}

_arn_piece(_, i, f, boundary, true) := util.regex_escape(f.text) if {
	i < boundary
	f.kind == "lit"
	f.var == false
}

_arn_piece(frags, i, {"kind": "star"}, boundary, true) := ".*" if {
	i < boundary
	_ends_part(frags, i)
}

_arn_piece(frags, i, {"kind": "star"}, boundary, crossing) := "[^:]*" if {
	i < boundary
	not _crossing_star(frags, i, crossing)
}

_crossing_star(frags, i, true) if _ends_part(frags, i)

_ends_part(frags, i) if i + 1 == count(frags)

_ends_part(frags, i) if frags[i + 1].kind == "colon"
