package cognito.validation_test

import data.cognito.validation

# Expectations: IAM User Guide, "IAM JSON policy element reference" and
# "IAM JSON policy grammar" (elements, their types and which are required),
# and the project contract for the request fields (DESIGN.md, "Contracts").

_ok := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "cognito-idp:*", "Resource": "*"}]}

_errors(r) := validation.request_errors(object.union({"action": "cognito-idp:ListUserPools", "resource": "*"}, r))

_codes(errors) := {[e.code, e.field] | some e in errors}

test_valid_request_has_no_errors if {
	count(_errors({"policies": [_ok], "context": {"aws:SourceIp": "10.0.0.1", "k": ["a", 1, true]}})) == 0
}

test_request_must_be_an_object if {
	_codes(validation.request_errors([1])) == {["invalid_request", ""]}
}

test_action_required_and_formed if {
	_codes(validation.request_errors({"resource": "*"})) == {["missing_action", "action"]}
	_codes(_errors({"action": 7})) == {["invalid_type", "action"]}
	_codes(_errors({"action": "ListUserPools"})) == {["invalid_action", "action"]}
	_codes(_errors({"action": "cognito-idp:List*"})) == {["invalid_action", "action"]}
}

test_resource_required_and_formed if {
	_codes(validation.request_errors({"action": "cognito-idp:ListUserPools"})) == {["missing_resource", "resource"]}
	_codes(_errors({"resource": ["*"]})) == {["invalid_type", "resource"]}
	_codes(_errors({"resource": "userpool/us-east-1_X"})) == {["invalid_resource", "resource"]}
	count(_errors({"resource": "arn:aws:s3:::bucket"})) == 0
}

test_field_types if {
	_codes(_errors({
		"policies": {}, "managed_policies": "AmazonCognitoReadOnly", "principal": 1, "principal_type": 2,
		"resource_account": 3, "permissions_boundary": [], "scps": {}, "session_policies": "x",
		"context": [], "resource_policy": "x",
	})) == {
		["invalid_type", "policies"], ["invalid_type", "managed_policies"], ["invalid_type", "principal"],
		["invalid_type", "principal_type"], ["invalid_type", "resource_account"],
		["invalid_type", "permissions_boundary"], ["invalid_type", "scps"], ["invalid_type", "session_policies"],
		["invalid_type", "context"], ["invalid_type", "resource_policy"],
	}
}

test_principal_type_values if {
	_codes(_errors({"principal_type": "Group"})) == {["invalid_principal_type", "principal_type"]}
	count(_errors({"principal_type": "Federated"})) == 0
}

test_managed_policy_names if {
	_codes(_errors({"managed_policies": [
		"AmazonCognitoReadOnly",
		"arn:aws:iam::aws:policy/AmazonCognitoPowerUser",
		"Nope",
		4,
	]})) == {
		["unknown_managed_policy", "managed_policies[2]"],
		["invalid_type", "managed_policies[3]"],
	}
}

test_context_values if {
	_codes(_errors({"context": {"a": {"x": 1}, "b": [{}], "c": null}})) == {
		["invalid_type", "context.a"], ["invalid_type", "context.b"], ["invalid_type", "context.c"],
	}
}

test_policy_document_shape if {
	_codes(_errors({"policies": [5]})) == {["invalid_type", "policies[0]"]}
	_codes(_errors({"policies": [{"Version": "2012-10-17"}]})) == {["missing_statement", "policies[0].Statement"]}
	_codes(_errors({"policies": [{"Statement": "x"}]})) == {["invalid_type", "policies[0].Statement"]}
	_codes(_errors({"policies": [{"Version": "2020-01-01", "Id": 3, "Extra": 1, "Statement": []}]})) == {
		["invalid_version", "policies[0].Version"], ["invalid_type", "policies[0].Id"],
		["unknown_element", "policies[0].Extra"],
	}
}

# Version may be absent or 2008-10-17 ("IAM JSON policy elements: Version").
test_old_or_missing_version_is_valid if {
	count(_errors({"policies": [
		{"Statement": _ok.Statement},
		{"Version": "2008-10-17", "Statement": _ok.Statement},
	]})) == 0
}

test_statement_elements if {
	p := {"Version": "2012-10-17", "Statement": [
		"x",
		{"Effect": "allow", "Action": "cognito-idp:*", "Resource": "*"},
		{"Action": "cognito-idp:*", "Resource": "*"},
		{"Effect": "Allow", "Action": "a:b", "NotAction": "c:d", "Resource": "*"},
		{"Effect": "Allow", "Resource": "*"},
		{"Effect": "Allow", "Action": "cognito-idp:*"},
		{"Effect": "Allow", "Action": "a:b", "Resource": "*", "NotResource": "*"},
		{"Sid": 1, "Effect": "Allow", "Action": "a:b", "Resource": "*", "Foo": 1},
	]}
	_codes(_errors({"policies": [p]})) == {
		["invalid_type", "policies[0].Statement[0]"],
		["invalid_effect", "policies[0].Statement[1].Effect"],
		["missing_effect", "policies[0].Statement[2].Effect"],
		["conflicting_elements", "policies[0].Statement[3]"],
		["missing_action", "policies[0].Statement[4]"],
		["missing_resource", "policies[0].Statement[5]"],
		["conflicting_elements", "policies[0].Statement[6]"],
		["invalid_type", "policies[0].Statement[7].Sid"],
		["unknown_element", "policies[0].Statement[7].Foo"],
	}
}

test_action_and_resource_values if {
	p := {"Statement": [
		{"Effect": "Allow", "Action": ["cognito-idp:List*", "ListUserPools", 3], "Resource": "*"},
		{"Effect": "Allow", "Action": [], "Resource": "*"},
		{"Effect": "Allow", "Action": "*", "NotResource": ["arn:aws:s3:::b", "bucket"]},
	]}
	_codes(_errors({"policies": [p]})) == {
		["invalid_type", "policies[0].Statement[0].Action"],
		["invalid_type", "policies[0].Statement[1].Action"],
		["invalid_resource_pattern", "policies[0].Statement[2].NotResource[1]"],
	}
	q := {"Statement": {"Effect": "Allow", "Action": "ListUserPools", "Resource": "bucket"}}
	_codes(_errors({"policies": [q]})) == {
		["invalid_action_pattern", "policies[0].Statement.Action"],
		["invalid_resource_pattern", "policies[0].Statement.Resource"],
	}
}

# "IAM JSON policy elements: Sid": Sids must be unique within a policy.
test_duplicate_sids if {
	s := {"Sid": "A", "Effect": "Allow", "Action": "a:b", "Resource": "*"}
	_codes(_errors({"policies": [{"Statement": [s, s]}]})) == {["duplicate_sid", "policies[0].Statement[1].Sid"]}
}

test_condition_errors if {
	p := {"Statement": {"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": "x"}}
	_codes(_errors({"policies": [p]})) == {["invalid_condition_block", "policies[0].Statement.Condition"]}
	q := {"Statement": [{
		"Effect": "Allow", "Action": "a:b", "Resource": "*",
		"Condition": {"StringEqualz": {"a": "b"}, "NumericLessThan": {"n": "x"}},
	}]}
	_codes(_errors({"policies": [q]})) == {
		["invalid_condition_operator", "policies[0].Statement[0].Condition.StringEqualz"],
		["invalid_condition_data_type", "policies[0].Statement[0].Condition.NumericLessThan.n"],
	}
}

# "AWS JSON policy elements: Principal": identity-based policies have no
# Principal; resource-based policies must name one.
test_principal_in_identity_policy if {
	p := {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "a:b", "Resource": "*"}}
	_codes(_errors({"policies": [p], "permissions_boundary": p})) == {
		["principal_not_allowed", "policies[0].Statement.Principal"],
		["principal_not_allowed", "permissions_boundary.Statement.Principal"],
	}
}

test_resource_policy_principal if {
	_codes(_errors({"resource_policy": {"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}})) == {
		["missing_principal", "resource_policy.Statement"],
	}
	both := {"Effect": "Allow", "Principal": "*", "NotPrincipal": {"AWS": "1"}, "Action": "a:b"}
	_codes(_errors({"resource_policy": {"Statement": both}})) == {["conflicting_elements", "resource_policy.Statement"]}
	bad := {"Statement": [
		{"Effect": "Allow", "Principal": {"Group": "x"}, "Action": "a:b"},
		{"Effect": "Allow", "Principal": {"AWS": []}, "Action": "a:b"},
		{"Effect": "Allow", "Principal": "everyone", "Action": "a:b"},
		{"Effect": "Allow", "NotPrincipal": {}, "Action": "a:b"},
	]}
	_codes(_errors({"resource_policy": bad})) == {
		["invalid_principal", "resource_policy.Statement[0].Principal"],
		["invalid_principal", "resource_policy.Statement[1].Principal"],
		["invalid_principal", "resource_policy.Statement[2].Principal"],
		["invalid_principal", "resource_policy.Statement[3].NotPrincipal"],
	}
	ok := {"Statement": {
		"Effect": "Allow",
		"Principal": {"Federated": "cognito-identity.amazonaws.com", "AWS": ["1", "2"]},
		"Action": "a:b",
	}}
	count(_errors({"resource_policy": ok})) == 0
}

test_scps_levels_and_session_policies if {
	_codes(_errors({"scps": [_ok, [_ok, 1], 2], "session_policies": [_ok, {}]})) == {
		["invalid_type", "scps[1][1]"],
		["invalid_type", "scps[2]"],
		["missing_statement", "session_policies[1].Statement"],
	}
}

# --- The quick check (_clean_request) must never call a request valid that
# the full check faults, and should recognise the ordinary valid requests.

_doc_a := {"Version": "2012-10-17", "Id": "a", "Statement": [
	{"Sid": "One", "Effect": "Allow", "Action": ["cognito-idp:List*", "cognito-idp:DescribeUserPool"], "Resource": "*"},
	{
		"Sid": "", "Effect": "Deny", "NotAction": "cognito-idp:Delete*",
		"NotResource": ["arn:aws:cognito-idp:*:*:userpool/x"],
	},
	{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b", "Condition": {"StringEquals": {"aws:username": "a"}}},
]}

_doc_b := {"Statement": {"Effect": "Allow", "Action": "cognito-identity:*", "Resource": "*"}}

_valid_requests := [
	{"action": "cognito-idp:ListUsers", "resource": "*"},
	{
		"action": "cognito-idp:ListUsers", "resource": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/x",
		"policies": [_doc_a, _doc_b], "session_policies": [_doc_b], "permissions_boundary": _doc_a,
		"scps": [_doc_b, [_doc_a, _doc_b]], "managed_policies": ["AmazonCognitoReadOnly"],
		"principal": "arn:aws:iam::111122223333:role/R", "principal_type": "AWS", "resource_account": "111122223333",
		"context": {"aws:SourceIp": "10.0.0.1", "k": ["a", 1, true]}, "not_in_contract": 1,
	},
]

_r := {"action": "cognito-idp:ListUsers", "resource": "*"}

_faulty_requests := [
	object.union(_r, {"policies": [object.union(_doc_a, {"Version": "2020-01-01"})]}),
	object.union(_r, {"policies": [object.union(_doc_a, {"Id": 1})]}),
	object.union(_r, {"policies": [object.union(_doc_a, {"Extra": 1})]}),
	object.union(_r, {"policies": [{"Version": "2012-10-17"}]}),
	object.union(_r, {"policies": [{"Statement": "x"}]}),
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": [{"Statement": [
		{"Sid": "S", "Effect": "Allow", "Action": "a:b", "Resource": "*"},
		{"Sid": "S", "Effect": "Allow", "Action": "a:b", "Resource": "*"},
	]}]},
	object.union(_r, {"policies": [{"Statement": [5]}]}),
	object.union(_r, {"policies": [{"Statement": {"Effect": "Allow", "Action": "bad", "Resource": "*"}}]}),
	object.union(_r, {"policies": [{"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}]}),
	object.union(_r, {"policies": [{"Statement": {"Effect": "Allow", "Action": "a:b", "Resource": "x"}}]}),
	object.union(_r, {"policies": [{"Statement": {"Effect": "Allow", "Action": "a:b"}}]}),
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": [{"Statement": {
		"Effect": "Allow", "Action": "a:b", "NotAction": "a:c", "Resource": "*",
	}}]},
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": [{"Statement": {
		"Effect": "Allow", "Action": "a:b", "Resource": "*", "Principal": "*",
	}}]},
	object.union(_r, {"policies": [{"Statement": {"Effect": "Maybe", "Action": "a:b", "Resource": "*"}}]}),
	object.union(_r, {"policies": [{"Statement": {"Sid": 1, "Effect": "Allow", "Action": "a:b", "Resource": "*"}}]}),
	{"action": "cognito-idp:ListUsers", "resource": "*", "policies": [{"Statement": {
		"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": {"Bogus": {"a": "b"}},
	}}]},
	object.union(_r, {"scps": [5]}),
	object.union(_r, {"scps": [[5]]}),
	object.union(_r, {"managed_policies": ["Nope"]}),
	object.union(_r, {"managed_policies": [1]}),
	object.union(_r, {"context": {"a": {"b": 1}}}),
	object.union(_r, {"principal_type": "Group"}),
	object.union(_r, {"principal": 1}),
	{"action": "cognito-idp:ListUsers", "resource": "x"},
	{"action": "cognito-idp:List*", "resource": "*"},
	{"action": "cognito-idp:ListUsers"},
	{"resource": "*"},
]

test_clean_requests_are_valid if {
	every r in _valid_requests {
		validation._clean_request(r)
		validation._all_errors(r) == set()
		validation.request_errors(r) == set()
	}
}

test_faulty_requests_are_not_clean if {
	every r in _faulty_requests {
		not validation._clean_request(r)
		count(validation._all_errors(r)) > 0
		validation.request_errors(r) == validation._all_errors(r)
	}
}

# A resource_policy always gets the full check.
test_resource_policy_gets_the_full_check if {
	trust := {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}
	r := {"action": "sts:AssumeRole", "resource": "arn:aws:iam::111122223333:role/R", "resource_policy": trust}
	not validation._clean_request(r)
	validation.request_errors(r) == set()
}

# --- Requests of string fields and a string context (the sidecar's usual request) are
# proved valid in one pass (quick.rego, _plain_request): at every limit they are valid,
# one character over a limit they get that limit's error, and a field of another form or
# type still gets its own error. Limits: cognito.limits.bounds (AWS's ARN length, the
# project's action, context key and value lengths).

_text(n) := concat("", ["a" | some _ in numbers.range(1, n)])

_at_length(prefix, n) := concat("", [prefix, _text(n - count(prefix))])

_arn_prefix := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/"

test_plain_requests_at_the_limits_are_valid if {
	r := {
		"action": _at_length("cognito-idp:L", 256),
		"resource": _at_length(_arn_prefix, 2048),
		"principal": _at_length("arn:aws:iam::111122223333:role/", 2048),
		"principal_type": "AWS",
		"context": {_text(256): _text(2048), "aws:SourceIp": "10.0.0.1"},
	}
	validation.request_errors(r) == set()
}

test_plain_requests_over_a_limit_get_its_error if {
	over := [
		[{"action": _at_length("cognito-idp:L", 257), "resource": "*"}, "action"],
		[{"action": "cognito-idp:ListUsers", "resource": _at_length(_arn_prefix, 2049)}, "resource"],
		[object.union(_r, {"principal": _text(2049)}), "principal"],
		[object.union(_r, {"context": {"k": _text(2049)}}), "context.k"],
	]
	every case in over {
		_codes(validation.request_errors(case[0])) == {["limit_exceeded", case[1]]}
	}
}

test_plain_shaped_requests_of_another_form_get_their_error if {
	_codes(validation.request_errors({"action": "ListUsers", "resource": "*"})) == {["invalid_action", "action"]}
	_codes(validation.request_errors(object.union(_r, {"principal_type": "Bogus"}))) == {[
		"invalid_principal_type",
		"principal_type",
	]}
	validation.request_errors(object.union(_r, {"context": {"k": 5, "l": ["a", true]}})) == set()
	count(validation.request_errors(object.union(_r, {"context": {"k": {"a": 1}}}))) == 1
}
