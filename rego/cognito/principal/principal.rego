# METADATA
# title: The calling principal
# description: |
#   What the request's principal is (an IAM user, a role session, an account,
#   a web identity or SAML federated caller, an AWS service), its account, the
#   global condition keys AWS derives from it, and its policies stored in the
#   bundle (data.cognito.store.principals).
#   Sources: IAM User Guide, "AWS JSON policy elements: Principal" and "AWS
#   global condition context keys" (aws:PrincipalArn, aws:PrincipalAccount,
#   aws:PrincipalType, aws:username, aws:PrincipalIsAWSService,
#   aws:PrincipalServiceName).
package cognito.principal

import data.cognito.arn
import data.cognito.catalog
import data.cognito.policy
import data.cognito.util

# METADATA
# description: True for the Principal element kinds a caller can be named by (AWS, Federated, Service, CanonicalUser).
is_kind(k) if k in {"AWS", "Federated", "Service", "CanonicalUser"}

_web_identity_actions := {"sts:assumerolewithwebidentity", "sts:assumerolewithsaml"}

default _store := {}

_store := data.cognito.store.principals if is_object(data.cognito.store.principals)

# METADATA
# description: |
#   Facts about the request's caller: {"name" (the principal as given), "kind"
#   (the Principal element kind that can name it: "AWS", "Federated",
#   "Service", "CanonicalUser", or "" when no principal is given), "type"
#   (aws:PrincipalType: "User", "AssumedRole", "Account", "FederatedUser", or
#   ""), "account" ("" when unknown), "arn" (aws:PrincipalArn, "" when none),
#   "username" (IAM users only), "role" (role name for role sessions)}.
#   The kind is request.principal_type when given, otherwise inferred: an
#   oidc-provider or saml-provider ARN is Federated, any other ARN or a
#   12-digit account ID is AWS; a plain name is Federated for
#   sts:AssumeRoleWithWebIdentity / AssumeRoleWithSAML (the web identity
#   provider, e.g. cognito-identity.amazonaws.com), a Service when it ends in
#   .amazonaws.com, and Federated otherwise (accounts.google.com, ...).
caller(r) := _caller(
	object.get(r, "principal", null),
	object.get(r, "principal_type", null),
	object.get(r, "action", null),
)

# The caller from the three request fields it depends on: OPA reuses the
# result for equal arguments, so a batch works each principal out once.
_caller(p, ptype, act) := object.union(_blank, _facts(kind, p)) if {
	is_string(p)
	p != ""
	kind := _kind(ptype, act, p)
} else := _blank

_blank := {"name": "", "kind": "", "type": "", "account": "", "arn": "", "username": "", "role": ""}

_kind(ptype, act, p) := ptype if {
	is_kind(ptype)
} else := "Federated" if {
	parsed := arn.parse(p)
	parsed.service == "iam"
	regex.match(`^(oidc-provider|saml-provider)/`, parsed.resource)
} else := "AWS" if {
	arn.parse(p)
} else := "AWS" if {
	regex.match(`^[0-9]{12}$`, p)
} else := "Federated" if {
	is_string(act)
	lower(act) in _web_identity_actions
} else := "Service" if {
	regex.match(`\.amazonaws\.com(\.cn)?$`, p)
} else := "Federated"

# IAM and STS ARNs: arn:PARTITION:iam::ACCOUNT:root | user/PATH/NAME | role/PATH/NAME,
# arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION | federated-user/NAME.
_facts("AWS", p) := f if {
	regex.match(`^[0-9]{12}$`, p)
	f := {"name": p, "kind": "AWS", "type": "Account", "account": p, "arn": sprintf("arn:aws:iam::%s:root", [p])}
} else := f if {
	parsed := arn.parse(p)
	f := object.union(
		{"name": p, "kind": "AWS", "account": parsed.account, "arn": p, "type": ""},
		_aws_facts(parsed.partition, parsed.service, parsed.account, split(parsed.resource, "/")),
	)
}

_facts(kind, p) := {"name": p, "kind": kind} if kind != "AWS"

_aws_facts(_, "iam", _, ["root"]) := {"type": "Account"}

_aws_facts(_, "iam", _, path) := {"type": "User", "username": path[count(path) - 1]} if {
	path[0] == "user"
	count(path) > 1
}

_aws_facts(_, "iam", _, path) := {"type": "AssumedRole", "role": path[count(path) - 1]} if {
	path[0] == "role"
	count(path) > 1
}

_aws_facts(partition, "sts", account, path) := f if {
	path[0] == "assumed-role"
	count(path) > 2
	f := {
		"type": "AssumedRole",
		"role": path[1],
		"arn": sprintf("arn:%s:iam::%s:role/%s", [partition, account, path[1]]),
	}
}

_aws_facts(_, "sts", _, path) := {"type": "FederatedUser"} if {
	path[0] == "federated-user"
	count(path) > 1
}

_aws_facts(_, svc, _, path) := {} if {
	not _known_shape(svc, path)
}

_known_shape("iam", ["root"])

_known_shape("iam", path) if {
	path[0] in {"user", "role"}
	count(path) > 1
}

_known_shape("sts", path) if {
	path[0] == "assumed-role"
	count(path) > 2
}

_known_shape("sts", path) if {
	path[0] == "federated-user"
	count(path) > 1
}

# METADATA
# description: |
#   The global condition keys AWS derives from the caller (object, keys
#   lower-cased): aws:principalarn, aws:principalaccount, aws:principaltype,
#   aws:username (IAM users only), aws:principalisawsservice, and
#   aws:principalservicename for service principals.
derived_keys(c) := {k: v |
	some k, v in {
		"aws:principalarn": c.arn,
		"aws:principalaccount": c.account,
		"aws:principaltype": c.type,
		"aws:username": object.get(c, "username", ""),
	}
	c.kind == "AWS"
	v != ""
} if {
	c.kind == "AWS"
} else := {"aws:principalisawsservice": "true", "aws:principalservicename": c.name} if {
	c.kind == "Service"
} else := {}

# METADATA
# description: |
#   The request context as evaluated: the request's context keys (lower-cased;
#   condition key names are case-insensitive) plus the caller-derived keys
#   that the context does not set itself.
context(r, c) := object.union(derived_keys(c), _lowered(object.get(r, "context", {})))

# Lower-case the keys; if two keys differ only in case, the first in sort order
# wins. Most contexts have no such pair: one pass then suffices.
_lowered(ctx) := {lower(k): v | some k, v in ctx} if {
	is_object(ctx)
	count({lower(k) | some k, _ in ctx; is_string(k)}) == count(ctx)
} else := {lk: ctx[first] |
	some lk in {lower(k) | some k, _ in ctx; is_string(k)}
	first := min({k | some k, _ in ctx; is_string(k); lower(k) == lk})
} if {
	is_object(ctx)
} else := {}

# METADATA
# description: |
#   The bundle-stored entry of the caller ({"policies", "managed_policies",
#   "permissions_boundary"}): looked up by the principal as given, then by its
#   aws:PrincipalArn (a role session finds its role). Undefined when absent.
stored(c) := _store[stored_key(c)]

# METADATA
# description: |
#   The key of data.cognito.store.principals under which the caller's entry is
#   stored (see stored). Undefined when absent.
stored_key(c) := c.name if {
	is_object(_store[c.name])
} else := c.arn if {
	c.arn != ""
	is_object(_store[c.arn])
}

default _index := {}

_index := data.cognito.store.index if is_object(data.cognito.store.index)

# METADATA
# description: |
#   The statements of the caller's stored policies (its "policies", not its
#   managed policies or boundary) that can apply to the request req =
#   {"action", "resource"}, compiled for matching, as a list of {"name" (the
#   policy's name), "index" (position in its Statement list), "entry" (the
#   statement compiled by cognito.statement.compile, with "policy",
#   "statement" and "effect", the labels a decision reports), "known" (true
#   when the index already vouches that its Action names the action)}, in the
#   order of a full scan: policies by name, then statements in order. With
#   the statement index that bundle builds add (data.cognito.store.index, see
#   cognito.store.indexing) only the statements whose Action can name the
#   action and whose Resource can name the resource are listed, plus those
#   the index cannot classify (NotAction, unusual Action values), each
#   compiled at build time; without an index, every statement, compiled here.
#   Callers match each with cognito.statement.compiled_applies.
stored_statements(c, req) := _indexed_statements("store", stored_key(c), lower(req.action), req.resource) if {
	is_string(req.action)
	is_string(req.resource)
	_usable(stored_key(c))
} else := [{"name": name, "index": i, "entry": compiled_statement(name, i, s, doc), "known": false} |
	some name, doc in util.as_object(stored(c).policies)
	is_object(doc)
	some i, s in util.as_list(doc.Statement)
	is_object(s)
]

# METADATA
# description: |
#   Statement s (an object) at position i of the stored policy doc called name,
#   compiled for matching (cognito.statement.compile, policy variables as doc's
#   Version says) with the labels a decision reports: {"policy":
#   "principal:NAME", "statement": its Sid or position, "effect"}. The statement
#   index stores these (cognito.store.indexing); without an index they are
#   compiled at decision time.
compiled_statement(name, i, s, doc) := policy.compiled_statement(sprintf("principal:%s", [name]), i, s, doc)

# METADATA
# description: |
#   The identity-based statements of the registered policy set id (see
#   cognito.registered and cognito.registration) that can apply to req, in
#   the shape and order of stored_statements, read from the statement index
#   the registration built the same way a bundle's is built (its documents
#   named in order, so that the order is theirs).
registered_statements(id, req) := _indexed_statements("registered", id, lower(req.action), req.resource) if {
	is_string(req.action)
	is_string(req.resource)
} else := [{"name": name, "index": i, "entry": entry, "known": false} |
	some name, entries in data.registered_policy_sets[id].compiled.identity
	some i, entry in entries
	is_object(entry)
]

# The functions below take keys, not stored documents, and read the store and
# the index themselves, by reference (at most two such references per function,
# external-reference's limit): OPA hashes function arguments for its per-query
# cache, which would convert and compare a whole stored estate on every call.
# A source is a kind (src) and a key: "store" and a stored principal's key (indexed by
# the bundle build), or "registered" and a registered policy set's ID (indexed
# by its registration).

_indexed_statements(src, key, action, resource) := [{"name": name, "index": i, "entry": entry, "known": known} |
	some [[name, i], known] in _candidates(src, key, action, resource)
	entry := _compiled(src, key, name, i)
	is_object(entry)
]

_compiled("store", key, name, i) := _index.principals[key].compiled[name][i]

_compiled("registered", key, name, i) := data.registered_policy_sets[key].compiled.identity[name][i]

# An index entry in the layout this module reads (format 2), for a stored
# entry with policies; anything else means a full scan. (Only small values are
# tested: a type test on one of the index's long lists would convert it whole.)
_usable(key) if {
	_index.format == 2
	is_object(_store[key].policies)
	is_object(_index.principals[key])
}

# The candidates, as [ref, known]: for an action of the expanded set (the
# catalog), the statements listed for it whose resource group can hold the
# resource (their Action names it: known), and those the index could not
# classify. For any other action: the statements naming it literally
# (known), every statement with a wildcard action, and the unclassified.
_candidates(src, key, action, resource) := _flagged(known, {ref | some ref in _entry(src, key).scan}) if {
	_expanded(src, action)
	known := {ref | some ref in _for_resource(src, key, action, resource)}
} else := _flagged({ref | some ref in _all_listed(src, key, action)}, {ref |
	some list in [_entry(src, key).wildcard, _entry(src, key).scan]
	some ref in list
})

_flagged(known, others) := [[ref, ref in known] | some ref in sort(known | others)]

_entry("store", key) := _index.principals[key]

_entry("registered", key) := data.registered_policy_sets[key].index

# The bundle's index lists the catalogued actions; a registered set's entry
# does not repeat them: the catalog itself answers, with the same set (the
# index expands wildcards over the catalog's actions, lower-cased).
_expanded("store", action) if _index.expanded[action]

_expanded("registered", action) if catalog.known(action)

_for_resource(src, key, action, resource) := array.concat(
	object.get(_entry(src, key).actions, [action, "exact", resource], []),
	[ref |
		some bucket in _resource_buckets(src, key, action, resource)
		some ref in _entry(src, key).actions[action].prefix[bucket]
	],
)

# The action's prefix groups that can hold the resource: with few groups
# (most actions), each tested; with many, looked up by every prefix of the
# resource (bounded by the resource's length, not the estate's size).
_resource_buckets(src, key, action, resource) := [bucket |
	some bucket, _ in _entry(src, key).actions[action].prefix
	startswith(resource, bucket)
	_ends_a_bucket(bucket)
] if {
	count(_entry(src, key).actions[action].prefix) <= 8
} else := _buckets(resource)

# A prefix group is cut after a ":" or "/" (or is ""): a resource starting
# with its text is one of _buckets(resource).
_ends_a_bucket("")

_ends_a_bucket(bucket) if endswith(bucket, ":")

_ends_a_bucket(bucket) if endswith(bucket, "/")

_all_listed(src, key, action) := [ref |
	some kind in ["exact", "prefix"]
	some refs in _entry(src, key).actions[action][kind]
	some ref in refs
]

# "" and every prefix of the resource that ends with ":" or "/".
_buckets(resource) := {concat("", array.slice(parts, 0, n)) | some n in numbers.range(0, count(parts))} if {
	parts := regex.find_n(`[^:/]*[:/]`, resource, -1)
}

# METADATA
# description: True when the bundle stores any principal.
has_store if count(_store) > 0
