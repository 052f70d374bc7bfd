# METADATA
# title: Stored principals, checked and assembled when a bundle is built
# description: |
#   What a bundle build puts at data.cognito.store, evaluated by `opa eval`
#   over the user's files as Python read them, never at decision time. The
#   input is either a policies folder and its principals file,
#   {"policies": {NAME: document}, "principals": {ARN: {"policies",
#   "managed_policies", "permissions_boundary"}}, "files": {"policies":
#   {NAME: file}, "principals": file}}, where a principal names its policies
#   and its boundary by NAME (policies and managed_policies: one name or a
#   list); or a store given whole, {"store": {"principals": {ARN: entry}},
#   "files": {"store": label}}, each entry holding its documents. Every
#   policy document and permissions boundary is checked by the rules that
#   check the same documents sent inline in a request
#   (cognito.validation.request_errors), and so is every managed policy
#   reference; a principal must be named by the ARN of an IAM user, an IAM
#   role or an STS session (IAM User Guide, "AWS JSON policy elements:
#   Principal" and "IAM identifiers"), the names under which
#   cognito.principal looks stored principals up. Either input may also hold
#   identity pools, {"identity_pools": {FOLDER: {"pool", "roles"}}} (as
#   bundle build --identity-pools reads them, one folder per pool): each is
#   checked by the rules that check an identity object sent inline
#   (cognito.identity.validation) and stored by its IdentityPoolId, the key
#   under which cognito.identity.facts looks a pool named by its ID up.
package cognito.store

import data.cognito.identity.validation as identity_validation
import data.cognito.principal
import data.cognito.store.indexing
import data.cognito.validation

# METADATA
# description: |
#   The build's answer: {"errors": [{"file", "field", "code", "message"}]}
#   when the input has errors (see errors), else {"errors": [], "store":
#   {"principals": entries, "index": the statement index of entries
#   (cognito.store.indexing), and "identity_pools": {IdentityPoolId: {"pool",
#   "roles"}} when the input holds identity pools}}, the value of
#   data.cognito.store.
build := {"errors": errors} if {
	count(errors) > 0
} else := {"errors": [], "store": object.union({"principals": entries, "index": _index}, _stored_pools)}

# Not a rule named identity_pools: data.cognito.store.identity_pools is the
# stored pools in a bundle.
default _stored_pools := {}

_stored_pools := {"identity_pools": {id: _stored_pool(id) | some id in _pool_ids}} if {
	count(_pool_folders) > 0
}

# The pool and roles stored for id: those of the first folder giving it.
_stored_pool(id) := object.filter(_pool_folders[_pool_folders_of(id)[0]], ["pool", "roles"])

_pool_ids contains entry.pool.IdentityPoolId if {
	some entry in _pool_folders
	is_string(entry.pool.IdentityPoolId)
}

default _pool_folders := {}

_pool_folders := input.identity_pools if is_object(input.identity_pools)

# The folders that give identity pool ID id.
_pool_folders_of(id) := sort([folder |
	some folder, entry in _pool_folders
	entry.pool.IdentityPoolId == id
])

# Not a rule named index: data.cognito.store.index is the index in a bundle.
# The index is defined over data.cognito.store.principals, as decisions read
# them: here, the entries this build stores.
_index := index if {
	# regal ignore:with-outside-test-context
	index := indexing.index with data.cognito.store.principals as entries
}

# METADATA
# description: |
#   Every error of the input, as {"file", "field", "code", "message"}, sorted
#   by file, then field. The field is a path in the file: in a policy file,
#   such as "Statement[1].Condtion" ("" for the whole document); in the
#   principals file or a store, such as
#   principals["arn:aws:iam::111122223333:role/Admins"].managed_policies[0].
errors := [{"file": file, "field": field, "code": code, "message": message} |
	some [file, field, code, message] in sort(_errors)
]

# METADATA
# description: |
#   The stored principals, each {"policies": {NAME: document},
#   "managed_policies": [reference], "permissions_boundary": document (when
#   it has one)}: the store given whole, or assembled from the policies
#   folder and the principals file.
entries := input.store.principals if {
	_whole
} else := {arn: _entry(spec, _policies) | some arn, spec in _specs}

# A store given whole, rather than files.
_whole if "store" in object.keys(input)

_principals_given if is_object(input.store.principals)

default _specs := {}

_specs := input.principals if is_object(input.principals)

default _policies := {}

_policies := input.policies if is_object(input.policies)

_entry(spec, policies) := object.union(
	{
		"policies": {name: policies[name] | some name in _names(spec, "policies")},
		"managed_policies": _names(spec, "managed_policies"),
	},
	{"permissions_boundary": policies[name] | name := spec.permissions_boundary},
)

# The names a principal's spec gives under key: one name or a list of them
# ([] when absent). Undefined when they are something else.
_names(spec, key) := [] if {
	not _has(spec, key)
} else := [spec[key]] if {
	is_string(spec[key])
} else := spec[key] if {
	is_array(spec[key])
	every name in spec[key] {
		is_string(name)
	}
}

_has(spec, key) if {
	is_object(spec)
	key in object.keys(spec)
}

# The errors inline policies would get: those of a request holding only the
# part given (its action and resource valid), their fields in the request.
_request_errors(part) := validation.request_errors(object.union(
	{"action": "cognito-idp:ListUserPools", "resource": "*"},
	part,
))

# The rest of a request error's field below prefix ("" for the prefix itself).
_below(field, prefix) := trim_prefix(trim_prefix(field, prefix), ".")

_joined(field, "") := field

_joined(field, rest) := concat(".", [field, rest]) if rest != ""

_principal_field(key) := sprintf("principals[%q]", [key])

# The ARN of an IAM user, an IAM role, an STS assumed-role session or an STS
# federated user: the principals a request names that identity-based
# policies apply to (through its role, for a session).
_principal_arn(key) if {
	startswith(key, "arn:")
	facts := principal.caller({"principal": key})
	facts.kind == "AWS"
	facts.type in {"User", "AssumedRole", "FederatedUser"}
}

_principal_message(key) := sprintf(
	"%q is not the ARN of an IAM user, an IAM role or an STS session (arn:aws:iam::ACCOUNT:role/NAME)",
	[key],
)

_entry_keys := {"policies", "managed_policies", "permissions_boundary"}

_not_an_entry := "a principal's entry must be an object with policies, managed_policies or permissions_boundary"

_not_a_boundary_name := "permissions_boundary must be the name of one policy"

_not_documents := "policies must be an object of policy documents by name"

_unknown_key_message(key) := sprintf(
	"unknown key %q (allowed: managed_policies, permissions_boundary, policies)",
	[key],
)

# Errors as [file, field, code, message] ----------------------------------------------------------

# The policies folder: each policy document (a boundary is one of them).
_errors contains [file, _below(e.field, "policies[0]"), e.code, e.message] if {
	not _whole
	some name, doc in _policies
	file := object.get(_policy_files, name, name)
	some e in _request_errors({"policies": [doc]})
}

# A policy that is some principal's permissions boundary, also as a boundary
# (a managed policy: a smaller size limit than a policy in policies).
_errors contains [file, _below(e.field, "permissions_boundary"), e.code, e.message] if {
	not _whole
	some name in {spec.permissions_boundary | some spec in _specs}
	doc := _policies[name]
	file := object.get(_policy_files, name, name)
	some e in _request_errors({"permissions_boundary": doc})
}

# The principals file.
_errors contains [_principals_file, _principal_field(key), "invalid_principal", _principal_message(key)] if {
	not _whole
	some key, _ in _specs
	not _principal_arn(key)
}

_errors contains [_principals_file, _principal_field(key), "invalid_type", _not_an_entry] if {
	not _whole
	some key, spec in _specs
	not is_object(spec)
	spec != null
}

_errors contains [_principals_file, _joined(_principal_field(key), name), "unknown_key", message] if {
	not _whole
	some key, spec in _specs
	some name, _ in spec
	not name in _entry_keys
	message := _unknown_key_message(name)
}

_errors contains [_principals_file, _joined(_principal_field(key), name_key), "invalid_type", message] if {
	not _whole
	some key, spec in _specs
	some name_key in ["policies", "managed_policies"]
	not _names(spec, name_key)
	message := sprintf("%s must be a name or a list of names", [name_key])
}

_errors contains [_principals_file, field, "unknown_policy", message] if {
	not _whole
	some key, spec in _specs
	some i, name in _names(spec, "policies")
	not name in object.keys(_policies)
	field := sprintf("%s.policies[%d]", [_principal_field(key), i])
	message := sprintf("no policy %q in the policies folder (%s)", [name, _known_policies])
}

_errors contains [_principals_file, _joined(_principal_field(key), e.field), e.code, e.message] if {
	not _whole
	some key, spec in _specs
	some e in _request_errors({"managed_policies": _names(spec, "managed_policies")})
}

_errors contains [_principals_file, field, "invalid_type", _not_a_boundary_name] if {
	not _whole
	some key, spec in _specs
	_has(spec, "permissions_boundary")
	not is_string(spec.permissions_boundary)
	field := _joined(_principal_field(key), "permissions_boundary")
}

_errors contains [_principals_file, field, "unknown_policy", message] if {
	not _whole
	some key, spec in _specs
	name := spec.permissions_boundary
	is_string(name)
	not name in object.keys(_policies)
	field := _joined(_principal_field(key), "permissions_boundary")
	message := sprintf("no policy %q in the policies folder for the permissions boundary (%s)", [
		name,
		_known_policies,
	])
}

# A store given whole.
_errors contains [_store_file, "", "invalid_type", "the store must be an object with principals"] if {
	_whole
	not _principals_given
}

_errors contains [_store_file, key, "unknown_key", sprintf("unknown key %q (allowed: index, principals)", [key])] if {
	_whole
	some key, _ in input.store
	not key in {"principals", "index"}
}

_errors contains [_store_file, _principal_field(key), "invalid_principal", _principal_message(key)] if {
	_whole
	some key, _ in input.store.principals
	not _principal_arn(key)
}

_errors contains [_store_file, _principal_field(key), "invalid_type", _not_an_entry] if {
	_whole
	some key, entry in input.store.principals
	not is_object(entry)
}

_errors contains [_store_file, _joined(_principal_field(key), name), "unknown_key", message] if {
	_whole
	some key, entry in input.store.principals
	some name, _ in entry
	not name in _entry_keys
	message := _unknown_key_message(name)
}

_errors contains [_store_file, _joined(_principal_field(key), "policies"), "invalid_type", _not_documents] if {
	_whole
	some key, entry in input.store.principals
	"policies" in object.keys(entry)
	not is_object(entry.policies)
}

_errors contains [_store_file, _joined(field, _below(e.field, "policies[0]")), e.code, e.message] if {
	_whole
	some key, entry in input.store.principals
	some name, doc in entry.policies
	field := sprintf("%s.policies[%q]", [_principal_field(key), name])
	some e in _request_errors({"policies": [doc]})
}

_errors contains [_store_file, _joined(_principal_field(key), e.field), e.code, e.message] if {
	_whole
	some key, entry in input.store.principals
	is_object(entry)
	some e in _request_errors(object.filter(entry, ["managed_policies", "permissions_boundary"]))
}

# Identity pools: each folder's pool and roles, as an identity object would
# carry them inline (fields such as pool.RoleMappings["..."].Type), and no
# IdentityPoolId stored twice.
_errors contains [folder, e.field, e.code, e.message] if {
	some folder, entry in _pool_folders
	some e in identity_validation.errors(_pool_identity(entry))
}

_errors contains [folder, "pool.IdentityPoolId", "duplicate_identity_pool", message] if {
	some folder, entry in _pool_folders
	folders := _pool_folders_of(entry.pool.IdentityPoolId)
	folder != folders[0]
	message := sprintf("identity pool %q is also given by %s: store each pool once", [
		entry.pool.IdentityPoolId,
		folders[0],
	])
}

# A folder's entry as the identity object it is checked as.
_pool_identity(entry) := object.filter(entry, ["pool", "roles"]) if {
	is_object(entry)
} else := entry

# File names for error messages -------------------------------------------------------------------

_policy_files[name] := file if {
	some name, file in input.files.policies
	is_string(file)
}

default _principals_file := "principals file"

_principals_file := input.files.principals if is_string(input.files.principals)

default _store_file := "store"

_store_file := input.files.store if is_string(input.files.store)

# The policy names, for error messages: all of them when they are few.
_known_policies := "it has none" if {
	count(_policies) == 0
} else := sprintf("it has %s", [concat(", ", sort(object.keys(_policies)))]) if {
	count(_policies) <= 10
} else := sprintf("it has %d, such as %s", [
	count(_policies),
	concat(", ", array.slice(sort(object.keys(_policies)), 0, 10)),
])
