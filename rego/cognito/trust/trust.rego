# METADATA
# title: Principal and NotPrincipal
# description: |
#   Whether a resource-based policy statement (a role trust policy, for
#   instance) names the caller in its Principal element, or leaves it out of
#   its NotPrincipal element. Principals are named exactly: "*" (or
#   {"AWS": "*"}) names everyone; {"AWS": ACCOUNT} or the account's root ARN
#   names every principal of that account, by delegation (that account's own
#   policies must then allow too); a user, role or role-session ARN names that
#   principal (a role ARN also names its sessions); Federated, Service and
#   CanonicalUser values name the identity provider, service or canonical
#   user of that exact name. Wildcards inside a principal name are not
#   supported by IAM and match literally.
#   Source: IAM User Guide, "AWS JSON policy elements: Principal" and
#   "AWS JSON policy elements: NotPrincipal".
package cognito.trust

import data.cognito.arn
import data.cognito.util

# METADATA
# description: |
#   How statement s names caller c (see cognito.principal.caller): "direct"
#   when it names the caller itself (or everyone), "account" when it names
#   only the caller's account (delegation); undefined when it does not apply
#   to the caller; "self" when it names, by its own ARN, an IAM user, a role
#   session or a federated user session (permissions boundaries and session
#   policies do not limit what such a statement grants within an account;
#   IAM User Guide, "Permissions boundaries for IAM entities", resource-based
#   policies, and "Policy evaluation logic", session policies). A statement
#   with NotPrincipal applies ("direct") unless the
#   NotPrincipal lists every identity of the caller: its account and, for a
#   role session, its role and session (the documented way to exempt a
#   principal is to list all of them).
principal_match(s, c) := "self" if {
	_self_named(c)
	some v in _values(s.Principal, "AWS")
	v == c.name
} else := "direct" if {
	s.Principal == "*"
} else := "direct" if {
	some v in _values(s.Principal, c.kind)
	_names_directly(v, c)
} else := "account" if {
	c.kind == "AWS"
	some v in _values(s.Principal, "AWS")
	_names_account(v, c.account)
} else := "direct" if {
	not "Principal" in object.keys(s)
	np := s.NotPrincipal
	not _lists_every_identity(np, c)
}

_values(p, kind) := util.as_list(p[kind]) if {
	is_object(p)
	kind != ""
}

# Callers whose own ARN, named in a resource-based policy, escapes the
# permissions boundary and session policies: IAM users and sessions.
_self_named(c) if c.type in {"User", "FederatedUser"}

_self_named(c) if _is_session(c) == true

# {"AWS": "*"} names any root user, IAM user, role session or federated user
# in any account, but not anonymous callers, web identities or services
# ("Principal": "*" does: IAM User Guide, "Principal", "All principals").
_names_directly("*", c) if c.kind == "AWS"

_names_directly(v, c) if {
	is_string(v)
	v == c.name
}

_names_directly(v, c) if {
	c.kind == "AWS"
	c.arn != ""
	v == c.arn
}

# A role ARN (with or without a path) names the sessions of that role.
_names_directly(v, c) if {
	c.kind == "AWS"
	c.role != ""
	parsed := arn.parse(v)
	parsed.service == "iam"
	parsed.account == c.account
	path := split(parsed.resource, "/")
	path[0] == "role"
	path[count(path) - 1] == c.role
}

_names_account(v, account) if {
	account != ""
	v == account
}

_names_account(v, account) if {
	account != ""
	parsed := arn.parse(v)
	parsed.service == "iam"
	parsed.account == account
	parsed.resource == "root"
}

_lists_every_identity(np, c) if {
	c.kind != ""
	values := _values(np, c.kind)
	every identity in _identities(c) {
		some v in values
		_names_identity(v, identity, c)
	}
}

# The identities a caller is known by: itself, plus for AWS principals its
# account and (role sessions) its role.
_identities(c) := {x |
	some x, present in {
		"self": c.type != "Account",
		"account": c.account != "",
		"role": _is_session(c),
	}
	present
} if {
	c.kind == "AWS"
} else := {"self"}

_is_session(c) if {
	c.role != ""
	c.arn != c.name
} else := false

_names_identity(v, "self", c) if v == c.name

_names_identity(v, "account", c) if _names_account(v, c.account)

_names_identity(v, "role", c) if {
	_names_directly(v, c)
	v != c.name
}
