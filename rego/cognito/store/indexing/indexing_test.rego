package cognito.store.indexing_test

import data.cognito.principal
import data.cognito.statement
import data.cognito.store.indexing

# Expectations: the index layout (format 2, described in indexing.rego) and
# IAM's matching: IAM User Guide, "IAM JSON policy elements: Action" (action
# names are case-insensitive; * matches any run of characters and ? one) and
# "IAM JSON policy elements: Resource" (case-sensitive ARNs with the same
# wildcards; policy variables ${...} stand for request values). A statement
# the index leaves out must be one that cannot apply; the ones it lists are
# still matched in full.

_catalog := {"actions": {
	"cognito-idp:listusers": {"action": "cognito-idp:ListUsers", "service": "cognito-idp"},
	"cognito-idp:listgroups": {"action": "cognito-idp:ListGroups", "service": "cognito-idp"},
}}

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/"

_p1 := concat("", [_pool, "p1"])

_role := "arn:aws:iam::111122223333:role/Admins"

_statements := [
	{"Effect": "Allow", "Action": "Cognito-IDP:ListUsers", "Resource": _p1},
	{"Effect": "Allow", "Action": ["cognito-idp:List*"], "Resource": concat("", [_pool, "*"])},
	{"Effect": "Deny", "NotAction": "cognito-idp:ListUsers", "Resource": "*"},
	"not a statement",
	{"Effect": "Allow", "Action": "cognito-idp:L\u0130stUsers", "Resource": "*"},
	{"Effect": "Allow", "Action": {"a": "cognito-idp:ListUsers"}, "Resource": "*"},
]

_principals := {_role: {"policies": {
	"b": {"Statement": _statements},
	"a": {"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": "x"}},
	"c": {"Version": "2012-10-17"},
	"d": "not a policy",
}}}

test_layout_and_expanded_actions if {
	index := indexing.index with data.cognito.store.principals as _principals
		with data.cognito.reference.catalog as _catalog
	index.format == 2
	index.expanded == {"cognito-idp:listusers": true, "cognito-idp:listgroups": true}
	object.keys(index.principals) == {_role}
}

test_statements_are_classified if {
	index := indexing.index with data.cognito.store.principals as _principals
		with data.cognito.reference.catalog as _catalog
	entry := index.principals[_role]
	entry.actions == {
		"cognito-idp:listgroups": {"exact": {}, "prefix": {_pool: [["b", 1]]}},
		"cognito-idp:listusers": {"exact": {_p1: [["b", 0]]}, "prefix": {_pool: [["b", 1]]}},
		"sts:assumerole": {"exact": {}, "prefix": {"": [["a", 0]]}},
	}
	entry.wildcard == [["b", 1]]

	# NotAction, a non-ASCII action and an Action object are candidates for
	# every action; "not a statement" never applies and is not listed.
	entry.scan == [["b", 2], ["b", 4], ["b", 5]]
}

# One principal with one statement per resource value, each in its own policy.
_by_resource := {
	"any": "*",
	"exact": _p1,
	"question": concat("", [_pool, "p?"]),
	"variable": concat("", [_pool, "${aws:PrincipalTag/pool}"]),
	"region": "arn:aws:cognito-idp:us-east-1:*",
	"partial-part": "arn:aws:cognito-idp:us-*",
	"both": [_p1, "arn:aws:s3:::b/*"],
	"not-text": ["*", 7],
}

_one_per_resource := {_role: {"policies": {name: {"Statement": {
	"Effect": "Allow",
	"Action": "cognito-idp:ListUsers",
	"Resource": resource,
}} |
	some name, resource in _by_resource
}}}

test_resource_groups if {
	index := indexing.index with data.cognito.store.principals as _one_per_resource
		with data.cognito.reference.catalog as _catalog
	index.principals[_role].actions["cognito-idp:listusers"] == {
		"exact": {_p1: [["both", 0], ["exact", 0]]},
		"prefix": {
			"": [["any", 0], ["not-text", 0]],
			_pool: [["question", 0], ["variable", 0]],
			"arn:aws:cognito-idp:us-east-1:": [["region", 0]],
			"arn:aws:cognito-idp:": [["partial-part", 0]],
			"arn:aws:s3:::b/": [["both", 0]],
		},
	}
}

_empty_lists := {_role: {"policies": {"p": {"Statement": [
	{"Effect": "Allow", "Action": [], "Resource": "*"},
	{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": []},
]}}}}

test_empty_action_or_resource_lists if {
	index := indexing.index with data.cognito.store.principals as _empty_lists
		with data.cognito.reference.catalog as _catalog
	entry := index.principals[_role]
	entry.actions == {"cognito-idp:listusers": {"exact": {}, "prefix": {}}}
	entry.scan == []
	entry.wildcard == []
}

# The pattern that made a backtracking regular expression take minutes: a
# wildcard like any other, naming no catalogued action (none ends in "z").
_stars := {_role: {"policies": {"p": {"Statement": [
	{"Effect": "Allow", "Action": "cognito-idp:****************z", "Resource": "*"},
	{"Effect": "Allow", "Action": "cognito-idp:****************s", "Resource": "*"},
]}}}}

test_many_stars if {
	index := indexing.index with data.cognito.store.principals as _stars
		with data.cognito.reference.catalog as _catalog
	entry := index.principals[_role]
	entry.wildcard == [["p", 0], ["p", 1]]
	entry.actions == {
		"cognito-idp:listgroups": {"exact": {}, "prefix": {"": [["p", 1]]}},
		"cognito-idp:listusers": {"exact": {}, "prefix": {"": [["p", 1]]}},
	}
}

# Lists are in the order of a full scan: policy names in byte order
# ("B" < "a" < "ü"), then positions.
_named_in_order := {_role: {"policies": {
	"\u00fc": {"Statement": [_allow_all]},
	"a": {"Statement": [_allow_all, _allow_all]},
	"B": {"Statement": _allow_all},
}}}

_allow_all := {"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": "*"}

test_order_of_a_full_scan if {
	index := indexing.index with data.cognito.store.principals as _named_in_order
		with data.cognito.reference.catalog as _catalog
	entry := index.principals[_role]
	entry.actions["cognito-idp:listusers"].prefix[""] == [["B", 0], ["a", 0], ["a", 1], ["\u00fc", 0]]
}

_without_policies := {_role: {"managed_policies": ["AmazonCognitoReadOnly"]}, "k": "odd", "e": {"policies": {}}}

test_principals_without_policies_have_empty_entries if {
	index := indexing.index with data.cognito.store.principals as _without_policies
		with data.cognito.reference.catalog as _catalog
	index.principals == {
		_role: {"actions": {}, "wildcard": [], "scan": [], "compiled": {}},
		"k": {"actions": {}, "wildcard": [], "scan": [], "compiled": {}},
		"e": {"actions": {}, "wildcard": [], "scan": [], "compiled": {}},
	}
}

test_no_principals if {
	index := indexing.index with data.cognito.store.principals as {}
		with data.cognito.reference.catalog as _catalog
	index.principals == {}
}

# End to end: cognito.principal reads the index this package builds: without
# it, every statement is a candidate; with it, those that can apply.
# (This package is under data.cognito.store: the store is replaced part by part.)
_listed(action, resource) := [[x.name, x.index] |
	c := principal.caller({"principal": _role})
	some x in principal.stored_statements(c, {"action": action, "resource": resource})
]

test_without_an_index_every_statement_is_a_candidate if {
	# ["b", 3] is not an object: no statement, never a candidate.
	every_statement := [["a", 0], ["b", 0], ["b", 1], ["b", 2], ["b", 4], ["b", 5]]
	_listed("cognito-idp:ListUsers", _p1) == every_statement with data.cognito.store.principals as _principals
}

test_principal_reads_the_index if {
	index := indexing.index with data.cognito.store.principals as _principals
		with data.cognito.reference.catalog as _catalog

	# A catalogued action: the statements listed for it and its resource, and the unclassified.
	_listed("cognito-idp:ListUsers", _p1) == [["b", 0], ["b", 1], ["b", 2], ["b", 4], ["b", 5]]
		with data.cognito.store.principals as _principals
		with data.cognito.store.index as index
	_listed("cognito-idp:listusers", concat("", [_pool, "p2"])) == [["b", 1], ["b", 2], ["b", 4], ["b", 5]]
		with data.cognito.store.principals as _principals
		with data.cognito.store.index as index

	# Another action: the statements naming it, every wildcard, and the unclassified.
	_listed("STS:AssumeRole", "*") == [["a", 0], ["b", 1], ["b", 2], ["b", 4], ["b", 5]]
		with data.cognito.store.principals as _principals
		with data.cognito.store.index as index
	_listed("cognito-idp:ListThings", "*") == [["b", 1], ["b", 2], ["b", 4], ["b", 5]]
		with data.cognito.store.principals as _principals
		with data.cognito.store.index as index
}

test_principals_that_are_not_an_object if {
	index := indexing.index with data.cognito.store.principals as ["not", "principals"]
		with data.cognito.reference.catalog as _catalog
	index.principals == {}
}

# Every statement is compiled once, where its ref points, with the labels a
# decision reports (its Sid, else its position); what is not a statement is null.
test_statements_are_compiled_at_their_refs if {
	index := indexing.index with data.cognito.store.principals as _principals
		with data.cognito.reference.catalog as _catalog
	compiled := index.principals[_role].compiled
	[count(compiled.a), count(compiled.b), count(compiled.c)] == [1, 6, 0]
	compiled.b[0] == object.union(statement.compile(_statements[0], false), {
		"policy": "principal:b", "statement": 0, "effect": "Allow",
	})
	compiled.b[3] == null
	compiled.a[0].policy == "principal:a"
	not compiled.a[0].fast
	not compiled.b[2].fast
	compiled.b[1].fast
	compiled.d == []
}
