# METADATA
# description: |
#   IAM's wildcard matching. Only * (any run of characters, possibly empty) and ? (exactly
#   one character) are wildcards; every other character, the glob and regular expression
#   metacharacters [ ] { } \ . + ( ) | ^ $ included, is literal. Patterns are turned into
#   anchored regular expressions after escaping, so nothing else can act as a wildcard.
#   Actions match case-insensitively; resources, StringLike and ArnLike case-sensitively.
package cognito.match

import data.cognito.util

# METADATA
# description: |
#   IAM Action matching: true when the policy's action pattern (such as "cognito-idp:*",
#   "cognito-sync:List*" or "cognito-identity:Get?d") matches the action name. Case-insensitive
#   for the service prefix and the action name alike.
# scope: document
default action(_, _) := false

action(pattern, name) if {
	is_string(pattern)
	is_string(name)
	not has_wildcard(pattern)
	lower(pattern) == lower(name)
}

action(pattern, name) if {
	is_string(pattern)
	is_string(name)
	has_wildcard(pattern)
	regex.match(concat("", ["(?is)^", wildcard_regex(pattern), "$"]), name)
}

# METADATA
# description: |
#   IAM Resource matching, case-sensitive: the pattern "*" matches everything; otherwise the
#   pattern is read as up to six colon-separated ARN parts. In the first five parts * and ?
#   do not match a colon, except that a * that is the last character of a part may match
#   across the following colons. In the resource part (after the fifth colon) * matches any
#   characters, "/" and ":" included, and ? any one character.
# scope: document
default resource(_, _) := false

resource("*", value) if is_string(value)

resource(pattern, value) if {
	is_string(pattern)
	is_string(value)
	not has_wildcard(pattern)
	pattern == value
}

resource(pattern, value) if {
	is_string(pattern)
	is_string(value)
	pattern != "*"
	has_wildcard(pattern)
	regex.match(resource_regex(pattern), value)
}

# METADATA
# description: |
#   StringLike matching, case-sensitive: * matches any characters and ? one character, "/"
#   and ":" included; everything else is literal.
# scope: document
default string_like(_, _) := false

string_like(pattern, value) if {
	is_string(pattern)
	is_string(value)
	not has_wildcard(pattern)
	pattern == value
}

string_like(pattern, value) if {
	is_string(pattern)
	is_string(value)
	has_wildcard(pattern)
	regex.match(concat("", ["(?s)^", wildcard_regex(pattern), "$"]), value)
}

# METADATA
# description: |
#   ArnLike / ArnEquals matching, case-sensitive: each of the six colon-separated parts is
#   matched separately, so * and ? in the first five parts never match a colon; in the
#   resource part (after the fifth colon) they match any characters.
# scope: document
default arn_like(_, _) := false

arn_like(pattern, value) if {
	is_string(pattern)
	is_string(value)
	not has_wildcard(pattern)
	pattern == value
}

arn_like(pattern, value) if {
	is_string(pattern)
	is_string(value)
	has_wildcard(pattern)
	regex.match(arn_like_regex(pattern), value)
}

# METADATA
# description: true when s holds an IAM wildcard character (* or ?).
has_wildcard(s) if regex.match(`[*?]`, s)

# METADATA
# description: |
#   The regular expression (not anchored) for a StringLike-style pattern: * becomes ".*",
#   ? becomes ".", everything else is escaped.
wildcard_regex(pattern) := strings.replace_n({`\*`: ".*", `\?`: "."}, util.regex_escape(pattern))

# METADATA
# description: |
#   The anchored regular expression for an IAM Resource pattern (see resource).
resource_regex(pattern) := _arn_regex(pattern, true)

# METADATA
# description: |
#   The anchored regular expression for an ArnLike / ArnEquals pattern (see arn_like).
arn_like_regex(pattern) := _arn_regex(pattern, false)

_arn_regex(pattern, trailing_star_crosses) := concat("", ["(?s)^", body, "$"]) if {
	parts := split(pattern, ":")
	head := [_part_regex(p, trailing_star_crosses) | some p in array.slice(parts, 0, 5)]
	tail := [wildcard_regex(concat(":", array.slice(parts, 5, count(parts)))) | count(parts) > 5]
	body := concat(":", array.concat(head, tail))
}

# One of the first five ARN parts: * and ? stay within the part; with trailing_star_crosses,
# a * ending the part may run on across colons.
_part_regex(part, true) := concat("", [_in_part_regex(trim_suffix(part, "*")), ".*"]) if endswith(part, "*")

_part_regex(part, trailing_star_crosses) := _in_part_regex(part) if {
	not _crossing_star(part, trailing_star_crosses)
}

_crossing_star(part, true) if endswith(part, "*")

_in_part_regex(part) := strings.replace_n({`\*`: "[^:]*", `\?`: "[^:]"}, util.regex_escape(part))
