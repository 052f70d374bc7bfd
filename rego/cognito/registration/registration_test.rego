package cognito.registration_test

import data.cognito.registration

_allow := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "cognito-idp:*", "Resource": "*"}]}

test_a_valid_set_is_compiled_by_kind if {
	out := registration.outcome({"policies": [_allow], "session_policies": [_allow], "scps": [[_allow], _allow]})
	out.entry.fields.policies == [_allow]
	[[x.policy, x.statement, x.effect] | some x in out.entry.compiled.identity["000000"]] == [["policies[0]", 0, "Allow"]]
	out.entry.index.actions["cognito-idp:listusers"].prefix[""] == [["000000", 0]]
	out.entry.compiled.boundary == null
	[[x.policy | some x in level] | some level in out.entry.compiled.scps] == [["scps[0][0]"], ["scps[1]"]]
	[x.policy | some x in out.entry.compiled.session] == ["session_policies[0]"]
}

test_an_empty_set_registers_with_no_statements if {
	registration.outcome({}).entry.compiled == {"identity": {}, "boundary": null, "scps": [], "session": null}
}

# A set is validated as the same fields of a request ("IAM JSON policy
# element reference": Effect is Allow or Deny), and holds only those fields.
test_an_invalid_set_gets_its_errors_with_fields_named if {
	out := registration.outcome({
		"policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}],
		"action": "cognito-idp:ListUsers",
	})
	not out.entry
	{e.field | some e in out.errors} == {"action", "policies[0].Statement[0].Effect"}
}

test_a_set_must_be_an_object if {
	registration.outcome([_allow]).errors == [{
		"code": "invalid_policy_set",
		"field": "",
		"message": "a policy set must be a JSON object",
	}]
}

test_an_unknown_managed_policy_is_refused if {
	[e.code | some e in registration.outcome({"managed_policies": ["NoSuchPolicy"]}).errors] == ["unknown_managed_policy"]
}

test_the_entry_point_reads_input if {
	registration.result.entry.fields == {"policies": [_allow]} with input as {"policies": [_allow]}
}
