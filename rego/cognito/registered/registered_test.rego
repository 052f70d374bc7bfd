package cognito.registered_test

import data.cognito.authz
import data.cognito.registration

# A request naming a registered policy set is decided as the same request
# carrying the set's documents: the contract is the equality of the whole
# decision (allowed, decision, matched, warnings, reason). The cases cover
# every kind of policy a set holds and the evaluation logic's outcomes
# (IAM User Guide, "Policy evaluation logic": an explicit Deny overrides
# any Allow; a permissions boundary, each SCP level and the session policies
# must also allow; a resource-based policy naming the principal itself).

_allow_all := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

_deny_delete := {"Version": "2012-10-17", "Statement": [{
	"Sid": "NoDelete",
	"Effect": "Deny",
	"Action": "cognito-idp:Delete*",
	"Resource": "arn:aws:cognito-idp:*:*:userpool/*",
}]}

_own_identity := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Action": "cognito-sync:*",
	"Resource": concat("/", [_sync_pool, "identity", "${cognito-identity.amazonaws.com:sub}", "*"]),
}]}

_sync_pool := "arn:aws:cognito-sync:us-east-1:123456789012:identitypool/us-east-1:pool"

_only_sync := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "cognito-sync:*", "Resource": "*"}]}

_me := "arn:aws:iam::111122223333:user/me"

_self_policy := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Principal": {"AWS": _me},
	"Action": "cognito-idp:ListUsers",
	"Resource": "*",
}]}

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_EXAMPLE"

_sync := concat("/", [_sync_pool, "identity", "us-east-1:alice", "dataset", "d"])

_sets := [
	{"policies": [_allow_all, _deny_delete]},
	{"policies": [_own_identity, {"Statement": _own_identity.Statement}], "managed_policies": ["AmazonCognitoReadOnly"]},
	{"policies": [_allow_all], "permissions_boundary": _only_sync},
	{"policies": [_allow_all], "scps": [[_allow_all], _only_sync]},
	{"policies": [_allow_all], "session_policies": [_only_sync]},
	{"resource_policy": _self_policy, "permissions_boundary": _only_sync},
	{},
]

_asks := [
	{"action": "cognito-idp:DeleteUserPool", "resource": _pool},
	{"action": "cognito-idp:ListUsers", "resource": _pool, "principal": _me},
	{"action": "cognito-idp:DescribeUserPool", "resource": _pool},
	{"action": "cognito-sync:ListRecords", "resource": _sync, "context": _sub("us-east-1:alice")},
	{"action": "cognito-sync:ListRecords", "resource": _sync, "context": _sub("us-east-1:bob")},
	{"action": "cognito-idp:SignUp", "resource": _pool},
]

_sub(id) := {"cognito-identity.amazonaws.com:sub": id}

_id(s) := sprintf("sha256:%s", [crypto.sha256(json.marshal(s))])

_registered[_id(s)] := registration.outcome(s).entry if some s in _sets

_inline := [object.union(ask, s) | some s in _sets; some ask in _asks]

_by_id := [object.union(ask, {"policy_set": _id(s)}) | some s in _sets; some ask in _asks]

test_registered_decisions_equal_inline_decisions if {
	inline := authz.decisions with input as {"requests": _inline}
	by_id := authz.decisions with input as {"requests": _by_id} with data.registered_policy_sets as _registered
	count(by_id) == count(_sets) * count(_asks)
	by_id == inline
}

test_registered_verdicts_equal_inline_verdicts if {
	inline := authz.verdicts with input as {"requests": _inline}
	by_id := authz.verdicts with input as {"requests": _by_id} with data.registered_policy_sets as _registered
	by_id == inline
}

# The outcomes themselves, from the evaluation logic quoted above.
test_registered_sets_follow_the_evaluation_logic if {
	ds := authz.decisions with input as {"requests": [
		{"action": "cognito-idp:DeleteUserPool", "resource": _pool, "policy_set": _id(_sets[0])},
		{"action": "cognito-idp:DescribeUserPool", "resource": _pool, "policy_set": _id(_sets[0])},
		{"action": "cognito-idp:DescribeUserPool", "resource": _pool, "policy_set": _id(_sets[2])},
		{"action": "cognito-idp:DescribeUserPool", "resource": _pool, "policy_set": _id(_sets[3])},
		{"action": "cognito-sync:ListRecords", "resource": _sync, "policy_set": _id(_sets[4])},
		{"action": "cognito-idp:ListUsers", "resource": _pool, "principal": _me, "policy_set": _id(_sets[5])},
	]}
		with data.registered_policy_sets as _registered
	[d.decision | some d in ds] == ["explicit_deny", "allow", "implicit_deny", "implicit_deny", "allow", "allow"]
	ds[0].matched == [{"policy": "policies[1]", "statement": "NoDelete", "effect": "Deny"}]
}

test_a_policy_set_must_be_named_by_its_id if {
	ds := authz.decisions with input as {"requests": [
		{"action": "cognito-idp:ListUsers", "resource": _pool, "policy_set": 7},
		{"action": "cognito-idp:ListUsers", "resource": _pool, "policy_set": "mine"},
		{"action": "cognito-idp:ListUsers", "resource": _pool, "policy_set": _id({"unknown": true})},
		{"action": "cognito-idp:ListUsers", "resource": _pool, "policy_set": _id(_sets[0]), "policies": [_allow_all]},
		{"action": "cognito-idp:ListUsers", "resource": _pool, "policy_set": _id(_sets[0]), "context": 3},
	]}
		with data.registered_policy_sets as _registered
	[d.decision | some d in ds] == ["invalid", "invalid", "invalid", "invalid", "invalid"]
	[[e.code, e.field] | some e in ds[0].errors] == [["invalid_type", "policy_set"]]
	[[e.code, e.field] | some e in ds[1].errors] == [["invalid_policy_set", "policy_set"]]
	[[e.code, e.field] | some e in ds[2].errors] == [["unknown_policy_set", "policy_set"]]
	[[e.code, e.field] | some e in ds[3].errors] == [["not_with_policy_set", "policies"]]
	[[e.code, e.field] | some e in ds[4].errors] == [["invalid_type", "context"]]
}

test_a_long_malformed_id_is_quoted_shortened if {
	d := authz.decision with input as {"action": "cognito-idp:ListUsers", "resource": _pool, "policy_set": concat("", [
	"x" |
		some _ in numbers.range(1, 1000)
	])}
	count(d.errors) == 1
	count(d.errors[0].message) < 200
}

test_a_sidecar_without_registrations_answers_invalid if {
	d := authz.decision with input as {"action": "cognito-idp:ListUsers", "resource": _pool, "policy_set": _id(_sets[0])}
	d.decision == "invalid"
	d.errors[0].code == "unknown_policy_set"
}
