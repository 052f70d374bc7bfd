package cognito.principal_test

import data.cognito.principal
import data.cognito.statement

# Expectations: IAM User Guide, "IAM identifiers" (ARN formats of users, roles,
# assumed-role sessions, federated users, the account root) and "AWS global
# condition context keys" (aws:PrincipalArn is the role ARN for a role
# session; aws:username exists for IAM users only; aws:PrincipalType values
# Account, User, FederatedUser, AssumedRole; aws:PrincipalIsAWSService and
# aws:PrincipalServiceName for service principals).

_caller(p) := principal.caller({"action": "cognito-idp:ListUserPools", "resource": "*", "principal": p})

test_iam_user if {
	c := _caller("arn:aws:iam::111122223333:user/division/Alice")
	c.kind == "AWS"
	c.type == "User"
	c.account == "111122223333"
	c.username == "Alice"
	principal.derived_keys(c) == {
		"aws:principalarn": "arn:aws:iam::111122223333:user/division/Alice",
		"aws:principalaccount": "111122223333",
		"aws:principaltype": "User",
		"aws:username": "Alice",
	}
}

test_role_session if {
	c := _caller("arn:aws:sts::111122223333:assumed-role/Admin/session-1")
	c.type == "AssumedRole"
	c.role == "Admin"
	c.arn == "arn:aws:iam::111122223333:role/Admin"
	principal.derived_keys(c)["aws:principalarn"] == "arn:aws:iam::111122223333:role/Admin"
	not principal.derived_keys(c)["aws:username"]
}

test_role if {
	c := _caller("arn:aws:iam::111122223333:role/service/Admin")
	c.type == "AssumedRole"
	c.role == "Admin"
	c.arn == "arn:aws:iam::111122223333:role/service/Admin"
}

test_account_root_and_id if {
	_caller("arn:aws:iam::111122223333:root").type == "Account"
	c := _caller("111122223333")
	c.type == "Account"
	c.arn == "arn:aws:iam::111122223333:root"
	c.account == "111122223333"
}

test_federated_user if {
	c := _caller("arn:aws:sts::111122223333:federated-user/Bob")
	c.type == "FederatedUser"
	c.account == "111122223333"
}

test_other_arn if {
	c := _caller("arn:aws:iam::111122223333:group/Admins")
	c.kind == "AWS"
	c.type == ""
	principal.derived_keys(c) == {
		"aws:principalarn": "arn:aws:iam::111122223333:group/Admins",
		"aws:principalaccount": "111122223333",
	}
}

test_identity_provider_arns_are_federated if {
	_caller("arn:aws:iam::111122223333:oidc-provider/accounts.google.com").kind == "Federated"
	_caller("arn:aws:iam::111122223333:saml-provider/ADFS").kind == "Federated"
}

# "Role trust and permissions" (Cognito Developer Guide): Cognito's web
# identities assume roles as the Federated principal cognito-identity.amazonaws.com.
test_web_identity_provider_name_is_federated if {
	c := principal.caller({
		"action": "sts:AssumeRoleWithWebIdentity",
		"resource": "*",
		"principal": "cognito-identity.amazonaws.com",
	})
	c.kind == "Federated"
	c.account == ""
	principal.derived_keys(c) == {}
}

test_service_principal if {
	c := _caller("lambda.amazonaws.com")
	c.kind == "Service"
	principal.derived_keys(c) == {
		"aws:principalisawsservice": "true",
		"aws:principalservicename": "lambda.amazonaws.com",
	}
}

test_other_names_are_federated if {
	_caller("accounts.google.com").kind == "Federated"
}

test_explicit_principal_type if {
	c := principal.caller({
		"action": "a:b",
		"resource": "*",
		"principal": "cognito-identity.amazonaws.com",
		"principal_type": "Service",
	})
	c.kind == "Service"
}

test_no_principal if {
	c := principal.caller({"action": "a:b", "resource": "*"})
	c.kind == ""
	c.name == ""
	principal.context({}, c) == {}
}

test_is_kind if {
	every k in ["AWS", "Federated", "Service", "CanonicalUser"] {
		principal.is_kind(k)
	}
	not principal.is_kind("aws")
}

# "IAM JSON policy elements: Condition": condition key names are not case
# sensitive; the request context wins over the keys derived from the principal.
test_context_lower_cases_keys_and_overrides_derived_keys if {
	r := {
		"principal": "arn:aws:iam::111122223333:user/Alice",
		"context": {"AWS:Username": "Bob", "Cognito-Identity.amazonaws.com:SUB": "x"},
	}
	ctx := principal.context(r, principal.caller(r))
	ctx["aws:username"] == "Bob"
	ctx["cognito-identity.amazonaws.com:sub"] == "x"
	ctx["aws:principalaccount"] == "111122223333"
}

test_context_duplicate_keys_pick_one if {
	ctx := principal.context({"context": {"a:B": "1", "A:b": "2"}}, principal.caller({}))
	ctx == {"a:b": "2"}
}

test_context_not_an_object if {
	principal.context({"context": "x"}, principal.caller({})) == {}
}

_store := {
	"arn:aws:iam::111122223333:role/Admin": {"policies": {}},
	"arn:aws:iam::111122223333:user/Alice": {"policies": {}},
}

test_stored_lookup if {
	principal.has_store with data.cognito.store.principals as _store

	alice := _caller("arn:aws:iam::111122223333:user/Alice")

	principal.stored(alice) == {"policies": {}} with data.cognito.store.principals as _store

	session := _caller("arn:aws:sts::111122223333:assumed-role/Admin/s")

	principal.stored(session) == {"policies": {}} with data.cognito.store.principals as _store

	not principal.stored(_caller("arn:aws:iam::111122223333:user/Bob")) with data.cognito.store.principals as _store

	not principal.has_store with data.cognito.store.principals as "broken"
}

# --- The statement index (data.cognito.store.index, written by bundle builds):
# it only narrows which stored statements are matched; the answers come from
# cognito.statement. The index below is what pycognito_opa.estate.with_index
# writes for _indexed_store with two catalogued actions.

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/"

_admin := "arn:aws:iam::111122223333:role/Admin"

_indexed_store := {_admin: {"policies": {
	"b": {"Version": "2012-10-17", "Statement": [
		{"Sid": "Lit", "Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": _p1},
		{"Effect": "Allow", "Action": "cognito-idp:List*", "Resource": concat("", [_pool, "*"])},
		{"Effect": "Deny", "NotAction": "cognito-idp:ListUsers", "Resource": "*"},
	]},
	"a": {"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}},
}}}

# The handwritten layout, with the statements compiled as the index's build compiles them.
_index := object.union(_listings, {"format": 2, "principals": {_admin: {"compiled": {
	"a": [_compiled("a", 0, _indexed_store[_admin].policies.a.Statement, false)],
	"b": [_compiled("b", i, s, true) | some i, s in _indexed_store[_admin].policies.b.Statement],
}}}})

_compiled(name, i, s, variables) := object.union(statement.compile(s, variables), {
	"policy": concat(":", ["principal", name]),
	"statement": object.get(s, "Sid", i),
	"effect": s.Effect,
})

_listings := {
	"format": 1,
	"expanded": {"cognito-idp:listusers": true, "cognito-idp:listgroups": true},
	"principals": {_admin: {
		"actions": {
			"sts:assumerole": {"exact": {}, "prefix": {"": [["a", 0]]}},
			"cognito-idp:listusers": {"exact": {_p1: [["b", 0]]}, "prefix": {_pool: [["b", 1]]}},
			"cognito-idp:listgroups": {"exact": {}, "prefix": {_pool: [["b", 1]]}},
		},
		"wildcard": [["b", 1]],
		"scan": [["b", 2]],
	}},
}

_p1 := concat("", [_pool, "p1"])

_listed(action, resource) := [[x.name, x.index] |
	some x in principal.stored_statements(_caller(_admin), {"action": action, "resource": resource})
]

_with_index := {"principals": _indexed_store, "index": _index}

test_stored_statements_without_index_are_all_statements if {
	every_statement := [["a", 0], ["b", 0], ["b", 1], ["b", 2]]

	_listed("cognito-idp:ListUsers", "*") == every_statement with data.cognito.store.principals as _indexed_store
}

test_stored_statements_with_index_are_candidates if {
	_listed("cognito-idp:ListUsers", _p1) == [["b", 0], ["b", 1], ["b", 2]] with data.cognito.store as _with_index
}

test_stored_statements_index_narrows_by_resource if {
	p2 := concat("", [_pool, "p2"])

	_listed("cognito-idp:listusers", p2) == [["b", 1], ["b", 2]] with data.cognito.store as _with_index

	_listed("cognito-idp:ListUsers", "*") == [["b", 2]] with data.cognito.store as _with_index
}

# Actions outside the expanded set: literal matches, every wildcard, the unclassified.
test_stored_statements_index_other_actions if {
	_listed("STS:AssumeRole", "*") == [["a", 0], ["b", 1], ["b", 2]] with data.cognito.store as _with_index

	_listed("cognito-idp:ListThings", "*") == [["b", 1], ["b", 2]] with data.cognito.store as _with_index
}

# The statements themselves come from the store: a list element, or a Statement given as one object.
test_stored_statements_index_reads_the_statements if {
	req := {"action": "sts:assumerole", "resource": "*"}

	listed := principal.stored_statements(_caller(_admin), req) with data.cognito.store as _with_index
	[[x.name, x.index, x.entry.effect, x.known] | some x in listed] == [
		["a", 0, "Allow", true],
		["b", 1, "Allow", false],
		["b", 2, "Deny", false],
	]
}

test_stored_statements_unusable_index_means_full_scan if {
	broken := {"principals": _indexed_store, "index": object.union(_index, {"format": 3})}

	count(_listed("cognito-idp:ListUsers", "*")) == 4 with data.cognito.store as broken
}

test_stored_statements_unknown_principal if {
	other := _caller("arn:aws:iam::111122223333:role/Other")

	[] == principal.stored_statements(other, {"action": "a:b", "resource": "*"}) with data.cognito.store as _with_index
}

test_buckets if {
	principal._buckets("arn:aws:s3:::b/k") == {
		"", "arn:", "arn:aws:", "arn:aws:s3:", "arn:aws:s3::", "arn:aws:s3:::", "arn:aws:s3:::b/",
	}
	principal._buckets("*") == {""}
}
