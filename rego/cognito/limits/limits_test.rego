package cognito.limits_test

import data.cognito.limits
import data.cognito.validation
import data.cognito.variables

# Expectations: AWS's documented maximum sizes (IAM User Guide, "IAM and AWS STS
# quotas"; AWS Organizations User Guide, "Quotas for AWS Organizations"; AWS STS
# API Reference, AssumeRole) and pycognito-opa's own limits (README, "Limits").

_pool := "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"

_base := {"action": "cognito-idp:DescribeUserPool", "resource": concat("", [_pool, "us-east-1_abc"])}

_req(r) := object.union(_base, r)

_fields(r) := {e.field | some e in limits.errors(_req(r))}

_codes(r) := {e.code | some e in limits.errors(_req(r))}

_s(n) := concat("", ["a" | some _ in numbers.range(1, n)])

# A policy document whose compact JSON is exactly n characters.
_doc(n) := {"Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*", "Sid": _s(n - 71)}}

_statement(r) := {"Effect": "Allow", "Action": "cognito-idp:*", "Resource": r}

_pdoc(statement) := {"Version": "2012-10-17", "Statement": [statement]}

test_documents_are_measured_as_compact_json if {
	count(json.marshal(_doc(10240))) == 10240
	limits._json_characters(json.marshal({"a": "<&>"})) == count(`{"a":"<&>"}`)
}

test_a_small_request_is_within_every_limit if {
	count(limits.errors(_req({"policies": [_pdoc(_statement("*"))], "context": {"aws:username": "alice"}}))) == 0
	count(limits.errors({})) == 0
	count(limits.errors({"policies": "x", "context": [], "scps": 1, "session_policies": {}, "managed_policies": 2})) == 0
}

test_document_size_per_kind if {
	every field, n in {"policies": 10240, "session_policies": 6144} {
		count(limits.errors(_req({field: [_doc(n)]}))) == 0
		_fields({field: [_doc(n + 1)]}) == {sprintf("%s[0]", [field])}
	}
	every field, n in {"permissions_boundary": 6144, "resource_policy": 8192} {
		count(limits.errors(_req({field: _doc(n)}))) == 0
		_fields({field: _doc(n + 1)}) == {field}
	}
	count(limits.errors(_req({"scps": [[_doc(5120)], _doc(5120)]}))) == 0
	_fields({"scps": [[_doc(5121)], _doc(5121)]}) == {"scps[0][0]", "scps[1]"}
	_codes({"policies": [_doc(10241)]}) == {"limit_exceeded"}
}

test_documents_together if {
	count(limits.errors(_req({"policies": [_doc(10240) | some _ in numbers.range(1, 16)]}))) == 0
	_fields({"policies": [_doc(10240) | some _ in numbers.range(1, 17)]}) == {"policies"}
}

test_string_fields if {
	count(limits.errors(_req({"resource": concat("", [_pool, _s(2048 - count(_pool))])}))) == 0
	_fields({"resource": concat("", [_pool, _s(2049 - count(_pool))])}) == {"resource"}
	_fields({"principal": _s(2049)}) == {"principal"}
	_fields({"action": concat("", ["cognito-idp:", _s(245)])}) == {"action"}
	count(limits.errors(_req({"action": concat("", ["cognito-idp:", _s(244)])}))) == 0
}

test_context if {
	_fields({"context": {"k": _s(2049)}}) == {"context.k"}
	_fields({"context": {"k": [_s(2048), _s(2049)]}}) == {"context.k"}
	count(limits.errors(_req({"context": {"k": [_s(2048)]}}))) == 0
	_fields({"context": {"k": ["a" | some _ in numbers.range(1, 257)]}}) == {"context.k"}
	_fields({"context": {_s(257): "v"}}) == {concat("", ["context.", _s(64)])}
	_fields({"context": {sprintf("k%d", [i]): 1 | some i in numbers.range(1, 257)}}) == {"context"}
}

test_counts if {
	_fields({"managed_policies": ["p" | some _ in numbers.range(1, 121)]}) == {"managed_policies"}
	_fields({"managed_policies": [_s(2049)]}) == {"managed_policies[0]"}
	_fields({"session_policies": [{} | some _ in numbers.range(1, 12)]}) == {"session_policies"}
	_fields({"scps": [[] | some _ in numbers.range(1, 8)]}) == {"scps"}
	_fields({"scps": [[{} | some _ in numbers.range(1, 6)]]}) == {"scps[0]"}
	count(limits.errors(_req({"scps": [[{} | some _ in numbers.range(1, 5)] | some _ in numbers.range(1, 7)]}))) == 0
}

test_strings_in_documents if {
	long := concat("", [_pool, _s(2049 - count(_pool))])
	_fields({"policies": [_pdoc(_statement(["*", long]))]}) == {"policies[0].Statement[0].Resource[1]"}
	cond := object.union(_statement("*"), {"Condition": {"StringEquals": {"aws:username": _s(2049)}}})
	_fields({"policies": [_pdoc(cond)]}) == {"policies[0].Statement[0].Condition.StringEquals.aws:username"}
	vars := concat("", [_pool, concat("", ["${aws:username}" | some _ in numbers.range(1, 17)])])
	_fields({"policies": [{"Statement": _statement(vars)}]}) == {"policies[0].Statement.Resource"}
	sixteen := concat("", [_pool, concat("", ["${aws:username}" | some _ in numbers.range(1, 16)])])
	count(limits.errors(_req({"policies": [{"Statement": _statement(sixteen)}]}))) == 0
}

test_match_work_counts_patterns_times_their_texts if {
	# "cognito-idp:*" (13) against the action (28), the pattern (60) against the resource (65).
	pattern := concat("", [_pool, "us-east-1_*"])
	r := _req({"policies": [_pdoc(_statement(pattern))]})
	limits.match_work(r) == (13 * (28 + 256)) + (count(pattern) * (65 + 256))

	# A literal resource is compared, not matched.
	limits.match_work(_req({"policies": [_pdoc(object.union(_statement(_base.resource), {"Action": "x:y"}))]})) == 0
}

test_match_work_of_conditions_and_variables if {
	statement := object.union(_statement(_base.resource), {
		"Action": "x:y",
		"Condition": {"StringLike": {"AWS:UserName": "a*", "other": "b*"}},
	})
	r := _req({"policies": [_pdoc(statement)], "context": {"aws:username": "alice"}, "principal": "p"})
	limits.match_work(r) == (2 * ((5 + 1) + 256)) + (2 * (1 + 256))
	by_variable := _pdoc(object.union(_statement("${aws:username}"), {"Action": "x:y"}))
	variable := _req({"policies": [by_variable], "context": {"aws:username": "alice"}})
	limits.match_work(variable) == (count("${aws:username}") + 5) * (65 + 256)
}

test_the_work_budget_names_the_costliest_pattern if {
	resource := concat("", [_pool, _s(2048 - count(_pool))])
	half := concat("", [_pool, concat("", ["*?" | some _ in numbers.range(1, 830)])])
	within := _req({"resource": resource, "policies": [_pdoc(_statement([half, concat("", [half, "x"])]))]})
	limits.match_work(within) <= limits.bounds.match_work
	count(limits.errors(within)) == 0
	patterns := [half, concat("", [half, "x"]), concat("", [half, "yy"])]
	three := {"resource": resource, "policies": [_pdoc(_statement(patterns))]}
	limits.match_work(_req(three)) > limits.bounds.match_work
	_fields(three) == {"policies[0].Statement[0].Resource[2]"}
}

test_validation_reports_only_the_limits if {
	errors := validation.request_errors(_req({
		"policies": [{"Version": "1999", "Statement": "x"}, _doc(10241)],
	}))
	{[e.code, e.field] | some e in errors} == {["limit_exceeded", "policies[1]"]}
}

test_expanded_patterns_past_4096_characters_match_nothing if {
	ctx := {"v": _s(2000)}
	pattern := "${v}${v}${v}*"
	not variables.string_like(pattern, concat("", [_s(6000)]), ctx)
	variables.string_like("${v}${v}*", concat("", [_s(4000), "tail"]), ctx)
	not variables.resource_matches(concat("", [_pool, pattern]), concat("", [_pool, _s(6000)]), ctx)
	variables.resource_matches(concat("", [_pool, "${v}*"]), concat("", [_pool, _s(2001)]), ctx)
}
