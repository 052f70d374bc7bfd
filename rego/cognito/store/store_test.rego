package cognito.store_test

import data.cognito.store

# Expectations: IAM User Guide, "IAM JSON policy element reference" (the
# statement elements: Sid, Effect, Principal, NotPrincipal, Action,
# NotAction, Resource, NotResource, Condition; Effect is Allow or Deny),
# "IAM identifiers" (ARNs of users, roles, assumed-role sessions and
# federated users; the root user and groups are not principals a stored
# policy is looked up for), "IAM and AWS STS quotas" (a managed policy, such
# as a permissions boundary: 6,144 characters; a role's inline policies:
# 10,240), and the AWS Managed Policy Reference (arn:PARTITION:iam::aws:
# policy/NAME names an AWS managed policy, in the aws-cn partition too).

_role := "arn:aws:iam::111122223333:role/Admins"

_reader := "arn:aws:iam::111122223333:user/division/Reader"

_session := "arn:aws:sts::111122223333:assumed-role/Admins/session"

_field := sprintf("principals[%q]", [_role])

_allow := {"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": "*"}

_doc(statements) := {"Version": "2012-10-17", "Statement": statements}

_managed := {"AmazonCognitoReadOnly": {
	"arn": "arn:aws:iam::aws:policy/AmazonCognitoReadOnly",
	"version": "v4",
	"document": _doc([_allow]),
}}

_files(principals) := {
	"policies": {"admin": _doc([_allow]), "boundary": _doc([_allow]), "reader": _doc(_allow)},
	"principals": principals,
	"files": {
		"policies": {"admin": "p/admin.json", "boundary": "p/boundary.yaml", "reader": "p/reader.yml"},
		"principals": "p/principals.yaml",
	},
}

_codes(errors) := {[e.file, e.field, e.code] | some e in errors}

_in_principals(field, code) := {["p/principals.yaml", field, code]}

_all := {
	_role: {
		"policies": ["admin"],
		"managed_policies": ["AmazonCognitoReadOnly"],
		"permissions_boundary": "boundary",
	},
	_reader: {"policies": "reader", "managed_policies": "arn:aws-cn:iam::aws:policy/AmazonCognitoReadOnly"},
	_session: null,
}

test_a_folder_becomes_the_store if {
	result := store.build with input as _files(_all) with data.cognito.reference.managed_policies as _managed
	result.errors == []
	result.store.principals == {
		_role: {
			"policies": {"admin": _doc([_allow])},
			"managed_policies": ["AmazonCognitoReadOnly"],
			"permissions_boundary": _doc([_allow]),
		},
		_reader: {
			"policies": {"reader": _doc(_allow)},
			"managed_policies": ["arn:aws-cn:iam::aws:policy/AmazonCognitoReadOnly"],
		},
		_session: {"policies": {}, "managed_policies": []},
	}
	result.store.index.format == 2
	object.keys(result.store.index.principals) == object.keys(result.store.principals)
}

test_a_folder_without_principals if {
	result := store.build with input as {"policies": {"admin": _doc([_allow])}}
	result.errors == []
	result.store.principals == {}
	result.store.index.principals == {}
}

_misspelt := object.union(_files({}), {"policies": {"admin": _doc([
	_allow,
	object.union(_allow, {"Condtion": {"StringEquals": {"aws:PrincipalTag/team": "admins"}}}),
])}})

test_a_misspelt_condition_is_an_error_of_its_file if {
	result := store.build with input as _misspelt
	result.errors == [{
		"file": "p/admin.json",
		"field": "Statement[1].Condtion",
		"code": "unknown_element",
		"message": "unknown statement element \"Condtion\"",
	}]
	not result.store
}

test_every_file_is_checked_even_when_no_principal_uses_it if {
	unused := object.union(_files({}), {"policies": {"unused": ["Statement"]}})
	_codes(store.errors) == {["unused", "", "invalid_type"]} with input as unused
}

_mixed := object.union(_files({_role: {"policies": ["gone"]}}), {"policies": {
	"b": _doc([object.union(_allow, {"Effect": "allow"}), object.union(_allow, {"Sid": 1})]),
	"a": {"Statement": [_allow], "Version": "1"},
}})

test_errors_are_sorted_by_file_then_field if {
	[[e.file, e.field] | some e in store.errors] == [
		["a", "Version"],
		["b", "Statement[0].Effect"],
		["b", "Statement[1].Sid"],
		["p/principals.yaml", concat(".", [_field, "policies[0]"])],
	] with input as _mixed
}

# 7,200 characters: within a role's inline policy (10,240), over a managed policy's 6,144.
_big := _doc([object.union(_allow, {"Sid": concat("", [_hundred | some _ in numbers.range(1, 72)])})])

_hundred := concat("", ["ABCDEFGHIJ" | some _ in numbers.range(1, 10)])

test_a_boundary_is_checked_as_a_managed_policy if {
	as_policy := object.union(_files({_role: {"policies": ["big"]}}), {"policies": {"big": _big}})
	_codes(store.errors) == set() with input as as_policy
	as_boundary := object.union(_files({_role: {"permissions_boundary": "big"}}), {"policies": {"big": _big}})
	_codes(store.errors) == {["big", "", "limit_exceeded"]} with input as as_boundary
}

_accepted := {
	_role, _reader, _session,
	"arn:aws:sts::111122223333:federated-user/Bob",
	"arn:aws-cn:iam::111122223333:role/Admins",
}

_refused := {
	"Admins", "111122223333",
	"arn:aws:iam::111122223333:root",
	"arn:aws:iam::111122223333:group/Admins",
	"arn:aws:iam::111122223333:oidc-provider/cognito-identity.amazonaws.com",
	"arn:aws:s3:::bucket",
	"arn:aws:iam::111122223333",
}

test_principal_arns if {
	accepted := {arn: {"policies": ["admin"]} | some arn in _accepted}
	_codes(store.errors) == set() with input as _files(accepted)
	refused := {arn: {"policies": ["admin"]} | some arn in _refused}
	_codes(store.errors) == {["p/principals.yaml", sprintf("principals[%q]", [arn]), "invalid_principal"] |
		some arn in _refused
	} with input as _files(refused)
}

test_principal_entries if {
	_codes(store.errors) == _in_principals(_field, "invalid_type") with input as _files({_role: ["admin"]})
	_codes(store.errors) == _in_principals(concat(".", [_field, "polices"]), "unknown_key")
		with input as _files({_role: {"polices": ["admin"]}})
	_codes(store.errors) == _in_principals(concat(".", [_field, "policies"]), "invalid_type")
		with input as _files({_role: {"policies": [1]}})
	_codes(store.errors) == _in_principals(concat(".", [_field, "managed_policies"]), "invalid_type")
		with input as _files({_role: {"managed_policies": {}}})
	_codes(store.errors) == _in_principals(concat(".", [_field, "policies[1]"]), "unknown_policy")
		with input as _files({_role: {"policies": ["admin", "gone"]}})
	_codes(store.errors) == _in_principals(concat(".", [_field, "permissions_boundary"]), "unknown_policy")
		with input as _files({_role: {"permissions_boundary": "gone"}})
	_codes(store.errors) == _in_principals(concat(".", [_field, "permissions_boundary"]), "invalid_type")
		with input as _files({_role: {"permissions_boundary": ["boundary"]}})
}

test_managed_policy_references_as_inline if {
	known := ["AmazonCognitoReadOnly", "arn:aws:iam::aws:policy/AmazonCognitoReadOnly"]
	_codes(store.errors) == set() with input as _files({_role: {"managed_policies": known}})
		with data.cognito.reference.managed_policies as _managed
	field := concat(".", [_field, "managed_policies[0]"])
	_codes(store.errors) == _in_principals(field, "unknown_managed_policy")
		with input as _files({_role: {"managed_policies": ["AmazonCognitoEverything"]}})
		with data.cognito.reference.managed_policies as _managed
	_codes(store.errors) == _in_principals(field, "unknown_managed_policy")
		with input as _files({_role: {"managed_policies": ["arn:aws:iam::111122223333:policy/AmazonCognitoReadOnly"]}})
		with data.cognito.reference.managed_policies as _managed
}

_many := {
	"policies": {sprintf("p%02d", [i]): _doc([_allow]) | some i in numbers.range(1, 12)},
	"principals": {_role: {"policies": "gone"}},
}

test_unknown_policy_names_the_policies_there_are if {
	[e.message | some e in store.errors] == [
		"no policy \"gone\" in the policies folder (it has admin, boundary, reader)",
	] with input as _files({_role: {"policies": ["gone"]}})
	[e.message | some e in store.errors] == [
		"no policy \"gone\" in the policies folder (it has 12, such as p01, p02, p03, p04, p05, p06, p07, p08, p09, p10)",
	] with input as _many
}

test_file_names_default_to_policy_names if {
	_codes(store.errors) == {
		["a", "", "invalid_type"],
		["principals file", "principals[\"x\"]", "invalid_principal"],
	} with input as {"policies": {"a": []}, "principals": {"x": {}}}
}

# A store given whole (build_bundle's extra_data["cognito/store"]).
_whole(value) := {"store": value, "files": {"store": "given"}}

_entries := {_role: {"policies": {"admin": _doc([_allow])}, "managed_policies": ["AmazonCognitoReadOnly"]}}

test_a_store_given_whole if {
	result := store.build with input as _whole({"principals": _entries, "index": {"stale": true}})
		with data.cognito.reference.managed_policies as _managed
	result.errors == []
	result.store.principals == _entries
	result.store.index.format == 2
	not "stale" in object.keys(result.store.index)
}

_given(field, code) := {["given", field, code]}

_wrong_effect := {"p": _doc([object.union(_allow, {"Effect": "allow"})])}

test_a_store_given_whole_is_checked if {
	_codes(store.errors) == _given("", "invalid_type") with input as _whole([])
	_codes(store.errors) == _given("extra", "unknown_key") with input as _whole({"principals": {}, "extra": 1})
	_codes(store.errors) == _given("principals[\"Admins\"]", "invalid_principal")
		with input as _whole({"principals": {"Admins": {}}})
	_codes(store.errors) == _given(_field, "invalid_type") with input as _whole({"principals": {_role: 1}})
	_codes(store.errors) == _given(concat(".", [_field, "policy"]), "unknown_key")
		with input as _whole({"principals": {_role: {"policy": {}}}})
	_codes(store.errors) == _given(concat(".", [_field, "policies"]), "invalid_type")
		with input as _whole({"principals": {_role: {"policies": []}}})
	_codes(store.errors) == _given(concat(".", [_field, "policies[\"p\"].Statement[0].Effect"]), "invalid_effect")
		with input as _whole({"principals": {_role: {"policies": _wrong_effect}}})
	_codes(store.errors) == _given(concat(".", [_field, "managed_policies[0]"]), "unknown_managed_policy")
		with input as _whole({"principals": {_role: {"managed_policies": ["AmazonCognitoEverything"]}}})
	_codes(store.errors) == _given(concat(".", [_field, "permissions_boundary"]), "invalid_type")
		with input as _whole({"principals": {_role: {"permissions_boundary": []}}})
}

test_defaults_without_files_or_policies if {
	[e.message | some e in store.errors] == ["no policy \"p\" in the policies folder (it has none)"]
		with input as {"principals": {_role: {"policies": "p"}}}
	_codes(store.errors) == {["store", concat(".", [_field, "policies[\"p\"]"]), "invalid_type"]}
		with input as {"store": {"principals": {_role: {"policies": {"p": "not a policy"}}}}}
}

# Identity pools (bundle build --identity-pools), one folder each: checked as
# an identity object sent inline (cognito.identity.validation; the Cognito
# Identity API Reference: IdentityPoolId REGION:GUID, AllowUnauthenticated-
# Identities required, RoleMapping Type Token or Rules) and stored by
# IdentityPoolId.

_ip_id := "us-east-1:12345678-corner-cafe-123456790ab"

_ip_guest := "arn:aws:iam::111122223333:role/Guest"

_ip_pool := {"IdentityPoolId": _ip_id, "AllowUnauthenticatedIdentities": true, "Roles": {"unauthenticated": _ip_guest}}

_ip_roles := {_ip_guest: {"trust_policy": _doc([{
	"Effect": "Allow",
	"Principal": {"Federated": "cognito-identity.amazonaws.com"},
	"Action": "sts:AssumeRoleWithWebIdentity",
}])}}

_ip_entry := {"pool": _ip_pool, "roles": _ip_roles}

test_identity_pools_are_stored_by_id if {
	result := store.build with input as {"identity_pools": {"pools/cafe": object.union(_ip_entry, {"extra": 1})}}
	result.errors == []
	result.store.identity_pools == {_ip_id: _ip_entry}
	result.store.principals == {}
	with_files := store.build with input as object.union(_files({}), {"identity_pools": {"pools/cafe": _ip_entry}})
	with_files.store.identity_pools == {_ip_id: _ip_entry}
	not "identity_pools" in object.keys(store.build.store) with input as _files({})
}

test_identity_pools_are_checked_as_inline_identities if {
	bad_pool := object.union(_ip_pool, {
		"AllowUnauthenticatedIdentities": "yes",
		"RoleMappings": {"graph.facebook.com": {"Type": "Groups"}},
	})
	bad_roles := {_ip_guest: {"policies": []}, "not-an-arn": {}}
	input_value := {"identity_pools": {
		"pools/bad": {"pool": bad_pool, "roles": bad_roles},
		"pools/none": {},
		"pools/string": "x",
	}}
	result := store.build with input as input_value
	not result.store
	_codes(result.errors) == {
		["pools/bad", "pool.AllowUnauthenticatedIdentities", "invalid_type"],
		["pools/bad", "pool.RoleMappings[\"graph.facebook.com\"]", "invalid_role_mapping"],
		["pools/bad", "pool.RoleMappings[\"graph.facebook.com\"].Type", "invalid_role_mapping"],
		["pools/bad", "pool.RoleMappings[\"graph.facebook.com\"].AmbiguousRoleResolution", "invalid_role_mapping"],
		["pools/bad", sprintf("roles[%q].trust_policy", [_ip_guest]), "missing_field"],
		["pools/bad", "roles[\"not-an-arn\"]", "invalid_arn"],
		["pools/none", "pool", "missing_field"],
		["pools/string", "", "invalid_type"],
	}
}

test_an_identity_pool_id_stored_once if {
	result := store.build with input as {"identity_pools": {"pools/b": _ip_entry, "pools/a": _ip_entry}}
	_codes(result.errors) == {["pools/b", "pool.IdentityPoolId", "duplicate_identity_pool"]}
	contains(result.errors[0].message, "pools/a")
}
