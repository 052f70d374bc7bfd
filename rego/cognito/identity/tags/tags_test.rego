package cognito.identity.tags_test

import data.cognito.identity.tags

# Expectations: reference/cognito/identity-pools.md section 6: Cognito
# Developer Guide "Using attributes for access control" (S6: tag key ->
# attribute name; default mappings aud and sub), SetPrincipalTagAttributeMap
# (S8: "default (username and clientID) attribute mappings"), STS session tags
# (S13: single-valued; aws:PrincipalTag, aws:RequestTag, aws:TagKeys);
# assumptions A12, A13, A22.

_up := "cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"

_pool(map) := {"PrincipalTagAttributeMaps": {_up: map}}

_facts(map, claims) := {"pool": _pool(map), "login_provider": _up, "claims": claims}

test_defaults if {
	tags.attribute_map(_pool({"UseDefaults": true}), _up) == {"username": "sub", "client": "aud"}
	t := tags.principal_tags(_facts({"UseDefaults": true}, {"sub": "u1", "aud": "app1"}))
	t == {"username": "u1", "client": "app1"}
}

test_custom_over_defaults if {
	map := {"UseDefaults": true, "PrincipalTags": {"department": "custom:dept", "client": "azp"}}
	t := tags.principal_tags(_facts(map, {"sub": "u1", "aud": "app1", "azp": "web", "custom:dept": "sales"}))
	t == {"username": "u1", "client": "web", "department": "sales"}
}

# A12: keyed by provider name, not by the mapping key with the app client.
test_no_map_for_provider if {
	tags.attribute_map(_pool({"UseDefaults": true}), "graph.facebook.com") == {}
	tags.attribute_map(_pool({"UseDefaults": true}), null) == {}
	tags.attribute_map({"PrincipalTagAttributeMaps": {_up: {"UseDefaults": false}}}, _up) == {}
}

# A13: an absent claim sets no tag; a list claim cannot be a session tag.
test_absent_and_list_claims if {
	map := {"PrincipalTags": {"dept": "custom:dept", "groups": "cognito:groups", "level": "custom:level"}}
	f := _facts(map, {"cognito:groups": ["a", "b"], "custom:level": 3})
	tags.principal_tags(f) == {"level": "3"}
	[e] := tags.errors(f)
	e.code == "multivalued_tag_claim"
	e.field == "token.cognito:groups"
}

test_condition_keys if {
	tags.request_context({"Dept": "sales"}) == {"aws:requesttag/dept": "sales", "aws:tagkeys": ["Dept"]}
	tags.session_context({"Dept": "sales"}) == {"aws:principaltag/dept": "sales"}
}

# S13: tag keys are case-insensitive; keys differing only in case are refused.
test_keys_differing_in_case if {
	map := {"UseDefaults": true, "PrincipalTags": {"Username": "email"}}
	[e] := tags.errors(_facts(map, {"sub": "u1", "aud": "app1", "email": "a@example.com"}))
	e.code == "duplicate_tag_key"
	contains(e.message, "[\"Username\", \"username\"]")
}
