# METADATA
# title: Lint rules
# description: |
#   The lint rules as data: for each rule id its severity ("error",
#   "warning" or "info"), what it finds (one line) and the document that
#   explains why. The findings themselves come from the packages under
#   cognito.analysis.lint.rules; cognito.analysis.lint gives each finding the
#   severity written here.
package cognito.analysis.lint.config

_iam := "https://docs.aws.amazon.com/IAM/latest/UserGuide"

_checks := sprintf("%s/access-analyzer-reference-policy-checks.html", [_iam])

_seed := "https://docs.aws.amazon.com/cognito/latest/developerguide/resource-permissions.html"

_rbac := "https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html"

_authorization_reference := concat("/", [
	"https://docs.aws.amazon.com/service-authorization/latest/reference",
	"reference_policies_actions-resources-contextkeys.html",
])

# METADATA
# description: Severities from most to least serious, with their rank (for --fail-on).
severities := {"error": 3, "warning": 2, "info": 1}

# METADATA
# description: Every lint rule by id - {"severity", "summary", "source"}.
rules := {
	"invalid-policy": {
		"severity": "error",
		"summary": concat(" ", [
			"The document is not a valid identity-based IAM policy",
			"(element, Effect, Action, Resource or Condition errors).",
		]),
		"source": sprintf("%s/reference_policies_grammar.html", [_iam]),
	},
	"unknown-action": {
		"severity": "error",
		"summary": "An Action names no action of a Cognito service (a typo); the closest names are suggested.",
		"source": _checks,
	},
	"wildcard-matches-nothing": {
		"severity": "error",
		"summary": "A wildcard Action pattern of a Cognito service matches no catalogued action.",
		"source": _checks,
	},
	"ungoverned-only": {
		"severity": "warning",
		"summary": "All the statement's Cognito actions are APIs IAM does not govern (unsigned): it has no effect.",
		"source": _seed,
	},
	"ungoverned-in-deny": {
		"severity": "warning",
		"summary": "A Deny also names APIs IAM does not govern: those stay callable whatever the Deny says.",
		"source": _seed,
	},
	"ungoverned-in-allow": {
		"severity": "info",
		"summary": "An Allow names APIs IAM does not govern beside governed ones: that part grants nothing.",
		"source": _seed,
	},
	"resource-malformed": {
		"severity": "error",
		"summary": "A Resource is not a well-formed ARN, or fits no ARN format of its Cognito service.",
		"source": _checks,
	},
	"resource-wrong-service": {
		"severity": "error",
		"summary": "A Resource ARN names another service than the statement's Cognito actions use.",
		"source": _authorization_reference,
	},
	"resource-type-unused": {
		"severity": "error",
		"summary": concat(" ", [
			"A Resource ARN is of a resource type none of the statement's actions uses",
			"(e.g. cognito-sync:ListRecords on an identity pool ARN).",
		]),
		"source": _authorization_reference,
	},
	"variables-not-substituted": {
		"severity": "error",
		"summary": "The policy uses ${...} policy variables without Version 2012-10-17: IAM reads them as text.",
		"source": sprintf("%s/reference_policies_elements_version.html", [_iam]),
	},
	"allow-not-action": {
		"severity": "warning",
		"summary": "An Allow with NotAction grants every action not listed, in every service, also future ones.",
		"source": sprintf("%s/reference_policies_elements_notaction.html", [_iam]),
	},
	"condition-key-unsupported": {
		"severity": "error",
		"summary": concat(" ", [
			"A Condition key is neither a global condition key nor supported by any of the statement's actions",
			"(a typo, or another service's key): no request context holds it; the closest real key is suggested.",
		]),
		"source": sprintf("%s#access-analyzer-reference-policy-checks-error-invalid-global-condition-key", [_checks]),
	},
	"condition-operator-type": {
		"severity": "warning",
		"summary": concat(" ", [
			"A condition operator does not fit the key's documented type (StringLike on aws:CurrentTime),",
			"or a value cannot be of that type (a text that is no ARN for an ARN key).",
		]),
		"source": sprintf("%s#access-analyzer-reference-policy-checks-general-warning-type-mismatch", [_checks]),
	},
	"passrole-any": {
		"severity": "warning",
		"summary": "An Allow grants iam:PassRole on any role (Resource \"*\" or role/*) without iam:PassedToService.",
		"source": concat("#", [
			_checks,
			"access-analyzer-reference-policy-checks-security-warning-pass-role-with-star-in-resource",
		]),
	},
	"escalation-identity-pool-roles": {
		"severity": "error",
		"summary": concat(" ", [
			"iam:PassRole on any role together with cognito-identity:SetIdentityPoolRoles, CreateIdentityPool or",
			"UpdateIdentityPool: any role can be handed to an identity pool's users, guests included.",
		]),
		"source": _rbac,
	},
	"escalation-user-pool-group-roles": {
		"severity": "error",
		"summary": concat(" ", [
			"iam:PassRole on any role together with cognito-idp:CreateGroup or UpdateGroup:",
			"any role can reach the cognito:roles claim that identity pools choose roles from.",
		]),
		"source": _rbac,
	},
	"escalation-user-takeover": {
		"severity": "warning",
		"summary": concat(" ", [
			"cognito-idp:AdminSetUserPassword, AdminUpdateUserAttributes or AdminInitiateAuth on any user pool:",
			"the holder can take over any user's account.",
		]),
		"source": "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminSetUserPassword.html",
	},
	"escalation-lambda-trigger": {
		"severity": "error",
		"summary": concat(" ", [
			"cognito-idp:UpdateUserPool together with lambda:UpdateFunctionCode (or CreateFunction and iam:PassRole)",
			"on any function: user pool triggers run the holder's code and write any claim into tokens.",
		]),
		"source": "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html",
	},
	"write-on-any-resource": {
		"severity": "warning",
		"summary": concat(" ", [
			"An unconditional Allow grants write-level Cognito actions that support",
			"resource-level permissions on Resource \"*\".",
		]),
		"source": sprintf("%s/best-practices.html", [_iam]),
	},
}
