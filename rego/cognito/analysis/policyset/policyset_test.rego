# METADATA
# description: |
#   Tests for cognito.analysis.policyset: a request that carries only the
#   statements that can apply gets the decision IAM's evaluation gives the
#   whole set (IAM User Guide, "Policy evaluation logic": statements that do
#   not match the request play no part; an explicit Deny overrides an Allow),
#   with the statements named after their policies.
package cognito.analysis.policyset_test

import data.cognito.analysis.policyset
import data.cognito.authz

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_A"

_other_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_B"

_set := {"policies": [
	{"name": "admins.json", "document": {"Version": "2012-10-17", "Statement": [
		{"Sid": "ReadAll", "Effect": "Allow", "Action": "cognito-idp:List*", "Resource": "*"},
		{"Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": _pool},
		{"Effect": "Deny", "NotAction": "cognito-idp:ListUsers", "NotResource": _pool},
	]}},
	{"name": "tagged.json", "document": {"Statement": {
		"Effect": "Allow", "Action": "cognito-idp:AdminDeleteUser", "Resource": "*",
		"Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}},
	}}},
]}

test_index if {
	idx := policyset.index(_set)
	idx.names == ["admins.json", "tagged.json"]
	idx.versions == [{"Version": "2012-10-17"}, {}]
	idx.naming["cognito-idp:ListUsers"] == [[0, 0]]
	idx.naming["cognito-idp:AdminDeleteUser"] == [[0, 1], [0, 2], [1, 0]]
	idx.universal["cognito-idp:AdminDeleteUser"] == [[1, 0]]
	idx.prefixes[""] == [[0, 2]]
	idx.prefixes[_pool] == [[0, 1]]
	idx.dependent == {[1, 0]}
	idx.narrow[_pool] == {["cognito-idp", "userpool"]}
}

test_index_of_nothing if {
	policyset.index({"policies": "junk"}).names == []
	policyset.index({"policies": [{"name": "x", "document": "junk"}]}).statements == [[]]
}

test_relevant_statements if {
	idx := policyset.index(_set)
	policyset.relevant(idx, "cognito-idp:AdminDeleteUser", _pool, null) == [[0, 1], [0, 2], [1, 0]]
	policyset.relevant(idx, "cognito-idp:AdminDeleteUser", _other_pool, null) == [[0, 2], [1, 0]]
	policyset.relevant(idx, "cognito-idp:AdminDeleteUser", _other_pool, []) == [[0, 2]]
	policyset.relevant(idx, "cognito-sync:ListRecords", "*", null) == [[0, 2]]
	policyset.relevant(idx, "cognito-idp:ListUsers", "*", null) == [[0, 0]]
	policyset.relevant(idx, "cognito-idp:Nothing", "*", null) == []
}

# The decisions match cognito.authz.decide on the whole set; statements are named after their policies.
test_decide_as_on_the_whole_set if {
	idx := policyset.index(_set)
	docs := [p.document | some p in _set.policies]
	every act in ["cognito-idp:AdminDeleteUser", "cognito-idp:ListUsers", "cognito-idp:ListGroups"] {
		every resource in [_pool, _other_pool] {
			policyset.decide(idx, _set, act, resource, null).decision == authz.decide({
				"action": act, "resource": resource, "policies": docs,
			}).decision
		}
	}
	policyset.decide(idx, _set, "cognito-idp:AdminDeleteUser", _other_pool, null) == {
		"allowed": false, "decision": "explicit_deny",
		"matched": [{"policy": "admins.json", "statement": 2, "effect": "Deny"}],
	}
	policyset.decide(idx, _set, "cognito-idp:ListUsers", _other_pool, null).matched == [
		{"policy": "admins.json", "statement": "ReadAll", "effect": "Allow"},
	]
}

test_managed_policies_keep_their_names if {
	managed := {"managed_policies": ["AmazonCognitoReadOnly"]}
	policyset.decide(policyset.index(managed), managed, "cognito-idp:ListUsers", _pool, null).matched == [
		{"policy": "AmazonCognitoReadOnly", "statement": 0, "effect": "Allow"},
	]
	policyset.base(managed) == managed
	policyset.account(managed) == ""
	idx := policyset.index(managed)
	[idx.names, idx.inline] == [["AmazonCognitoReadOnly"], 0]
	policyset.relevant(idx, "cognito-idp:ListUsers", _pool, null) == []
}

# A Deny on "*" decides every resource; an unconditional Allow on "*" too.
test_representatives if {
	pset := {"policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": "*"},
		{"Effect": "Allow", "Action": "cognito-idp:List*", "Resource": "*"},
		{
			"Effect": "Deny", "Action": "cognito-idp:ListUsers", "Resource": "*",
			"Condition": {"Bool": {"aws:SecureTransport": "false"}},
		},
		{"Effect": "Deny", "Action": "cognito-idp:*", "Resource": "*"},
	]}}]}
	idx := policyset.index(pset)
	policyset.representatives(idx, pset, "cognito-idp:ListUsers", _pool) == {[0, 0], [0, 3]}
	policyset.representatives(idx, pset, "cognito-idp:ListUsers", _pool) == {[0, 0], [0, 3]}
}

test_set_errors if {
	statement := {"Effect": "Maybe", "Action": "cognito-idp:ListUsers", "Resource": "*"}
	bad := {"policies": [{"name": "bad.json", "document": {"Statement": [statement]}}]}
	[[e.code, e.field] | some e in policyset.set_errors(bad)] == [["invalid_effect", "bad.json: Statement[0].Effect"]]
	unnamed := {"policies": [{"document": "junk"}]}
	[e.field | some e in policyset.set_errors(unnamed)] == ["policies[0]"]
	wildcard := {"resource": "arn:aws:cognito-idp:*:*:userpool/*"}
	[e.code | some e in policyset.set_errors(wildcard)] == ["resource_pattern"]
	[e.code | some e in policyset.set_errors({"resource": "arn:aws:s3:::bucket"})] == ["unknown_resource_type"]
	[e.code | some e in policyset.set_errors({"resource": "userpool"})] == ["invalid_resource", "unknown_resource_type"]
	nobody := {"principal": "arn:aws:iam::111122223333:role/Nobody"}
	[e.code | some e in policyset.set_errors(nobody)] == ["principal_not_stored"]
	policyset.set_errors({"managed_policies": ["AmazonCognitoReadOnly"], "resource": _pool}) == []
}

test_principal_account if {
	store := {"arn:aws:iam::111122223333:role/Admins": {"policies": {}, "managed_policies": ["AmazonCognitoReadOnly"]}}
	pset := {"principal": "arn:aws:iam::111122223333:role/Admins"}
	policyset.account(pset) == "111122223333"

	errors := policyset.set_errors(pset) with data.cognito.store.principals as store
	errors == []
}
