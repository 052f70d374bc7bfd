package cognito.trust_test

import data.cognito.principal
import data.cognito.trust

# Expectations: IAM User Guide, "AWS JSON policy elements: Principal"
# (accounts delegate, "*" is everyone, a role ARN covers its sessions, exact
# names for Federated / Service) and "AWS JSON policy elements: NotPrincipal"
# (to exempt a role session list the session, the role and the account).

_c(p) := principal.caller({"action": "sts:AssumeRole", "resource": "*", "principal": p})

_alice := _c("arn:aws:iam::111122223333:user/Alice")

_session := _c("arn:aws:sts::111122223333:assumed-role/Admin/s1")

_web := principal.caller({
	"action": "sts:AssumeRoleWithWebIdentity",
	"resource": "*",
	"principal": "cognito-identity.amazonaws.com",
})

_m(principal_element, c) := trust.principal_match({"Principal": principal_element}, c)

test_everyone if {
	_m("*", _alice) == "direct"
	_m("*", _web) == "direct"
	_m({"AWS": "*"}, _alice) == "direct"
	not _m({"AWS": "*"}, _web)
}

test_account_delegation if {
	_m({"AWS": "111122223333"}, _alice) == "account"
	_m({"AWS": "arn:aws:iam::111122223333:root"}, _session) == "account"
	not _m({"AWS": "444455556666"}, _alice)
}

test_user_arn if {
	_m({"AWS": ["arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/Alice"]}, _alice) == "self"
	not _m({"AWS": "arn:aws:iam::111122223333:user/Bob"}, _alice)
}

test_role_arn_names_its_sessions if {
	_m({"AWS": "arn:aws:iam::111122223333:role/Admin"}, _session) == "direct"
	_m({"AWS": "arn:aws:iam::111122223333:role/path/Admin"}, _session) == "direct"
	_m({"AWS": "arn:aws:sts::111122223333:assumed-role/Admin/s1"}, _session) == "self"
	not _m({"AWS": "arn:aws:iam::444455556666:role/Admin"}, _session)
	not _m({"AWS": "arn:aws:iam::111122223333:role/Other"}, _session)
}

# "Role trust and permissions": Principal {"Federated": "cognito-identity.amazonaws.com"}.
test_federated_and_service if {
	_m({"Federated": "cognito-identity.amazonaws.com"}, _web) == "direct"
	not _m({"Federated": "accounts.google.com"}, _web)
	not _m({"Service": "cognito-identity.amazonaws.com"}, _web)
	not _m({"AWS": "cognito-identity.amazonaws.com"}, _web)
	_m({"Service": "lambda.amazonaws.com"}, _c("lambda.amazonaws.com")) == "direct"
}

# Partial wildcards are not supported in Principal: matched literally.
test_no_partial_wildcards if {
	not _m({"AWS": "arn:aws:iam::111122223333:user/*"}, _alice)
}

test_unknown_caller if {
	c := principal.caller({})
	_m("*", c) == "direct"
	not _m({"AWS": "111122223333"}, c)
	trust.principal_match({"NotPrincipal": {"AWS": "111122223333"}}, c) == "direct"
}

_np(v, c) := trust.principal_match({"NotPrincipal": v}, c)

test_not_principal if {
	not _np({"AWS": ["arn:aws:iam::111122223333:user/Alice", "111122223333"]}, _alice)
	_np({"AWS": "arn:aws:iam::111122223333:user/Alice"}, _alice) == "direct"
	_np({"AWS": "arn:aws:iam::111122223333:user/Bob"}, _alice) == "direct"
	not _np(
		{"AWS": [
			"arn:aws:sts::111122223333:assumed-role/Admin/s1",
			"arn:aws:iam::111122223333:role/Admin",
			"arn:aws:iam::111122223333:root",
		]},
		_session,
	)
	_np(
		{"AWS": ["arn:aws:sts::111122223333:assumed-role/Admin/s1", "arn:aws:iam::111122223333:root"]},
		_session,
	) == "direct"
	not _np({"AWS": "111122223333"}, _c("111122223333"))
	not _np({"Federated": "cognito-identity.amazonaws.com"}, _web)
	_np({"Federated": "accounts.google.com"}, _web) == "direct"
}

# A role given as the caller (its role ARN) is not a session: naming it is "direct".
test_role_caller_named_directly if {
	role := _c("arn:aws:iam::111122223333:role/Admin")
	_m({"AWS": "arn:aws:iam::111122223333:role/Admin"}, role) == "direct"
	_m(
		{"AWS": "arn:aws:sts::111122223333:federated-user/Bob"},
		_c("arn:aws:sts::111122223333:federated-user/Bob"),
	) == "self"
}

test_role_arn_caller_not_principal if {
	role := _c("arn:aws:iam::111122223333:role/Admin")
	not trust.principal_match({"NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:role/Admin", "111122223333"]}}, role)
}
