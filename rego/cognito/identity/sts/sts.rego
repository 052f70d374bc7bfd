# METADATA
# title: The STS step of an identity-pool session
# description: |
#   What STS checks when a role session is made from an identity-pool token
#   (by Cognito in the enhanced flow, by the client in the basic flow): the
#   role's trust policy must allow sts:AssumeRoleWithWebIdentity to the
#   Federated principal cognito-identity.amazonaws.com with the token's
#   context keys (aud: the pool ID; amr: "unauthenticated", or
#   "authenticated" and the login provider; sub: the identity ID), and, when
#   session tags are passed, sts:TagSession with the request tags. The trust
#   policy is evaluated by cognito.iam, as any resource_policy of a request
#   on a role. A refusal is InvalidIdentityPoolConfigurationException in the
#   enhanced flow (no fallback to another role) and STS's AccessDenied in the
#   basic flow. Also the session's principal and context keys.
#   Sources: reference/cognito/identity-pools.md sections 5 and 9 (S1, S3,
#   S9, S13, S15; session name CognitoIdentityCredentials, S19).
package cognito.identity.sts

import data.cognito.arn
import data.cognito.iam
import data.cognito.identity.errors
import data.cognito.identity.logins
import data.cognito.identity.tags

_web_identity := "cognito-identity.amazonaws.com"

# METADATA
# description: |
#   The identity-pool token's condition keys for facts c (lower-cased):
#   cognito-identity.amazonaws.com:aud, :amr and, when the identity ID is
#   given, :sub. A developer-authenticated identity's amr names the pool's
#   developer provider (A11).
token_context(c) := object.union(
	{
		"cognito-identity.amazonaws.com:aud": c.pool_id,
		"cognito-identity.amazonaws.com:amr": amr(c),
	},
	{"cognito-identity.amazonaws.com:sub": c.identity_id | is_string(c.identity_id)},
)

# METADATA
# description: |
#   The amr of the token: ["unauthenticated"] for a guest, else ["authenticated", PROVIDER] (S15, A11).
amr(c) := ["unauthenticated"] if {
	not c.authenticated
} else := ["authenticated", c.pool.DeveloperProviderName] if {
	logins.kind(c.pool, c.login_provider) == "developer"
} else := ["authenticated", c.login_provider]

_request(role_arn, trust_policy, action, context) := {
	"action": action,
	"resource": role_arn,
	"principal": _web_identity,
	"principal_type": "Federated",
	"resource_policy": trust_policy,
	"context": context,
}

# METADATA
# description: |
#   The evaluations STS makes for role_arn with its trust_policy, facts c and
#   session tags: a list of {"action", "evaluation"} (cognito.iam.evaluate),
#   sts:AssumeRoleWithWebIdentity first, then sts:TagSession when tags are
#   set.
evaluations(c, role_arn, trust_policy, session_tags) := [_evaluation(role_arn, trust_policy, action, context) |
	some [action, context] in array.concat(
		[["sts:AssumeRoleWithWebIdentity", token_context(c)]],
		[["sts:TagSession", object.union(token_context(c), tags.request_context(session_tags))] |
			count(session_tags) > 0
		],
	)
]

_evaluation(role_arn, trust_policy, action, context) := {
	"action": action,
	"evaluation": iam.evaluate(_request(role_arn, trust_policy, action, context)),
}

# METADATA
# description: |
#   The refusal of the STS step (see cognito.identity.errors); undefined when
#   the trust policy allows every evaluation.
refusal(c, role_arn, trust_policy, session_tags) := _refusal(c.flow, e.action, role_arn, e.evaluation) if {
	failed := [e |
		some e in evaluations(c, role_arn, trust_policy, session_tags)
		not e.evaluation.allowed
	]
	e := failed[0]
}

_refusal("enhanced", action, role_arn, evaluation) := errors.invalid_configuration(sprintf(
	"STS refused %s on %s: %s (S9: the role trust policy must grant it to cognito-identity.amazonaws.com)",
	[action, role_arn, evaluation.reason],
))

_refusal("basic", action, role_arn, evaluation) := errors.access_denied(
	action,
	sprintf("STS refused %s on %s: %s", [action, role_arn, evaluation.reason]),
)

# METADATA
# description: |
#   The role session's principal: arn:PARTITION:sts::ACCOUNT:assumed-role/
#   ROLE_NAME/CognitoIdentityCredentials (the session name is observed, S19).
session_principal(role_arn) := sprintf("arn:%s:sts::%s:assumed-role/%s/CognitoIdentityCredentials", [
	parsed.partition, parsed.account, path[count(path) - 1],
]) if {
	parsed := arn.parse(role_arn)
	path := split(parsed.resource, "/")
}

# METADATA
# description: |
#   The condition keys of the role session (lower-cased): the token's keys and aws:principaltag/KEY.
session_context(c, session_tags) := object.union(token_context(c), tags.session_context(session_tags))
