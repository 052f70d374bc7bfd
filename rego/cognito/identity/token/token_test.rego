package cognito.identity.token_test

import data.cognito.identity.token

# Expectations: reference/cognito/identity-pools.md section 3 (S4: "The token
# is valid and from the configured provider"); the issue's contract: the raw
# JWT is decoded with io.jwt.decode, its signature checked only when a JWKS
# is given, and the resolution says which. The key below is a test key made
# for these tests only (RS256, as Amazon Cognito user pools sign ID tokens).

_private_jwk := {
	"kty": "RSA",
	"kid": "test-key-1",
	"alg": "RS256",
	"use": "sig",
	"e": "AQAB",
	"n": concat("", [
		"vfAvLZbHifq3xCQj5fZ8WGU11kfP9ET5h_NYBkk0Wk0P3ZtANiIot5xaUX5M0VFAChVJg6ZHEv38qEfg2UcmyhA1",
		"7b6r87jhhpDZXLBaKJuInTy7rpNROByPLZUhVUmTpjn5HSmpRRZdHULFaifLA0MwdQ0iDC8I_XoK6rOPEMv-zeia",
		"DHESF9f2Rp38PY8mYClU3dVtry6MW4S79YUi__w-xS-rLIfcfpBD_X7Mkp5tetRKQc_QdIYI3ndp3bWH_8VVSzox",
		"xgMailPFcMuXGXMEFeM_V0drUGJJa88aqeSngyiEIFjLnN24aEBmgjKCbNYmtDzkzFrjqqJiB-S_SQ",
	]),
	"d": concat("", [
		"K835a3ezNEi82gEFwHL80XwiEvXD6Y-AxxBhtC1s5AiSyKaWBAYTwujN0a6hs8Kb1Nd8-V4_VQt7mindmu60bPSZ",
		"I2gOiyqP5LOCVcScPnJEaxMHK-dw21KG2NnkcqGB6lvDbqzdi3_xYJ62HdnokauMwOoS-KFeXusnGmLn81TbCTga",
		"hEBEcE2Xvkq3ltfg-To8Vqvrj6QKoqZK-_lKJc7t8vgji-fup5XT9oIjpZCucKx5gIAJzlCh2nK-QW80lvNEAOlL",
		"fML4PUXGerH0rfzITqC6ZWfgasb5t4BfEU491AqSrstJMBajXZUo9P42EyJVlfu99PW4-hrBa2n86w",
	]),
	"p": concat("", [
		"3_zpg4l49vcPF6rt_L7u-H2QeBe-Y5zmATABSEycHEY8P0KzjDAYQpX88jqKCaMzB7U7r19PzSbZY16QcKyvLQ6r",
		"sjK7O6PvRD48QhO-MZH6ym_25EpXwAsdCTiU0lwEUKE9K_Vu02pexLIDMsg1CGk0viLMc_MOn12FI4zgCqM",
	]),
	"q": concat("", [
		"2RV9I-_a0WpX2Hy8L71e6gYTz0jkmrcxQi7-zfCiqpWntshGGVhdKfGT9lHFNQfJbwwqyd6WOsRwukfJfY3ZzRJZ",
		"xXESyL1vsmt1qewDbC_AaEUQ9ySk17qFdeIuSiOPv8Mt_Tusi-KFQw9LnXbHn4H3yzkUcCAk2JubSHzXOSM",
	]),
	"dp": concat("", [
		"Olx3q6JCNnchI5WR9Oz67xwobGIjZWkYNO8BJolvk55pTEJg7gIKEC9sfODr3p77SOLb7lHzRQz-T3nwQKt96UuN",
		"SR0W0-9fBHUC1mS2hcv3gI-z0L_eJVe_9QsdG8KGDUw12CJXAhcRIkcPtkecKdjfuTrv8rY99SA09JJcPek",
	]),
	"dq": concat("", [
		"qHK6RjaKj1F7lOtFg63ohqPsnz4q1bstJ_QbmGYPc1rpZzYE3wnoUPG6JLrS0hGWxuqkETz9SeDAsGuf-CMoTK7e",
		"pgzVzJrin4ovJYmUJlDvdnmRbpUqrJN5mD3IOZNaqiyj9QpnG6zMR3sI68kNocJSK4nBSDhJHyOv3RGyWA0",
	]),
	"qi": concat("", [
		"Wy2SV0nvradwzXZksyz-LtCYTH9BCskHYSDMeNDkt8UB-jENGjeewTL5c-tK2u1W6BkPsOkRl7X_bQmdZoVGnOzm",
		"xo-IqePcBMoCuAHXfsiSNVjkiyLVjzdcQc4Nag4huX7Y9EEZFxQ146D3b_bQcWtAj8rSQi3h9hYuquqaGG4",
	]),
}

_ec_keys := {
	"P-256": {
		"kty": "EC",
		"crv": "P-256",
		"d": "zM6jGFbT1B3sLygwU2BPNieFvVTdwkuiO8cMCRVhbGY",
		"x": "w0YAigFMS2EiI78aMIDkdVt1dUhO89IwvgWuxVGDY64",
		"y": "q5pJ3hFDjBBp6BJa8KSxA_vPcPcpI4n9FuAa-kxD3wg",
	},
	"P-384": {
		"kty": "EC",
		"crv": "P-384",
		"d": "sLLLoLqUZyKmpcc-AoVF95cYZ18VHJ--BUn78eI9Z8K5s9vBiHnnDcZ68KdlYbLq",
		"x": "p90WZDGiwrZuEyrV1kvVhWJe_o0NA5_eZtqPEw1DjM6OCrU0Lunww4dyuhGOiCVN",
		"y": "2zTGpHrrDzwRbluF13RujzIbMC-VB7LkzJljmst-GW8oXbqHaxyDODS5z3rtAMfF",
	},
	"P-521": {
		"kty": "EC",
		"crv": "P-521",
		"d": concat("", [
			"AawTnoVIYLrK7SWfuXwgYp1KxCyB1Z4rMs3hciBcd1J-FdZX7G2AZtFCY6HPcuQC0M4oOQk2FaNieC2q",
			"wvHYNjov",
		]),
		"x": concat("", [
			"ACIZTLs09y8mMdiZkuvI4N5xGJnyPCfMnjJz4zflOzlwHf4zRKgh3nxvizlufm0TEUDlTWQQaTRA5x0z",
			"dDM8Qwg8",
		]),
		"y": concat("", [
			"AY6yXDpjBm-UfJvC3aLa8eXmt_j0mKD8UlqRUhJYINB_j_4Lji2sMZAigX6m073xNKCLCpXl6kWoxdqd",
			"-sIGFgnA",
		]),
	},
}

_public_jwks := {"keys": [object.filter(_private_jwk, ["kty", "kid", "alg", "use", "n", "e"])]}

_claims := {"aud": "app1", "sub": "user-1", "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"}

_jwt := io.jwt.encode_sign({"alg": "RS256", "kid": "test-key-1"}, _claims, _private_jwk)

test_claims_given_as_object if {
	token.claims(_claims) == _claims
	token.summary(_claims, null) == {"form": "claims", "signature": "not_applicable"}
}

test_raw_jwt_decoded if {
	token.claims(_jwt) == _claims
	token.form(_jwt) == "jwt"
}

test_no_token if {
	token.claims(null) == {}
	token.summary(null, null) == {"form": "none", "signature": "not_applicable"}
}

test_not_a_jwt if {
	not token.claims("not-a-jwt")
	not token.claims(42)
}

test_signature_not_checked_without_jwks if {
	token.signature(_jwt, null) == "not_checked"
}

test_signature_verified_with_jwks if {
	token.signature(_jwt, _public_jwks) == "verified"
	token.signature(_jwt, json.marshal(_public_jwks)) == "verified"
}

test_tampered_token_fails_verification if {
	parts := split(_jwt, ".")
	forged := concat(".", [parts[0], base64url.encode_no_pad(json.marshal({"aud": "app1", "sub": "admin"})), parts[2]])
	token.signature(forged, _public_jwks) == "invalid"
	other := io.jwt.encode_sign({"alg": "HS256"}, _claims, {"kty": "oct", "k": base64url.encode_no_pad("secret")})
	token.signature(other, _public_jwks) == "invalid"
}

# Every algorithm the check accepts, each with a key of its kind: RSA
# (RS256/384/512, PS256/384/512) and EC (ES256 P-256, ES384 P-384, ES512 P-521).
test_every_algorithm if {
	rsa := {"keys": [object.filter(_private_jwk, ["kty", "n", "e"])]}
	every alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
		token.signature(io.jwt.encode_sign({"alg": alg}, _claims, _private_jwk), rsa) == "verified"
	}
	every alg, crv in {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"} {
		ec := {"keys": [object.remove(_ec_keys[crv], ["d"])]}
		token.signature(io.jwt.encode_sign({"alg": alg}, _claims, _ec_keys[crv]), ec) == "verified"
	}
}
