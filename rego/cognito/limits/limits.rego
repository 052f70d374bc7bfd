# METADATA
# title: Size limits of a request
# description: |
#   The largest request pycognito-opa evaluates, so that every request within
#   the limits is evaluated in bounded time and memory. AWS's own maximum
#   sizes first (IAM User Guide, "IAM and AWS STS quotas"; AWS Organizations
#   User Guide, "Quotas for AWS Organizations"; AWS STS API Reference,
#   AssumeRole; the IAM API's ARN type):
#   - an identity-based policy document in policies: 10,240 characters (an
#     IAM role's inline policies together; a managed policy takes 6,144, an
#     IAM user's inline policies 2,048, a group's 5,120); IAM does not count
#     white space, so documents are measured as compact JSON;
#   - all the documents of a request together: 163,840 characters, the most
#     an IAM role can hold (10,240 inline, and 25 managed policies of 6,144);
#   - a permissions boundary (a managed policy): 6,144 characters;
#   - a service control policy: 5,120 characters, at most 5 attached to the
#     root, each OU and the account, and at most 7 levels (the root, five
#     nested OUs, the account);
#   - session policies: at most 11 (10 managed policy ARNs and one inline
#     policy), each at most 6,144 characters (a managed policy);
#   - a resource policy (a role's trust policy): 8,192 characters (the quota's
#     largest value);
#   - an ARN (resource, principal, managed policy names): 2,048 characters.
#   Then pycognito-opa's own, each named in its error: an action of at most
#   256 characters (the catalog's longest is 51); a request context of at
#   most 256 keys of at most 256 characters, each with at most 256 values of
#   at most 2,048 characters; at most 120 managed policy names (an IAM user:
#   20, and 10 groups of 10); in a policy document, strings of Action,
#   NotAction, Resource, NotResource, Principal, NotPrincipal and Condition
#   of at most 2,048 characters with at most 16 policy variables ("${") each;
#   and a budget of matching work (match_work): IAM's wildcards are matched
#   by regular expressions whose cost grows with the pattern's length times
#   the length of the text it is matched against (plus its compilation), so
#   the sum of those products over the request's patterns is bounded.
#   The error of a limit is {"code": "limit_exceeded", "field", "message"};
#   the validation reports only these when there are any (the other checks
#   could take long on such a request). The checks run from the cheapest: a
#   request over a size limit is refused before its strings are read.
package cognito.limits

import data.cognito.util

# METADATA
# description: |
#   The limits, by name. Characters are Unicode code points; a policy
#   document's characters are those of its compact JSON text.
bounds := {
	"document_characters": {
		"policies": 10240,
		"permissions_boundary": 6144,
		"scps": 5120,
		"session_policies": 6144,
		"resource_policy": 8192,
	},
	"documents_characters": 163840,
	"arn_characters": 2048,
	"action_characters": 256,
	"string_characters": 2048,
	"variables_per_string": 16,
	"context_keys": 256,
	"context_key_characters": 256,
	"context_values": 256,
	"context_value_characters": 2048,
	"managed_policies": 120,
	"scp_levels": 7,
	"scps_per_level": 5,
	"session_policies": 11,
	"match_work": 8000000,
	"pattern_overhead": 256,
	"expanded_pattern_characters": 4096,
}

# The limit called name (functions read the limits through it).
_max(name) := bounds[name]

_err(field, message) := {"code": "limit_exceeded", "field": field, "message": message}

# METADATA
# description: |
#   The limit errors of request r (a set, empty when r is within every
#   limit): the size errors when there are any, else those of the strings of
#   its policy documents, else that of its matching work. Fields of the wrong
#   type are left to cognito.validation.
errors(r) := set() if {
	plain(r)
} else := size_errors if {
	size_errors := _size_errors(r, documents(r))
	count(size_errors) > 0
} else := set() if {
	# No policy document: no string to read and no pattern to match.
	count(documents(r)) == 0
} else := string_errors if {
	string_errors := _string_errors(documents(r), _sizes(r))
	count(string_errors) > 0
} else := _work_errors(documents(r), _sizes(r))

# Only the fields the request has are checked (most requests have few).
# METADATA
# description: |
#   True for a request that proves within every limit at a glance: it has no
#   policy document or list, only the string fields, each within its limit,
#   and a plain context (see _plain_context) - most requests a sidecar sees.
#   errors is empty for such a request.
plain(r) if {
	every field, value in r {
		plain_field(field, value)
	}
}

# METADATA
# description: |
#   True when one field of a request is within its limits at a glance (see
#   plain): action, resource, principal, resource_account and principal_type
#   strings within their lengths, a policy_set of a policy set ID's length
#   (cognito.registered), or a plain context (few keys, each short with one
#   short string value). False for any other field.
# scope: document
plain_field("action", value) if {
	is_string(value)
	count(value) <= _max("action_characters")
}

plain_field(field, value) if {
	field in {"resource", "principal", "resource_account", "principal_type"}
	is_string(value)
	count(value) <= _max("arn_characters")
}

plain_field("context", value) if _plain_context(value)

plain_field("policy_set", value) if {
	is_string(value)
	count(value) == 71 # "sha256:" and 64 hex digits
}

_size_errors(r, docs) := union({_field_size_errors(r, field) | some field in object.keys(r)}) | _document_errors(docs)

_field_size_errors(r, field) := _string_field_errors(r, field) if {
	_string_limits[field]
} else := _context_errors(r) if {
	field == "context"
} else := _managed_errors(r) if {
	field == "managed_policies"
} else := _count_errors(r, field) if {
	field in {"scps", "session_policies"}
} else := set()

_string_limits := {
	"action": _max("action_characters"),
	"resource": _max("arn_characters"),
	"principal": _max("arn_characters"),
	"resource_account": _max("arn_characters"),
	"principal_type": _max("arn_characters"),
}

_string_field_errors(r, field) := {_err(field, message) |
	limit := _string_limits[field]
	is_string(r[field])
	n := count(r[field])
	n > limit
	message := sprintf("%s is %d characters long, over the limit of %d", [field, n, limit])
}

# The text length of a context value: a string's characters, a number's digits.
_chars(v) := count(v) if is_string(v)

else := count(json.marshal(v))

_context_errors(r) := set() if {
	_plain_context(r.context)
} else := {_err("context", sprintf(
	"the request context has %d keys, over the limit of %d",
	[count(r.context), _max("context_keys")],
))} if {
	is_object(r.context)
	count(r.context) > _max("context_keys")
} else := {e |
	some key, value in util.as_object(object.get(r, "context", {}))
	some e in _context_entry_errors(key, value)
}

# Within every context limit for sure: few keys, each short with one short
# string value (the usual context); anything else is checked key by key.
_plain_context(ctx) if {
	is_object(ctx)
	count(ctx) <= _max("context_keys")
	key_limit := _max("context_key_characters")
	value_limit := _max("context_value_characters")
	every key, value in ctx {
		count(key) <= key_limit
		is_string(value)
		count(value) <= value_limit
	}
}

_context_entry_errors(key, value) := {_err(sprintf("context.%s", [substring(key, 0, 64)]), sprintf(
	"a context key is %d characters long, over the limit of %d",
	[count(key), _max("context_key_characters")],
))} if {
	count(key) > _max("context_key_characters")
} else := {_err(sprintf("context.%s", [key]), sprintf(
	"context.%s has %d values, over the limit of %d",
	[key, count(value), _max("context_values")],
))} if {
	is_array(value)
	count(value) > _max("context_values")
} else := {_err(sprintf("context.%s", [key]), sprintf(
	"a value of context.%s is %d characters long, over the limit of %d",
	[key, n, _max("context_value_characters")],
)) |
	some v in util.as_list(value)
	n := _chars(v)
	n > _max("context_value_characters")
}

_managed_errors(r) := {_err("managed_policies", sprintf(
	"managed_policies names %d policies, over the limit of %d",
	[count(r.managed_policies), _max("managed_policies")],
))} if {
	is_array(r.managed_policies)
	count(r.managed_policies) > _max("managed_policies")
} else := {_err(sprintf("managed_policies[%d]", [i]), sprintf(
	"a managed policy name is %d characters long, over the limit of %d",
	[count(name), _max("arn_characters")],
)) |
	some i, name in _list(r, "managed_policies")
	is_string(name)
	count(name) > _max("arn_characters")
}

_count_errors(r, field) := {_err(field, message) |
	some [name, n, limit, what] in [
		["scps", count(_list(r, "scps")), _max("scp_levels"), "levels of service control policies"],
		["session_policies", count(_list(r, "session_policies")), _max("session_policies"), "session policies"],
	]
	name == field
	n > limit
	message := sprintf("%s has %d %s, over the limit of %d", [field, n, what, limit])
} | _scp_level_errors(r, field)

_scp_level_errors(r, "scps") := {_err(sprintf("scps[%d]", [i]), sprintf(
	"scps[%d] has %d service control policies, over the limit of %d per level",
	[i, count(level), _max("scps_per_level")],
)) |
	some i, level in _list(r, "scps")
	is_array(level)
	count(level) > _max("scps_per_level")
}

_scp_level_errors(_, "session_policies") := set()

# METADATA
# description: |
#   The policy documents (objects) of request r, as {"field", "kind", "doc",
#   "characters", "variables"}: kind names the document's size limit
#   (_max("document_characters")), characters counts its compact JSON,
#   variables its "${".
documents(r) := [_doc(field, kind, d) |
	some [field, kind, d] in array.flatten([
		[[sprintf("policies[%d]", [i]), "policies", d] | some i, d in _list(r, "policies")],
		[[sprintf("session_policies[%d]", [i]), "session_policies", d] | some i, d in _list(r, "session_policies")],
		[[f, "scps", d] | some i, level in _list(r, "scps"); some [f, d] in _scp_docs(i, level)],
		[[k, k, r[k]] | some k in ["permissions_boundary", "resource_policy"]],
	])
	is_object(d)
]

_list(r, name) := util.as_array(object.get(r, name, []))

_doc(field, kind, d) := {
	"field": field, "kind": kind, "doc": d,
	"characters": _json_characters(j),
	"variables": strings.count(j, "${"),
} if {
	j := json.marshal(d)
}

_scp_docs(i, level) := [[sprintf("scps[%d][%d]", [i, j]), d] | some j, d in level] if is_array(level)

else := [[sprintf("scps[%d]", [i]), level]]

# Compact JSON characters, as IAM counts them: OPA's JSON writer spells <, >
# and & as \u003c, \u003e and \u0026 (6 characters for 1).
_json_characters(j) := count(j) - (5 * sum([strings.count(j, e) | some e in [`\u003c`, `\u003e`, `\u0026`]]))

_document_errors(docs) := {_err(d.field, sprintf(
	"%s is %d characters of JSON (white space not counted), over AWS's limit of %d for %s",
	[d.field, d.characters, limit, d.kind],
)) |
	some d in docs
	limit := _max("document_characters")[d.kind]
	d.characters > limit
} | {_err("policies", sprintf(
	concat(" ", [
		"the request's policy documents are %d characters of JSON together (white space not counted),",
		"over the limit of %d (an IAM role's inline and managed policies at most)",
	]),
	[n, _max("documents_characters")],
)) |
	n := sum([d.characters | some d in docs])
	n > _max("documents_characters")
}

# One pass over the strings of a document that IAM matches against the
# request gives, per string, [characters, policy variables, matching work].
# A document of at most string_characters, with no more policy variables than
# one string may hold, cannot hold a string over the limits, and when the
# request is surely within the work budget (see _surely_within) no document
# is read string by string. Field names are spelled out only for errors.
_string_errors(docs, sizes) := {e |
	some d in docs
	_may_hold_long_strings(d)
	_over_string_limits(d, sizes)
	some p in _strings(d)
	some e in _one_string_errors(p)
}

_may_hold_long_strings(d) if d.characters > _max("string_characters")

_may_hold_long_strings(d) if d.variables > _max("variables_per_string")

_over_string_limits(d, sizes) if {
	some st in _stats(d, sizes)
	st[0] > _max("string_characters")
}

_over_string_limits(d, sizes) if {
	some st in _stats(d, sizes)
	st[1] > _max("variables_per_string")
}

_stats(d, sizes) := [_string_stats(e, t, key, sizes) |
	some s in _statements(d.doc)
	is_object(s)
	some [e, t, key] in _texts(s)
]

_string_stats(element, t, key, sizes) := [count(t), n, _pattern_work(element, t, key, n, sizes)] if {
	n := strings.count(t, "${")
}

# [element, text, condition key] of every string of statement s matched
# against the request.
_texts(s) := array.flatten([
	[[k, t, ""] |
		some k in ["Action", "NotAction", "Resource", "NotResource"]
		some t in util.as_list(s[k])
		is_string(t)
	],
	[[k, t, ""] |
		some k in ["Principal", "NotPrincipal"]
		some v in util.as_object(s[k])
		some t in util.as_list(v)
		is_string(t)
	],
	[["Condition", t, key] |
		some block in util.as_object(s.Condition)
		some key, v in util.as_object(block)
		some t in util.as_list(v)
		is_string(t)
	],
])

_one_string_errors(p) := {_err(p.field, sprintf(
	"%s is %d characters long, over the limit of %d",
	[p.field, count(p.text), _max("string_characters")],
))} if {
	count(p.text) > _max("string_characters")
} else := {_err(p.field, sprintf(
	"%s has %d policy variables (\"${\"), over the limit of %d",
	[p.field, n, _max("variables_per_string")],
))} if {
	n := strings.count(p.text, "${")
	n > _max("variables_per_string")
}

# The strings of _texts with their fields, for the errors:
# policies[0].Statement[1].Resource[2], scps[0][1].Statement.Condition.StringLike.k
_strings(d) := [{"field": field, "element": e, "text": t, "key": key} |
	some i, s in _statements(d.doc)
	is_object(s)
	some [e, t, key, at] in _located_texts(s)
	field := concat("", [d.field, ".Statement", _index(d.doc, i), ".", at])
]

_statements(doc) := doc.Statement if is_array(doc.Statement)

else := [doc.Statement]

_index(doc, i) := sprintf("[%d]", [i]) if is_array(doc.Statement)

else := ""

_located_texts(s) := array.flatten([
	[[k, t, "", concat("", [k, _at(s[k], i)])] |
		some k in ["Action", "NotAction", "Resource", "NotResource"]
		some i, t in util.as_list(s[k])
		is_string(t)
	],
	[[k, t, "", sprintf("%s.%s%s", [k, kind, _at(v, i)])] |
		some k in ["Principal", "NotPrincipal"]
		some kind, v in util.as_object(s[k])
		some i, t in util.as_list(v)
		is_string(t)
	],
	[["Condition", t, key, sprintf("Condition.%s.%s%s", [op, key, _at(v, i)])] |
		some op, block in util.as_object(s.Condition)
		some key, v in util.as_object(block)
		some i, t in util.as_list(v)
		is_string(t)
	],
])

_at(v, i) := sprintf("[%d]", [i]) if is_array(v)

else := ""

# METADATA
# description: |
#   The matching work of request r: for every policy string that is matched
#   as a pattern (it holds *, ? or a policy variable), its length (with each
#   policy variable counted as the longest context value, at most 4,096 in
#   all: cognito.variables matches nothing longer) times the length of the
#   text it is matched against - the action, the resource, the principal,
#   or all the values of its condition key (the principal's ARN included,
#   as global keys derive from it) - plus pattern_overhead: reading the
#   pattern and compiling its regular expression cost about as much per
#   character as matching it against that many more characters.
match_work(r) := sum([st[2] | some d in documents(r); some st in _stats(d, _sizes(r))])

# The lengths the work depends on, computed once (functions called per string
# take these few numbers, never the request).
_sizes(r) := {
	"action": _text_length(object.get(r, "action", null)),
	"resource": _text_length(object.get(r, "resource", null)),
	"principal": _text_length(object.get(r, "principal", null)),
	"longest": max(array.flatten([[0], values])),
	"all": sum(values),
	"keys": {lower(k): _key_characters(lower(k), ctx) | some k, _ in ctx},
} if {
	ctx := util.as_object(object.get(r, "context", {}))
	values := [_chars(v) | some value in ctx; some v in util.as_list(value)]
}

_text_length(x) := count(x) if is_string(x)

else := 0

_key_characters(lowered, ctx) := sum([_chars(v) |
	some k, value in ctx
	lower(k) == lowered
	some v in util.as_list(value)
])

# Within the budget for sure when every document character were a pattern
# character matched against the longest text: the work is not counted string
# by string then.
_surely_within(docs, sizes) if {
	longest_text := max([sizes.action, sizes.resource, sizes.principal, sizes.all + sizes.principal])
	characters := sum([_with_values(d, sizes.longest) | some d in docs])
	characters * (longest_text + _max("pattern_overhead")) <= _max("match_work")
}

_with_values(d, longest) := d.characters + (d.variables * longest)

_pattern_work(element, t, key, variables, sizes) := work if {
	regex.match(`[*?]|\$\{`, t)
	expanded := min([count(t) + (variables * sizes.longest), _max("expanded_pattern_characters")])
	work := expanded * (_target(element, key, sizes) + _max("pattern_overhead"))
} else := 0

_target(element, key, sizes) := sizes.action if {
	element in {"Action", "NotAction"}
} else := sizes.resource if {
	element in {"Resource", "NotResource"}
} else := sizes.principal if {
	element in {"Principal", "NotPrincipal"}
} else := object.get(sizes.keys, lower(key), 0) + sizes.principal

_work_errors(docs, sizes) := set() if {
	_surely_within(docs, sizes)
} else := {_err(costliest.field, sprintf(
	concat(" ", [
		"matching the request's wildcard patterns takes %d units of work (pattern characters times",
		"the characters of the text each is matched against), over the limit of %d; the costliest,",
		"%s, takes %d: shorten the patterns or the text they match",
	]),
	[total, _max("match_work"), costliest.field, costliest.work],
))} if {
	total := sum([st[2] | some d in docs; some st in _stats(d, sizes)])
	total > _max("match_work")
	works := [{"field": p.field, "work": _pattern_work(p.element, p.text, p.key, strings.count(p.text, "${"), sizes)} |
		some d in docs
		some p in _strings(d)
	]
	most := max([w.work | some w in works])
	costliest := [w | some w in works; w.work == most][0]
} else := set()
