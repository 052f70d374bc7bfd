package cognito.iam_test

import data.cognito.applicable
import data.cognito.iam
import data.cognito.principal

# Expectations: IAM User Guide, "Policy evaluation logic"
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
# unless a group names another page.

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_EXAMPLE"

_allow(actions, resources) := {"Effect": "Allow", "Action": actions, "Resource": resources}

_deny(actions, resources) := {"Effect": "Deny", "Action": actions, "Resource": resources}

_doc(statements) := {"Version": "2012-10-17", "Statement": statements}

_eval(r) := iam.evaluate(object.union({"action": "cognito-idp:DeleteUserPool", "resource": _pool}, r))

_allow_all := _doc([_allow("cognito-idp:*", "*")])

# --- Explicit deny > allow > implicit deny ("Determining whether a request is
# allowed or denied within an account") ----------------------------------------------------------

test_default_is_implicit_deny if {
	d := _eval({})
	d.decision == "implicit_deny"
	d.allowed == false
	d.matched == []
	contains(d.reason, "No statement allows cognito-idp:DeleteUserPool")
}

test_allow_in_identity_policy_allows if {
	d := _eval({"policies": [_allow_all]})
	d.decision == "allow"
	d.allowed == true
	d.matched == [{"policy": "policies[0]", "statement": 0, "effect": "Allow"}]
}

test_explicit_deny_overrides_allow if {
	d := _eval({"policies": [_allow_all, _doc([object.union(_deny("cognito-idp:Delete*", "*"), {"Sid": "NoDelete"})])]})
	d.decision == "explicit_deny"
	d.allowed == false
	d.matched == [{"policy": "policies[1]", "statement": "NoDelete", "effect": "Deny"}]
}

test_deny_in_same_statement_list_as_allow if {
	d := _eval({"policies": [_doc([_allow("cognito-idp:*", "*"), _deny("cognito-idp:DeleteUserPool", _pool)])]})
	d.decision == "explicit_deny"
	d.matched == [{"policy": "policies[0]", "statement": 1, "effect": "Deny"}]
}

# --- NotResource ("IAM JSON policy elements: NotResource"): Deny with
# NotResource denies everything except the listed resources; it never allows.
test_deny_with_not_resource_denies_other_resources if {
	p := _doc([_allow("cognito-idp:*", "*"), {"Effect": "Deny", "Action": "cognito-idp:*", "NotResource": _pool}])
	d := _eval({"resource": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_OTHER", "policies": [p]})
	d.decision == "explicit_deny"
	d.matched == [{"policy": "policies[0]", "statement": 1, "effect": "Deny"}]
}

test_deny_with_not_resource_spares_the_listed_resource if {
	p := _doc([_allow("cognito-idp:*", "*"), {"Effect": "Deny", "Action": "cognito-idp:*", "NotResource": _pool}])
	_eval({"policies": [p]}).decision == "allow"
}

test_deny_with_not_resource_alone_does_not_allow if {
	p := _doc([{"Effect": "Deny", "Action": "cognito-idp:*", "NotResource": "arn:aws:s3:::bucket"}])
	_eval({"resource": "arn:aws:s3:::bucket", "policies": [p]}).decision == "implicit_deny"
}

# An operation without resource-level permissions is requested on "*"; a Deny
# with NotResource naming specific ARNs still covers it.
test_deny_with_not_resource_covers_star_requests if {
	p := _doc([_allow("cognito-idp:*", "*"), {"Effect": "Deny", "Action": "cognito-idp:*", "NotResource": _pool}])
	_eval({"action": "cognito-idp:ListUserPools", "resource": "*", "policies": [p]}).decision == "explicit_deny"
}

test_allow_with_not_resource if {
	p := _doc([{
		"Effect": "Allow",
		"Action": "cognito-idp:*",
		"NotResource": "arn:aws:cognito-idp:*:*:userpool/us-east-1_SECRET",
	}])
	_eval({"policies": [p]}).decision == "allow"
	_eval({
		"resource": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_SECRET",
		"policies": [p],
	}).decision == "implicit_deny"
}

# --- NotAction ("IAM JSON policy elements: NotAction"): Allow + NotAction
# allows every other action; Deny + NotAction denies every other action.
test_allow_with_not_action if {
	p := _doc([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])
	_eval({"policies": [p]}).decision == "allow"
	_eval({"action": "iam:CreateUser", "resource": "*", "policies": [p]}).decision == "implicit_deny"
}

test_deny_with_not_action if {
	p := _doc([
		_allow("*", "*"),
		{"Effect": "Deny", "NotAction": ["cognito-idp:Describe*", "cognito-idp:List*"], "Resource": "*"},
	])
	_eval({"policies": [p]}).decision == "explicit_deny"
	_eval({"action": "cognito-idp:DescribeUserPool", "policies": [p]}).decision == "allow"
}

# --- Statement and elements as single values or lists ("IAM JSON policy elements: Statement").
test_single_statement_object_and_single_values if {
	p := {
		"Version": "2012-10-17",
		"Statement": {"Sid": "One", "Effect": "Allow", "Action": "cognito-idp:DeleteUserPool", "Resource": _pool},
	}
	d := _eval({"policies": [p]})
	d.matched == [{"policy": "policies[0]", "statement": "One", "effect": "Allow"}]
}

# --- Managed policies by name and by ARN; stored principals ------------------------------------

test_managed_policy_label_is_its_name if {
	d := _eval({"managed_policies": ["arn:aws:iam::aws:policy/AmazonCognitoPowerUser"]})
	d.matched == [{"policy": "AmazonCognitoPowerUser", "statement": 0, "effect": "Allow"}]
}

_store := {"arn:aws:iam::111122223333:role/Admin": {
	"policies": {"inline-admin": _allow_all},
	"managed_policies": ["AmazonCognitoReadOnly"],
	"permissions_boundary": _doc([_allow("cognito-idp:Describe*", "*"), _allow("cognito-idp:List*", "*")]),
}}

test_stored_principal_policies_apply_within_their_boundary if {
	r := {"principal": "arn:aws:iam::111122223333:role/Admin"}

	d := _eval(r) with data.cognito.store.principals as _store
	d.decision == "implicit_deny"
	d.warnings == {{
		"code": "not_allowed_by_permissions_boundary",
		"message": "the permissions boundary does not allow it",
	}}

	a := _eval(object.union(r, {"action": "cognito-idp:DescribeUserPool"})) with data.cognito.store.principals as _store
	a.decision == "allow"
	{m.policy | some m in a.matched} == {"principal:inline-admin", "AmazonCognitoReadOnly", "permissions_boundary"}
}

# A role session finds the policies stored for its role.
test_role_session_uses_stored_role_policies if {
	r := {
		"principal": "arn:aws:sts::111122223333:assumed-role/Admin/s1",
		"action": "cognito-idp:ListUserPools",
		"resource": "*",
	}

	d := _eval(r) with data.cognito.store.principals as _store
	d.decision == "allow"
}

# identity_documents lists the stored policies (the decision itself reads them
# through principal.stored_statements, which can use the bundle's index).
test_identity_documents_include_stored_policies if {
	r := {"principal": "arn:aws:sts::111122223333:assumed-role/Admin/s1", "policies": [_allow_all]}
	c := principal.caller(r)

	docs := applicable.identity_documents(r, c) with data.cognito.store.principals as _store
	[d.label | some d in docs] == ["policies[0]", "principal:inline-admin", "AmazonCognitoReadOnly"]
}

# --- Permissions boundaries ("Permissions boundaries for IAM entities"): the
# effective permissions are what both the identity policies and the boundary allow.
test_boundary_limits if {
	d := _eval({"policies": [_allow_all], "permissions_boundary": _doc([_allow("s3:*", "*")])})
	d.decision == "implicit_deny"
	contains(d.reason, "permissions boundary")
}

test_boundary_does_not_grant if {
	_eval({"permissions_boundary": _allow_all}).decision == "implicit_deny"
}

test_boundary_inside if {
	d := _eval({"policies": [_allow_all], "permissions_boundary": _allow_all})
	d.decision == "allow"
	d.matched == [
		{"policy": "policies[0]", "statement": 0, "effect": "Allow"},
		{"policy": "permissions_boundary", "statement": 0, "effect": "Allow"},
	]
	contains(d.reason, "within permissions_boundary statement 0")
}

test_boundary_deny_denies if {
	d := _eval({
		"policies": [_allow_all],
		"permissions_boundary": _doc([_allow("*", "*"), _deny("cognito-idp:Delete*", "*")]),
	})
	d.decision == "explicit_deny"
	d.matched == [{"policy": "permissions_boundary", "statement": 1, "effect": "Deny"}]
}

# --- SCPs (AWS Organizations User Guide, "SCP evaluation"): every level from
# the root to the account must allow; a Deny at any level denies.
_full := _doc([_allow("*", "*")])

test_scps_every_level_allows if {
	d := _eval({"policies": [_allow_all], "scps": [_full, [_full, _doc([_allow("s3:*", "*")])], _full]})
	d.decision == "allow"
	{m.policy | some m in d.matched} == {"policies[0]", "scps[0]", "scps[1][0]", "scps[2]"}
}

test_scps_a_level_without_allow_denies if {
	d := _eval({"policies": [_allow_all], "scps": [_full, [_doc([_allow("s3:*", "*")])], _full]})
	d.decision == "implicit_deny"
	contains(d.reason, "scps[1]")
	d.warnings == {{
		"code": "not_allowed_by_scp",
		"message": "the SCP level scps[1] does not allow it (every level must)",
	}}
}

# Several levels without an Allow: the first one is named (one decision, no conflict).
test_scps_several_levels_without_allow if {
	s3_only := _doc([_allow("s3:*", "*")])
	d := _eval({"policies": [_allow_all], "scps": [_full, s3_only, s3_only]})
	d.decision == "implicit_deny"
	contains(d.reason, "scps[1]")
}

test_scps_deny_at_any_level if {
	d := _eval({"policies": [_allow_all], "scps": [_full, [_full, _doc([_deny("cognito-idp:*", "*")])]]})
	d.decision == "explicit_deny"
	d.matched == [{"policy": "scps[1][1]", "statement": 0, "effect": "Deny"}]
}

test_scps_do_not_grant if {
	_eval({"scps": [_full]}).decision == "implicit_deny"
}

# --- Session policies ("Policies and permissions in IAM", "Session policies"):
# the session gets the intersection; they never grant; their Deny denies.
test_session_policy_narrows if {
	d := _eval({"policies": [_allow_all], "session_policies": [_doc([_allow("cognito-idp:List*", "*")])]})
	d.decision == "implicit_deny"
	d.warnings == {{
		"code": "not_allowed_by_session_policy",
		"message": "no session policy allows it (session policies only narrow)",
	}}
}

test_session_policy_any_of_them_allows if {
	d := _eval({"policies": [_allow_all], "session_policies": [_doc([_allow("s3:*", "*")]), _allow_all]})
	d.decision == "allow"
}

test_session_policy_does_not_grant if {
	_eval({"session_policies": [_allow_all]}).decision == "implicit_deny"
}

test_session_policy_deny if {
	_eval({
		"policies": [_allow_all],
		"session_policies": [_doc([_allow("*", "*"), _deny("cognito-idp:DeleteUserPool", "*")])],
	}).decision == "explicit_deny"
}

# --- Cross-account ("Cross-account policy evaluation logic"; Amazon Cognito
# Developer Guide, "How Amazon Cognito works with IAM": no resource-based
# policies): identity policies alone grant nothing on another account's pool.
test_cross_account_identity_policy_alone_grants_nothing if {
	d := _eval({"principal": "arn:aws:iam::444455556666:user/Alice", "policies": [_allow_all]})
	d.decision == "implicit_deny"
	d.warnings == {{
		"code": "cross_account",
		"message": "principal account 444455556666 differs from resource account 111122223333",
	}}
	contains(d.reason, "no resource-based policies")
}

test_same_account_identity_policy_allows if {
	_eval({"principal": "arn:aws:iam::111122223333:user/Alice", "policies": [_allow_all]}).decision == "allow"
}

test_cross_account_deny_still_explicit if {
	d := _eval({"principal": "arn:aws:iam::444455556666:user/Alice", "policies": [_doc([_deny("*", "*")])]})
	d.decision == "explicit_deny"
}

test_cross_account_without_allow if {
	d := _eval({"principal": "arn:aws:iam::444455556666:user/Alice"})
	d.decision == "implicit_deny"
	contains(d.reason, "No statement allows")
}

# resource_account names the owner of ARNs without an account field (S3).
test_resource_account_field if {
	r := {
		"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key", "resource_account": "999988887777",
		"principal": "arn:aws:iam::111122223333:user/Alice", "policies": [_doc([_allow("s3:*", "*")])],
	}
	_eval(r).decision == "implicit_deny"
	_eval(object.union(r, {"resource_account": "111122223333"})).decision == "allow"
}

# --- Resource-based policies ("Policy evaluation for requests within a single
# account": identity OR resource policy; cross-account: both).
_bucket_policy(principal) := _doc([{
	"Effect": "Allow",
	"Principal": principal,
	"Action": "s3:GetObject",
	"Resource": "arn:aws:s3:::bucket/*",
}])

_s3(r) := _eval(object.union(
	{"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key", "resource_account": "111122223333"},
	r,
))

test_resource_policy_alone_allows_named_principal_same_account if {
	d := _s3({
		"principal": "arn:aws:iam::111122223333:user/Carlos",
		"resource_policy": _bucket_policy({"AWS": "arn:aws:iam::111122223333:user/Carlos"}),
	})
	d.decision == "allow"
	d.matched == [{"policy": "resource_policy", "statement": 0, "effect": "Allow"}]
}

test_resource_policy_naming_another_principal_does_not_allow if {
	d := _s3({
		"principal": "arn:aws:iam::111122223333:user/Carlos",
		"resource_policy": _bucket_policy({"AWS": "arn:aws:iam::111122223333:user/Bob"}),
	})
	d.decision == "implicit_deny"
}

test_resource_policy_cross_account_needs_both if {
	rp := _bucket_policy({"AWS": "444455556666"})
	alice := "arn:aws:iam::444455556666:user/Alice"
	_s3({"principal": alice, "resource_policy": rp}).decision == "implicit_deny"
	_s3({"principal": alice, "resource_policy": rp, "policies": [_doc([_allow("s3:*", "*")])]}).decision == "allow"
	d := _s3({
		"principal": alice,
		"resource_policy": _bucket_policy({"AWS": "777788889999"}),
		"policies": [_doc([_allow("s3:*", "*")])],
	})
	d.decision == "implicit_deny"
	contains(d.reason, "the resource policy does not allow it")
}

test_resource_policy_deny_for_named_principal if {
	rp := _doc([{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}])
	d := _s3({
		"principal": "arn:aws:iam::111122223333:user/Carlos",
		"resource_policy": rp,
		"policies": [_doc([_allow("s3:*", "*")])],
	})
	d.decision == "explicit_deny"
	d.matched == [{"policy": "resource_policy", "statement": 0, "effect": "Deny"}]
}

# "Permissions boundaries for IAM entities" (resource-based policies) and
# "Policy evaluation logic" (session policies): within an account, what a
# resource-based policy grants to an IAM user or a role session by its own ARN
# is not limited by a boundary or session policy; granted to the role ARN, it is.
_narrow := _doc([_allow("ec2:*", "*")])

test_resource_policy_naming_the_user_escapes_the_boundary if {
	carlos := "arn:aws:iam::111122223333:user/Carlos"
	d := _s3({"principal": carlos, "resource_policy": _bucket_policy({"AWS": carlos}), "permissions_boundary": _narrow})
	d.decision == "allow"
	d.matched == [{"policy": "resource_policy", "statement": 0, "effect": "Allow"}]
	contains(d.reason, "names the principal itself")
}

test_resource_policy_naming_the_role_is_bounded if {
	session := "arn:aws:sts::111122223333:assumed-role/Admin/s1"
	by_role := _bucket_policy({"AWS": "arn:aws:iam::111122223333:role/Admin"})
	_s3({"principal": session, "resource_policy": by_role, "permissions_boundary": _narrow}).decision == "implicit_deny"
	_s3({"principal": session, "resource_policy": by_role, "session_policies": [_narrow]}).decision == "implicit_deny"
	_s3({"principal": session, "resource_policy": by_role}).decision == "allow"
	by_session := _bucket_policy({"AWS": session})
	_s3({"principal": session, "resource_policy": by_session, "session_policies": [_narrow]}).decision == "allow"
	_s3({"principal": session, "resource_policy": by_session, "permissions_boundary": _narrow}).decision == "allow"
}

# SCPs still limit it (AWS Organizations User Guide, "SCP evaluation").
test_resource_policy_naming_the_user_still_needs_scps if {
	carlos := "arn:aws:iam::111122223333:user/Carlos"
	r := {"principal": carlos, "resource_policy": _bucket_policy({"AWS": carlos}), "permissions_boundary": _narrow}
	_s3(object.union(r, {"scps": [_narrow]})).decision == "implicit_deny"
	d := _s3(object.union(r, {"scps": [_full]}))
	d.decision == "allow"
	d.matched == [
		{"policy": "resource_policy", "statement": 0, "effect": "Allow"},
		{"policy": "scps[0]", "statement": 0, "effect": "Allow"},
	]
}

# "Permissions boundaries for IAM entities": a Deny with NotPrincipal always
# denies a principal that has a permissions boundary, whatever NotPrincipal lists.
test_not_principal_deny_with_boundary if {
	carlos := "arn:aws:iam::111122223333:user/Carlos"
	rp := _doc([
		{"Effect": "Allow", "Principal": {"AWS": carlos}, "Action": "s3:*", "Resource": "*"},
		{"Effect": "Deny", "NotPrincipal": {"AWS": [carlos, "111122223333"]}, "Action": "s3:*", "Resource": "*"},
	])
	_s3({"principal": carlos, "resource_policy": rp}).decision == "allow"
	d := _s3({"principal": carlos, "resource_policy": rp, "permissions_boundary": _doc([_allow("s3:*", "*")])})
	d.decision == "explicit_deny"
	d.matched == [{"policy": "resource_policy", "statement": 1, "effect": "Deny"}]
}

# --- Role trust policies ("Policy evaluation logic": role trust policies must
# explicitly allow; "AWS JSON policy elements: Principal": naming the account
# delegates to that account's own policies).
_role := "arn:aws:iam::111122223333:role/Target"

_assume(r) := _eval(object.union({"action": "sts:AssumeRole", "resource": _role}, r))

_trust(principal) := _doc([{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}])

test_trust_naming_the_caller_allows if {
	d := _assume({
		"principal": "arn:aws:iam::111122223333:user/Bob",
		"resource_policy": _trust({"AWS": "arn:aws:iam::111122223333:user/Bob"}),
	})
	d.decision == "allow"
}

test_trust_naming_the_account_needs_the_callers_policy if {
	rp := _trust({"AWS": "arn:aws:iam::111122223333:root"})
	bob := "arn:aws:iam::111122223333:user/Bob"
	d := _assume({"principal": bob, "resource_policy": rp})
	d.decision == "implicit_deny"
	contains(d.reason, "trusts the account")
	_assume({
		"principal": bob,
		"resource_policy": rp,
		"policies": [_doc([_allow("sts:AssumeRole", _role)])],
	}).decision == "allow"
}

test_identity_policy_without_trust_does_not_assume if {
	d := _assume({
		"principal": "arn:aws:iam::111122223333:user/Bob",
		"resource_policy": _trust({"AWS": "arn:aws:iam::111122223333:user/Eve"}),
		"policies": [_doc([_allow("sts:AssumeRole", "*")])],
	})
	d.decision == "implicit_deny"
	contains(d.reason, "trust policy (resource_policy) does not allow arn:aws:iam::111122223333:user/Bob")
}

test_trust_cross_account_needs_both if {
	rp := _trust({"AWS": "arn:aws:iam::444455556666:user/Alice"})
	alice := "arn:aws:iam::444455556666:user/Alice"
	_assume({"principal": alice, "resource_policy": rp}).decision == "implicit_deny"
	_assume({
		"principal": alice,
		"resource_policy": rp,
		"policies": [_doc([_allow("sts:AssumeRole", _role)])],
	}).decision == "allow"
}

test_trust_unnamed_caller if {
	d := _assume({"resource_policy": _trust({"AWS": "arn:aws:iam::111122223333:user/Bob"})})
	d.decision == "implicit_deny"
	contains(d.reason, "an unnamed principal")
}

test_reasons_name_statements if {
	d := _eval({"policies": [_doc([
		object.union(_allow("cognito-idp:*", "*"), {"Sid": "Admin"}),
		_allow("cognito-idp:*", "*"),
	])]})
	d.reason == "Allowed by policies[0] statement \"Admin\", policies[0] statement 1."
}

test_identity_documents_skips_unknown_managed if {
	docs := applicable.identity_documents({"managed_policies": ["AmazonCognitoReadOnly", 5]}, {"name": ""})
	[e.label | some e in docs] == ["AmazonCognitoReadOnly"]
}

# "IAM JSON policy elements: Version": a policy without Version is evaluated
# with the 2008-10-17 rules; its ${aws:username} is literal text.
test_old_version_policy_variables_are_literal if {
	p := {"Statement": [_allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:username}/*")]}
	r := {"action": "s3:GetObject", "context": {"aws:username": "alice"}, "policies": [p]}
	_eval(object.union(r, {"resource": "arn:aws:s3:::bucket/alice/x"})).decision == "implicit_deny"
	_eval(object.union(r, {"resource": "arn:aws:s3:::bucket/${aws:username}/x"})).decision == "allow"
}
