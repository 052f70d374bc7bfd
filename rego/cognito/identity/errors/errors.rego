# METADATA
# title: Identity-pool refusals
# description: |
#   The errors Amazon Cognito and AWS STS return when an identity pool issues
#   no credentials, as {"code" (AWS's exception name), "stage" (get_id,
#   get_open_id_token, get_credentials_for_identity or
#   assume_role_with_web_identity), "message" (AWS's text where it is known,
#   else null), "reason" (why, in this project's words, with the source)}.
#   Sources (reference/cognito/identity-pools.md, section 10): Cognito
#   Developer Guide "Identity pools authentication flow" (S4), "Using
#   role-based access control" (S1), "Role trust and permissions" (S3);
#   InvalidIdentityPoolConfigurationException in the Cognito Identity API
#   Reference (S9); observed texts (S19).
package cognito.identity.errors

# METADATA
# description: A refusal {"code", "stage", "message", "reason"}; message is null when AWS's text is not known.
refusal(code, stage, message, reason) := {"code": code, "stage": stage, "message": message, "reason": reason}

_invalid_configuration_text := "Invalid identity pool configuration. Check assigned IAM roles for this pool."

# METADATA
# description: |
#   GetId for a guest of a pool that does not allow unauthenticated
#   identities: NotAuthorizedException (S4; text S19).
guest_not_allowed := refusal(
	"NotAuthorizedException", "get_id",
	"Unauthenticated access is not supported for this identity pool.",
	"the pool does not allow unauthenticated identities (AllowUnauthenticatedIdentities is false)",
)

# METADATA
# description: |
#   GetId with a login the pool does not accept (a provider or user-pool app
#   client it is not configured for): NotAuthorizedException (S4 "The token
#   is valid and from the configured provider"; the text, observed for user
#   pools, S19).
unsupported_provider(reason, user_pool) := refusal(
	"NotAuthorizedException", "get_id",
	_unsupported_text(user_pool), reason,
)

_unsupported_text(true) := "Token is not from a supported provider of this identity pool."

_unsupported_text(false) := null

# METADATA
# description: |
#   GetId with a user-pool token whose issuer is not the login provider
#   named: NotAuthorizedException (text observed, S19).
issuer_mismatch(iss, provider) := refusal(
	"NotAuthorizedException", "get_id",
	"Invalid login token. Issuer doesn't match providerName",
	sprintf("the token's iss %q is not https://%s", [iss, provider]),
)

# METADATA
# description: GetId with a token whose signature the configured JWKS does not verify (S4 "The token is valid").
invalid_signature := refusal(
	"NotAuthorizedException", "get_id", null,
	"the token's signature does not verify against the JWKS given (identity.jwks)",
)

# METADATA
# description: |
#   GetOpenIdToken (basic flow) on a pool whose AllowClassicFlow is false:
#   InvalidParameterException (text observed, S19; code assumed, A17).
classic_flow_disabled := refusal(
	"InvalidParameterException", "get_open_id_token",
	"Basic (classic) flow is not enabled",
	"the basic (classic) flow needs AllowClassicFlow true",
)

# METADATA
# description: |
#   GetOpenIdToken (basic flow) on a pool with role mappings:
#   InvalidParameterException with the documented text (S4; code S19).
classic_flow_with_role_mappings := refusal(
	"InvalidParameterException", "get_open_id_token",
	"Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.",
	"the pool has role mappings, which only the enhanced flow applies",
)

# METADATA
# description: |
#   GetCredentialsForIdentity when no role fills the slot it needs or STS
#   refuses the role: InvalidIdentityPoolConfigurationException (S9; text S19).
invalid_configuration(reason) := refusal(
	"InvalidIdentityPoolConfigurationException", "get_credentials_for_identity",
	_invalid_configuration_text, reason,
)

# METADATA
# description: |
#   GetCredentialsForIdentity refused by the role mapping: a CustomRoleArn the
#   token or the rules do not allow (S1 "deny access"; code A18), or
#   ambiguous resolution set to Deny (S1, S8; text S19).
not_authorized(message, reason) := refusal("NotAuthorizedException", "get_credentials_for_identity", message, reason)

# METADATA
# description: |
#   The basic flow's own sts:AssumeRoleWithWebIdentity refused by the role's
#   trust policy: AccessDenied (S3 "AccessDenied -- Not authorized to perform
#   sts:AssumeRoleWithWebIdentity"); for sts:TagSession the text is not known.
access_denied(action, reason) := refusal("AccessDenied", "assume_role_with_web_identity", _denied_text(action), reason)

_denied_text("sts:AssumeRoleWithWebIdentity") := "Not authorized to perform sts:AssumeRoleWithWebIdentity"

_denied_text(action) := null if action != "sts:AssumeRoleWithWebIdentity"
