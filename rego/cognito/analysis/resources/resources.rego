# METADATA
# title: Resource patterns for the analyses
# description: |
#   Which Amazon Cognito resource types a policy's Resource pattern can name,
#   and a concrete ARN of a given type that the pattern matches (a witness),
#   judged against the ARN templates of the action catalog
#   (data.cognito.reference.catalog.services[SERVICE].resource_types[TYPE].arn).
#   A resource type is a pair [SERVICE, TYPE] of the catalog, e.g.
#   ["cognito-sync", "dataset"]; its template may name another service (the
#   cognito-idp "webacl" type is a wafv2 ARN).
#   The resource part of a pattern is read as tokens (literal text, "/", * and
#   ?) and turned into a regular expression that is matched against the
#   template in which each ${Placeholder} is a run of marker characters: a
#   literal either matches the template's own text or stands inside a
#   placeholder, * matches anything ("/" included, as in IAM), ? one character.
#   The text each token matched gives the witness. Functions only; none reads
#   input.
package cognito.analysis.resources

import data.cognito.arn
import data.cognito.catalog
import data.cognito.match
import data.cognito.util

# One placeholder of a template, as eight marker characters: enough for a
# pattern to place up to eight tokens inside one ID ("us-east-1_?b*").
_hole := "\u0001\u0001\u0001\u0001\u0001\u0001\u0001\u0001"

# METADATA
# description: |
#   Every resource type of the catalog, as a set of [SERVICE, TYPE] pairs: the
#   types the catalogued actions use.
types contains [svc, name] if {
	some svc in catalog.services
	some act in catalog.actions_of(svc)
	some name in catalog.resource_types(act)
}

# METADATA
# description: The resource types a catalogued action uses, as [SERVICE, TYPE] pairs (set).
action_types(act) := {[catalog.action(act).service, name] | some name in catalog.resource_types(act)}

# METADATA
# description: |
#   The service named by the ARN template of a resource type [SERVICE, TYPE]
#   ("wafv2" for ["cognito-idp", "webacl"]).
template_service(rtype) := split(catalog.resource_type_arn(rtype[0], rtype[1]), ":")[2]

# METADATA
# description: |
#   A Resource pattern as {"partition", "service", "region", "account",
#   "resource"}. A pattern with fewer than six colon-separated parts that ends
#   in * is read with * for the missing parts (IAM lets a final * run across
#   colons). Undefined for "*" and for text that is no ARN pattern.
parts(p) := _fields(split(p, ":")) if {
	is_string(p)
	startswith(p, "arn:")
	count(split(p, ":")) >= 6
} else := _fields(array.concat(ps, ["*" | some _ in numbers.range(1, 6 - count(ps))])) if {
	is_string(p)
	startswith(p, "arn:")
	endswith(p, "*")
	ps := split(p, ":")
}

_fields(ps) := {
	"partition": ps[1],
	"service": ps[2],
	"region": ps[3],
	"account": ps[4],
	"resource": concat(":", array.slice(ps, 5, count(ps))),
}

# METADATA
# description: |
#   The resource types [SERVICE, TYPE] a Resource pattern can name (set): those
#   with a witness. Empty for a pattern that is no ARN pattern; every type for "*".
can_name(p) := types if p == "*"

else := _concrete_types(p) if {
	not match.has_wildcard(p)
} else := {rtype |
	some rtype in types
	witness(p, rtype, "")
}

# An ARN without wildcards: the type cognito.arn finds from the templates.
_concrete_types(p) := {rtype |
	parsed := arn.parse(p)
	name := arn.resource_type(parsed)
	some rtype in types
	rtype[1] == name
	template_service(rtype) == parsed.service
}

# METADATA
# description: |
#   An ARN of resource type rtype ([SERVICE, TYPE]) that the Resource pattern p
#   matches; undefined when p can match no ARN of that type. Wildcards in the
#   partition, region and account become concrete text (the account becomes
#   account when p allows it and account is not ""). Policy variables are read
#   as the text they are written with.
witness(p, rtype, account) := p if {
	not match.has_wildcard(p)
	rtype in _concrete_types(p)
} else := concat(":", [
	"arn",
	_head(f.partition, template[1], "aws"),
	template[2],
	_head(f.region, template[3], "region"),
	_account(f.account, template[4], account),
	resource,
]) if {
	template := split(catalog.resource_type_arn(rtype[0], rtype[1]), ":")
	f := parts(p)
	match.string_like(f.service, template[2])
	resource := _resource_witness(f.resource, concat(":", array.slice(template, 5, count(template))))
}

# A head field of the template: a ${Placeholder} takes any non-empty text.
_head(field, placeholder, fill) := _filled(field, fill) if {
	regex.match(`^\$\{[A-Za-z]+\}$`, placeholder)
	field != ""
}

_account(field, placeholder, account) := account if {
	account != ""
	match.string_like(field, account)
	_head(field, placeholder, account)
} else := _head(field, placeholder, "account")

# Wildcards replaced: * by nothing, ? by one letter; empty text by fill.
_filled(field, fill) := fill if replace(replace(field, "*", ""), "?", "x") == ""

else := replace(replace(field, "*", ""), "?", "x")

_resource_witness(text, template_text) := concat("", [_fill(tok, groups[i + 1]) | some i, tok in tokens]) if {
	tokens := regex.find_n(`\*|\?|/|[^*?/]+`, text, -1)
	pattern := concat("", array.flatten(["(?s)^", [_piece(tok) | some tok in tokens], "$"]))
	symbolic := regex.replace(template_text, `\$\{[A-Za-z0-9_]+\}`, _hole)
	some groups in regex.find_all_string_submatch_n(pattern, symbolic, 1)
}

_piece("*") := `(.*)`

_piece("?") := `([^\x{01}]|\x{01}+)`

_piece("/") := `(/)`

_piece(tok) := concat("", ["(", util.regex_escape(tok), `|\x{01}+)`]) if not tok in {"*", "?", "/"}

_fill("*", text) := regex.replace(text, `\x{01}+`, "x")

_fill("?", text) := "x" if contains(text, "\u0001")

_fill("?", text) := text if not contains(text, "\u0001")

_fill("/", _) := "/"

_fill(tok, _) := tok if not tok in {"*", "?", "/"}

# METADATA
# description: |
#   The ARN that stands for any resource of type rtype ([SERVICE, TYPE]): its
#   template with partition "aws", the given account (when not ""), and every
#   other placeholder kept as written (such as "${UserPoolId}"). Only patterns
#   that cover every resource of the type match it.
generic(rtype, account) := replace(replace(template, "${Partition}", "aws"), "${Account}", account) if {
	account != ""
	template := catalog.resource_type_arn(rtype[0], rtype[1])
} else := replace(catalog.resource_type_arn(rtype[0], rtype[1]), "${Partition}", "aws")

# METADATA
# description: |
#   The literal beginning of a Resource pattern, up to its first wildcard or
#   policy variable: a resource the pattern matches starts with it.
literal_prefix(p) := regex.split(`[*?]|\$\{`, p)[0]
