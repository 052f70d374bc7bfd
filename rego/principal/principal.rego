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

# METADATA
# description: True for the Principal element kinds a caller can be named by (AWS, Federated, Service, CanonicalUser).
is_kind(k) if k in {"AWS", "Federated", "Service", "CanonicalUser"}

_web_identity_actions := {"sts:assumerolewithwebidentity", "sts:assumerolewithsaml"}

default _store := {}

# regal ignore:unresolved-reference
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
caller(r) := object.union(_blank, _facts(kind, p)) if {
	p := r.principal
	is_string(p)
	p != ""
	kind := _kind(r, p)
} else := _blank

_blank := {"name": "", "kind": "", "type": "", "account": "", "arn": "", "username": "", "role": ""}

_kind(r, p) := r.principal_type if {
	is_kind(r.principal_type)
} else := "Federated" if {
	parsed := arn.parse(p)
	parsed.service == "iam"
	regex.match(`^(oidc-provider|saml-provider)/`, parsed.resource)
} else := "AWS" if {
	arn.parse(p)
} else := "AWS" if {
	regex.match(`^[0-9]{12}$`, p)
} else := "Federated" if {
	is_string(r.action)
	lower(r.action) in _web_identity_actions
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

# Lower-case the keys; if two keys differ only in case, the first in sort order wins.
_lowered(ctx) := {lk: ctx[first] |
	is_object(ctx)
	some lk in {lower(k) | some k, _ in ctx; is_string(k)}
	first := min({k | some k, _ in ctx; is_string(k); lower(k) == lk})
}

_lowered(ctx) := {} if not is_object(ctx)

# METADATA
# description: |
#   The bundle-stored entry of the caller ({"policies", "managed_policies",
#   "permissions_boundary"}): looked up by the principal as given, then by its
#   aws:PrincipalArn (a role session finds its role). Undefined when absent.
stored(c) := s if {
	s := _store[c.name]
	is_object(s)
} else := s if {
	c.arn != ""
	s := _store[c.arn]
	is_object(s)
}

# METADATA
# description: True when the bundle stores any principal.
has_store if count(_store) > 0
