# METADATA
# title: Principal tags (attributes for access control)
# description: |
#   The session tags an identity pool sets from token claims: the pool's
#   PrincipalTagAttributeMaps entry for the login provider (keyed by the
#   provider name, for a user pool without the app client, A12) maps tag
#   keys to claim names; UseDefaults adds the default mappings username <-
#   sub and client <- aud (A22). Custom mappings override defaults of the
#   same key. A claim the token lacks sets no tag; a list claim cannot be a
#   session tag (STS has no multi-valued tags) and is reported invalid
#   (A13); numbers and booleans become their JSON text. Guests and
#   developer-authenticated identities get no tags.
#   Sources: reference/cognito/identity-pools.md section 6 (S6 "Using
#   attributes for access control", S8 SetPrincipalTagAttributeMap, S13
#   "Passing session tags in AWS STS").
package cognito.identity.tags

import data.cognito.util

_defaults := {"username": "sub", "client": "aud"}

# METADATA
# description: The tag key -> claim name map that applies to a sign-in through provider lp ({} when none).
attribute_map(pool, lp) := object.union(_default_map(m), object.get(m, "PrincipalTags", {})) if {
	is_string(lp)
	m := pool.PrincipalTagAttributeMaps[lp]
	is_object(m)
} else := {}

_default_map(m) := _defaults if m.UseDefaults == true

else := {}

# METADATA
# description: |
#   The principal tags of facts c, {tag key: value}.
principal_tags(c) := {key: util.scalar_text(claim) |
	some key, name in attribute_map(c.pool, c.login_provider)
	claim := c.claims[name]
	util.is_scalar(claim)
}

# METADATA
# description: |
#   The errors that keep the tags of facts c from being evaluated, as
#   {"code", "field", "message"}: a mapped claim that holds a list or an
#   object (A13).
errors(c) := array.concat(_case_errors(c), _value_errors(c))

# STS tag keys are case-insensitive (S13: new session tags override tags "with
# the same tag key, regardless of case"); two keys that differ only in case
# cannot both be passed.
_case_errors(c) := [{
	"code": "duplicate_tag_key",
	"field": sprintf("pool.PrincipalTagAttributeMaps[%q]", [c.login_provider]),
	"message": sprintf("principal tag keys %v differ only in case: STS tag keys are case-insensitive (S13)", [keys]),
} |
	some lk in {lower(k) | some k, _ in attribute_map(c.pool, c.login_provider)}
	keys := sort([k | some k, _ in attribute_map(c.pool, c.login_provider); lower(k) == lk])
	count(keys) > 1
]

_value_errors(c) := [{
	"code": "multivalued_tag_claim",
	"field": sprintf("token.%s", [name]),
	"message": sprintf(
		"principal tag %q maps claim %q, which holds %s: STS session tags take one value (identity-pools.md A13)",
		[key, name, type_name(c.claims[name])],
	),
} |
	some key, name in attribute_map(c.pool, c.login_provider)
	c.claims[name] != null
	not util.is_scalar(c.claims[name])
]

# METADATA
# description: |
#   The request-tag condition keys STS evaluates sts:TagSession with (lower-
#   cased): aws:requesttag/KEY for each tag and aws:tagkeys (S13).
request_context(tags) := object.union(
	{sprintf("aws:requesttag/%s", [lower(k)]): v | some k, v in tags},
	{"aws:tagkeys": [k | some k, _ in tags]},
)

# METADATA
# description: |
#   The principal-tag condition keys of a session with tags (lower-cased): aws:principaltag/KEY (S13).
session_context(tags) := {sprintf("aws:principaltag/%s", [lower(k)]): v | some k, v in tags}
