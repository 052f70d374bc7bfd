package system.authz_test

import data.system.authz

_token := "s3cret-token-for-tests"

_config := {"config": {"pycognito_opa": {"token_sha256": crypto.sha256(_token)}}}

_decision := {"method": "POST", "path": ["v1", "data", "cognito", "authz", "decision"], "params": {}}

_decisions := {"method": "POST", "path": ["v1", "data", "cognito", "authz", "decisions"], "params": {}}

_verdict := {"method": "POST", "path": ["v1", "data", "cognito", "authz", "verdict"], "params": {}}

_verdicts := {"method": "POST", "path": ["v1", "data", "cognito", "authz", "verdicts"], "params": {}}

_health := {"method": "GET", "path": ["health"], "params": {"bundles": [""]}}

test_decision_queries_are_allowed if {
	authz.allow.allowed with input as _decision
	authz.allow.allowed with input as _decisions
}

test_verdict_queries_are_allowed if {
	authz.allow.allowed with input as _verdict
	authz.allow.allowed with input as _verdicts
	not authz.allow.allowed with input as object.union(_verdict, {"method": "GET"})
	not authz.allow.allowed with input as object.union(_verdicts, {"params": {"explain": ["full"]}})
	not authz.allow.allowed with input as object.union(_verdict, {"identity": "wrong"}) with opa.runtime as _config
	authz.allow.allowed with input as object.union(_verdicts, {"identity": _token}) with opa.runtime as _config
}

test_verdict_batches_over_10000_requests_are_refused if {
	over := object.union(_verdicts, {"body": {"input": {"requests": [{} | some _ in numbers.range(1, 10001)]}}})
	not authz.allow.allowed with input as over
}

test_provenance_is_allowed_on_decision_queries if {
	authz.allow.allowed with input as object.union(_decision, {"params": {"provenance": [""]}})
}

test_health_checks_are_allowed if {
	authz.allow.allowed with input as _health
	authz.allow.allowed with input as {"method": "GET", "path": ["health"], "params": {}}
}

test_writes_are_refused if {
	every method in ["PUT", "PATCH", "DELETE"] {
		every path in [["v1", "policies", "x"], ["v1", "data", "cognito", "authz", "decision"], ["v1", "data"]] {
			not authz.allow.allowed with input as {"method": method, "path": path, "params": {}}
		}
	}
}

test_other_reads_are_refused if {
	every path in [
		["v1", "data"], ["v1", "data", "cognito"], ["v1", "policies"], ["v1", "config"],
		["v1", "status"], ["metrics"], ["v1", "data", "cognito", "authz", "decision"],
	] {
		not authz.allow.allowed with input as {"method": "GET", "path": path, "params": {}}
	}
}

test_other_queries_are_refused if {
	every path in [
		[""], ["v1", "data"], ["v1", "query"], ["v1", "compile"], ["v0", "data", "cognito", "authz", "decision"],
		["v1", "data", "cognito", "authz", "decision", ""], ["v1", "data", "cognito", "store"],
	] {
		not authz.allow.allowed with input as {"method": "POST", "path": path, "params": {}}
	}
}

test_refusal_names_the_request if {
	verdict := authz.allow with input as {"method": "PUT", "path": ["v1", "policies", "p"], "params": {}}
	startswith(verdict.reason, "PUT /v1/policies/p is refused")
}

test_explain_is_refused_on_decision_queries if {
	verdict := authz.allow with input as object.union(_decision, {"params": {"explain": ["full"]}})
	not verdict.allowed
	verdict.reason == `query parameter "explain" is refused on decision queries`
}

test_unknown_health_parameters_are_refused if {
	not authz.allow.allowed with input as {"method": "GET", "path": ["health"], "params": {"x": [""]}}
}

test_token_is_required_when_configured if {
	verdict := authz.allow with input as _decision with opa.runtime as _config
	not verdict.allowed
	contains(verdict.reason, "bearer token")
}

test_wrong_token_is_refused if {
	not authz.allow.allowed with input as object.union(_decision, {"identity": "wrong"})
		with opa.runtime as _config
}

test_right_token_is_accepted if {
	authz.allow.allowed with input as object.union(_decisions, {"identity": _token})
		with opa.runtime as _config
}

test_health_needs_no_token if {
	authz.allow.allowed with input as _health with opa.runtime as _config
}

test_token_does_not_open_other_paths if {
	not authz.allow.allowed with input as {"method": "GET", "path": ["v1", "data"], "params": {}, "identity": _token}
		with opa.runtime as _config
}

test_bearer_scheme_is_case_insensitive if {
	every scheme in ["bearer", "BEARER", "BeArEr"] {
		request := object.union(_decision, {"headers": {"Authorization": [sprintf("%s %s", [scheme, _token])]}})
		authz.allow.allowed with input as request with opa.runtime as _config
	}
}

test_a_wrong_token_in_any_case_is_refused if {
	request := object.union(_decision, {"headers": {"Authorization": ["bearer wrong"]}})
	not authz.allow.allowed with input as request with opa.runtime as _config
	basic := object.union(_decision, {"headers": {"Authorization": [sprintf("Basic %s", [_token])]}})
	not authz.allow.allowed with input as basic with opa.runtime as _config
}

test_opas_identity_comes_first if {
	header := {"Authorization": [sprintf("bearer %s", [_token])]}
	request := object.union(_decision, {"identity": "wrong", "headers": header})
	not authz.allow.allowed with input as request with opa.runtime as _config
}

test_batches_over_10000_requests_are_refused if {
	at_limit := object.union(_decisions, {"body": {"input": {"requests": [{} | some _ in numbers.range(1, 10000)]}}})
	authz.allow.allowed with input as at_limit
	over := object.union(_decisions, {"body": {"input": {"requests": [{} | some _ in numbers.range(1, 10001)]}}})
	verdict := authz.allow with input as over
	not verdict.allowed
	contains(verdict.reason, "10001 decision requests")
}

_owner_token := "the-owner-token-of-an-engine"

_owner_config := {"config": {"pycognito_opa": {"owner_token_sha256": crypto.sha256(_owner_token)}}}

_data_put := {"method": "PUT", "path": ["v1", "data", "registered_policy_sets", "sha256:ab"], "params": {}}

_any_query := {"method": "POST", "path": ["v1", "data", "cognito", "registration", "result"], "params": {}}

test_the_owner_may_write_data_and_query_anything if {
	every request in [_data_put, _any_query, {"method": "PUT", "path": ["v1", "policies", "x"], "params": {}}] {
		verdict := authz.allow with input as object.union(request, {"identity": _owner_token})
			with opa.runtime as _owner_config
		verdict == {"allowed": true, "reason": ""}
	}
}

test_the_owner_token_is_read_as_the_sidecar_token_is if {
	every scheme in ["Bearer", "bearer", "BEARER"] {
		request := object.union(_data_put, {"headers": {"Authorization": [sprintf("%s %s", [scheme, _owner_token])]}})
		authz.allow.allowed with input as request with opa.runtime as _owner_config
	}
}

test_the_owner_hash_may_be_upper_case if {
	config := {"config": {"pycognito_opa": {"owner_token_sha256": upper(crypto.sha256(_owner_token))}}}
	authz.allow.allowed with input as object.union(_data_put, {"identity": _owner_token}) with opa.runtime as config
}

test_an_owned_opa_refuses_everyone_else if {
	every request in [_data_put, _any_query, _decision, _verdicts, _health] {
		every identity in [{}, {"identity": "wrong"}, {"identity": _token}] {
			verdict := authz.allow with input as object.union(request, identity) with opa.runtime as _owner_config
			not verdict.allowed
			startswith(verdict.reason, "this OPA answers only the Engine that started it")
		}
	}
}

test_a_wrong_owner_token_in_the_header_is_refused if {
	request := object.union(_data_put, {"headers": {"Authorization": ["bearer wrong"]}})
	not authz.allow.allowed with input as request with opa.runtime as _owner_config
}

test_a_sidecar_token_opens_no_writes if {
	every request in [_data_put, _any_query] {
		verdict := authz.allow with input as object.union(request, {"identity": _token}) with opa.runtime as _config
		not verdict.allowed
		contains(verdict.reason, "is refused: this sidecar answers only")
	}
}

test_the_owner_token_means_nothing_to_a_sidecar if {
	not authz.allow.allowed with input as object.union(_data_put, {"identity": _owner_token})
	not authz.allow.allowed with input as object.union(_data_put, {"identity": _owner_token})
		with opa.runtime as _config
}

test_without_an_owner_the_sidecar_rules_decide if {
	authz.allow == {"allowed": true, "reason": ""} with input as _decision
	authz.allow.allowed with input as object.union(_decision, {"identity": _token}) with opa.runtime as _config
	not authz.allow.allowed with input as _decision with opa.runtime as _config
	not authz.allow.allowed with input as _data_put
}
