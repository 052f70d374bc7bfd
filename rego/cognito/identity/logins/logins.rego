# METADATA
# title: Login providers and GetId
# description: |
#   Which login providers an identity pool accepts, the checks GetId makes
#   before any role is chosen (guest access, a configured provider, the
#   user-pool app client), and the key under which a sign-in's role mapping
#   is stored. Sources (reference/cognito/identity-pools.md): section 2
#   "Provider key" (S8 SetIdentityPoolRoles; A1: the user-pool key is
#   "PROVIDER:APP_CLIENT_ID", the ID token's aud); section 3 (S4, S19);
#   GetCredentialsForIdentity (S7: "If the token is for
#   cognito-identity.amazonaws.com, it will be passed through to Amazon
#   Security Token Service"; developer identities get the default
#   authenticated role).
package cognito.identity.logins

import data.cognito.identity.errors
import data.cognito.util

_developer_login := "cognito-identity.amazonaws.com"

# METADATA
# description: |
#   The kind of login provider lp in pool: "developer" (the pool's
#   DeveloperProviderName, or cognito-identity.amazonaws.com when the pool
#   has one), "user_pool" (a CognitoIdentityProviders entry), "public"
#   (SupportedLoginProviders), "oidc" (an OpenIdConnectProviderARNs entry,
#   named by its host) or "saml" (a SamlProviderARNs entry, named by its
#   ARN). Undefined when the pool does not accept lp.
kind(pool, lp) := "developer" if {
	is_string(pool.DeveloperProviderName)
	lp in {pool.DeveloperProviderName, _developer_login}
} else := "user_pool" if {
	some p in util.as_array(pool.CognitoIdentityProviders)
	p.ProviderName == lp
} else := "public" if {
	lp in object.keys(util.as_object(pool.SupportedLoginProviders))
} else := "oidc" if {
	some provider_arn in util.as_array(pool.OpenIdConnectProviderARNs)
	oidc_name(provider_arn) == lp
} else := "saml" if {
	lp in util.as_array(pool.SamlProviderARNs)
}

# METADATA
# description: |
#   The Logins key of an IAM OIDC provider ARN: the part after
#   "oidc-provider/" (arn:aws:iam::ACCOUNT:oidc-provider/login.example.com).
oidc_name(provider_arn) := substring(provider_arn, i + 15, -1) if {
	is_string(provider_arn)
	i := indexof(provider_arn, ":oidc-provider/")
	i >= 0
}

# A user pool's Logins key: cognito-idp.REGION.amazonaws.com/POOL_ID.
_user_pool_shaped(lp) := regex.match(`^cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/`, lp)

# METADATA
# description: |
#   The RoleMappings key of a sign-in through provider lp with token claims:
#   for a user pool "lp:aud" (the ID token's aud is the app client ID, A1),
#   otherwise lp itself.
mapping_key(pool, lp, claims) := sprintf("%s:%s", [lp, claims.aud]) if {
	kind(pool, lp) == "user_pool"
	is_string(claims.aud)
} else := lp

# METADATA
# description: |
#   The role mapping for the sign-in, as [key, mapping]; undefined when the
#   pool maps no role for its provider key. An OIDC provider's mapping may
#   be keyed by its name or by its ARN.
mapping(pool, lp, claims) := [key, m] if {
	key := mapping_key(pool, lp, claims)
	m := pool.RoleMappings[key]
} else := [provider_arn, m] if {
	kind(pool, lp) == "oidc"
	some provider_arn in util.as_array(pool.OpenIdConnectProviderARNs)
	oidc_name(provider_arn) == lp
	m := pool.RoleMappings[provider_arn]
}

# METADATA
# description: |
#   True when key names a provider the pool is configured for, as
#   SetIdentityPoolRoles requires of a RoleMappings key (S8; observed text
#   "... is not a valid RoleMapping ProviderName or is not a configured
#   provider.", S19): a user pool with its app client ("PROVIDER:CLIENT_ID"),
#   a public provider, an OIDC provider (name or ARN) or a SAML provider.
# scope: document
configured_key(pool, key) if {
	some p in util.as_array(pool.CognitoIdentityProviders)
	key == sprintf("%s:%s", [p.ProviderName, p.ClientId])
}

configured_key(pool, key) if kind(pool, key) in {"public", "oidc", "saml"}

configured_key(pool, key) if key in util.as_array(pool.OpenIdConnectProviderARNs)

# METADATA
# description: |
#   The refusal of GetId (see cognito.identity.errors) for facts c; undefined
#   when GetId succeeds: a guest needs AllowUnauthenticatedIdentities; a
#   sign-in needs a verified token (when a JWKS is given), a provider the
#   pool accepts, and for a user pool the pool's issuer and one of its
#   configured app clients as the token's aud; a public provider's token,
#   when it has an aud, must name the app ID configured for it (S4: "The
#   token matches the application identifier created with that provider").
refusal(c) := errors.guest_not_allowed if {
	not c.authenticated
	c.pool.AllowUnauthenticatedIdentities != true
} else := errors.invalid_signature if {
	c.token.signature == "invalid"
} else := errors.unsupported_provider(reason, _user_pool_shaped(c.login_provider)) if {
	c.authenticated
	not kind(c.pool, c.login_provider)
	reason := sprintf("the pool accepts no login provider %q", [c.login_provider])
} else := errors.issuer_mismatch(c.claims.iss, c.login_provider) if {
	kind(c.pool, c.login_provider) == "user_pool"
	is_string(c.claims.iss)
	c.claims.iss != concat("", ["https://", c.login_provider])
} else := errors.unsupported_provider(reason, true) if {
	kind(c.pool, c.login_provider) == "user_pool"
	not _client_accepted(c.pool, c.login_provider, c.claims)
	reason := sprintf("the pool accepts no app client %s of %s (the ID token's aud)", [
		_shown(object.get(c.claims, "aud", null)), c.login_provider,
	])
} else := errors.unsupported_provider(reason, false) if {
	kind(c.pool, c.login_provider) == "public"
	"aud" in object.keys(c.claims)
	not _app_id_matches(c.pool.SupportedLoginProviders[c.login_provider], c.claims.aud)
	reason := sprintf("the token's aud %s is not the app ID %q configured for %s", [
		_shown(c.claims.aud), c.pool.SupportedLoginProviders[c.login_provider], c.login_provider,
	])
}

_shown(null) := "(none)"

_shown(v) := sprintf("%v", [v]) if v != null

# An entry without a ClientId accepts any app client of its user pool.
_client_accepted(pool, lp, claims) if {
	some p in util.as_array(pool.CognitoIdentityProviders)
	p.ProviderName == lp
	_client_matches(p, claims)
}

_client_matches(p, _) if not "ClientId" in object.keys(p)

_client_matches(p, claims) if p.ClientId == claims.aud

# The configured app ID may list several IDs separated by commas (an assumption).
_app_id_matches(app_id, aud) if {
	some id in split(app_id, ",")
	some a in util.as_strings(aud)
	trim_space(id) == a
}
