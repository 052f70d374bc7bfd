# METADATA
# title: The provider token
# description: |
#   The token a sign-in presents in its Logins map, given as its claims (an
#   object: for providers whose tokens are not JWTs, or claims already
#   verified) or as the raw JWT, decoded with OPA's io.jwt.decode. The
#   signature of a raw JWT is checked only when a JWKS is given; the
#   resolution says which ("signature": "verified", "invalid", "not_checked",
#   or "not_applicable" for claims given as an object). Expiry is not checked.
#   Source: reference/cognito/identity-pools.md, section 3 (S4: "The token is
#   valid and from the configured provider").
package cognito.identity.token

# METADATA
# description: |
#   The claims of token t: t itself when it is an object, the payload of the
#   JWT t when it is a string, {} when t is null. Undefined for a string
#   that is not a JWT with a JSON object payload.
# scope: document
claims(t) := t if is_object(t)

claims(null) := {}

claims(t) := payload if {
	is_string(t)
	[_, payload, _] := io.jwt.decode(t)
	is_object(payload)
}

# METADATA
# description: |
#   How the token was given: "claims" (an object), "jwt" (a string), "none".
# scope: document
form(t) := "claims" if is_object(t)

form(t) := "jwt" if is_string(t)

form(null) := "none"

# METADATA
# description: |
#   The signature check of token t with jwks (a JWKS object or its JSON text;
#   null when none is configured): "verified", "invalid", "not_checked" (no
#   JWKS), "not_applicable" (no raw JWT to check).
signature(t, jwks) := "not_applicable" if {
	not is_string(t)
} else := "not_checked" if {
	jwks == null
} else := "verified" if {
	_verified(t, _key_text(jwks))
} else := "invalid"

# METADATA
# description: A summary of the token for the resolution, {"form", "signature"}.
summary(t, jwks) := {"form": form(t), "signature": signature(t, jwks)}

_key_text(k) := k if is_string(k)

_key_text(k) := json.marshal(k) if is_object(k)

_verified(t, keys) if {
	[header, _, _] := io.jwt.decode(t)
	_verify(header.alg, t, keys)
}

_verify("RS256", t, k) if io.jwt.verify_rs256(t, k)

_verify("RS384", t, k) if io.jwt.verify_rs384(t, k)

_verify("RS512", t, k) if io.jwt.verify_rs512(t, k)

_verify("PS256", t, k) if io.jwt.verify_ps256(t, k)

_verify("PS384", t, k) if io.jwt.verify_ps384(t, k)

_verify("PS512", t, k) if io.jwt.verify_ps512(t, k)

_verify("ES256", t, k) if io.jwt.verify_es256(t, k)

_verify("ES384", t, k) if io.jwt.verify_es384(t, k)

_verify("ES512", t, k) if io.jwt.verify_es512(t, k)
