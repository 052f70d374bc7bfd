# METADATA
# title: Sidecar API authorization
# description: |
#   The administrative policy of a hardened pycognito-opa sidecar. OPA consults it for every
#   HTTP request when it runs with --authorization=basic. It lets through decision queries
#   (POST /v1/data/cognito/authz/decision and POST /v1/data/cognito/authz/decisions, and
#   their short forms POST /v1/data/cognito/authz/verdict and .../verdicts) and
#   health checks (GET /health), and refuses everything else: policy and data writes, other
#   reads of the data and policy APIs, ad-hoc queries, compile, config, status and metrics.
#   When the sidecar's configuration holds pycognito_opa.token_sha256, decision queries must
#   carry the bearer token whose SHA-256 (hex) that is; OPA then runs with
#   --authentication=token, which passes the token to this policy as input.identity. OPA
#   reads only "Bearer TOKEN" spelt so; RFC 7235 makes the scheme case-insensitive, so this
#   policy also reads "bearer TOKEN" (any case) from the Authorization header itself.
#   A batch of more than 10,000 decision requests (the client's own largest batch) is
#   refused: a query's work grows with its number of requests.
#   The policy ships inside the signed bundle, so a fleet's access rules are as authentic as
#   its decision rules; until a bundle is active OPA finds no policy here and refuses all.
#   The OPA an Engine starts (the embedded default) is owned by that Engine: its configuration
#   holds pycognito_opa.owner_token_sha256, the SHA-256 of a random token only the Engine
#   knows. A request bearing that token may do anything (decisions, the analyses' queries,
#   registering policy sets in the Data API, health); every other request is refused. A
#   sidecar's configuration never holds that key, so the rules above are all it applies.
package system.authz

# METADATA
# description: |
#   OPA's authorization decision for the HTTP request in input: allowed, and the reasons
#   OPA returns to the caller (status 401) when the request is refused. An OPA with an
#   owner answers its owner alone; a sidecar applies its rules.
# entrypoint: true
allow := {"allowed": true, "reason": ""} if {
	_owner
} else := {"allowed": false, "reason": _not_owner} if {
	_owner_configured
} else := {"allowed": count(_refusals) == 0, "reason": concat("; ", sort(_refusals))}

_not_owner := concat(" ", [
	"this OPA answers only the Engine that started it:",
	"requests need its owner token (Authorization: Bearer TOKEN)",
])

_decision_paths := {
	["v1", "data", "cognito", "authz", "decision"],
	["v1", "data", "cognito", "authz", "decisions"],
	["v1", "data", "cognito", "authz", "verdict"],
	["v1", "data", "cognito", "authz", "verdicts"],
}

# Query parameters that change only how a decision is reported: not explain or instrument.
_decision_params := {"pretty", "provenance", "metrics"}

_health_params := {"bundles", "plugins", "exclude-plugin"}

_answers := concat(" ", [
	"this sidecar answers only POST /v1/data/cognito/authz/decision,",
	"POST /v1/data/cognito/authz/decisions, POST /v1/data/cognito/authz/verdict,",
	"POST /v1/data/cognito/authz/verdicts and GET /health",
])

_decision_query if {
	input.method == "POST"
	input.path in _decision_paths
}

_health_check if {
	input.method == "GET"
	input.path == ["health"]
}

_refusals contains msg if {
	not _decision_query
	not _health_check
	msg := sprintf("%s /%s is refused: %s", [input.method, concat("/", input.path), _answers])
}

_refusals contains msg if {
	_decision_query
	some name, _ in input.params
	not name in _decision_params
	msg := sprintf("query parameter %q is refused on decision queries", [name])
}

_refusals contains msg if {
	_health_check
	some name, _ in input.params
	not name in _health_params
	msg := sprintf("query parameter %q is refused on health checks", [name])
}

_refusals contains "decision queries need this sidecar's bearer token (Authorization: Bearer TOKEN)" if {
	_decision_query
	_token_required
	not _token_valid
}

_refusals contains msg if {
	_decision_query
	requests := input.body.input.requests
	is_array(requests)
	count(requests) > _max_batch
	msg := sprintf("a batch of %d decision requests is refused: at most %d per query", [count(requests), _max_batch])
}

# The most requests a decision batch may hold: pycognito_opa.Limits.max_batch.
_max_batch := 10000

_token_required if opa.runtime().config.pycognito_opa.token_sha256

# The configuration is read first: a sidecar, which has no owner, never hashes a token here.
_owner_configured if opa.runtime().config.pycognito_opa.owner_token_sha256

_owner if {
	_owner_configured
	_presents("owner_token_sha256")
}

_token_valid if _presents("token_sha256")

# The request bears the token whose SHA-256 the configuration holds under pycognito_opa[key].
_presents(key) if crypto.sha256(_presented_token) == lower(opa.runtime().config.pycognito_opa[key])

# The bearer token of the request: OPA's reading of "Bearer TOKEN", else the first
# Authorization header read with the scheme in any case (RFC 7235, section 2.1).
_presented_token := input.identity if {
	is_string(input.identity)
} else := token if {
	some match in regex.find_all_string_submatch_n(_bearer, input.headers.Authorization[0], 1)
	token := match[1]
}

_bearer := `^[Bb][Ee][Aa][Rr][Ee][Rr]\s+(\S+)\s*$`
