# METADATA
# description: |
#   Tests for cognito.analysis.actions against the bundle's action catalog
#   (IAM Service Authorization Reference: Amazon Cognito Identity, Sync and
#   User Pools). Action names and patterns are case-insensitive and * / ? are
#   IAM's wildcards (IAM User Guide, "IAM JSON policy elements: Action").
package cognito.analysis.actions_test

import data.cognito.analysis.actions

test_catalogued_actions if {
	"cognito-idp:AdminCreateUser" in actions.catalogued
	"cognito-sync:ListRecords" in actions.catalogued
	"cognito-identity:GetId" in actions.catalogued
	count(actions.catalogued) > 150
}

test_service_prefix if {
	actions.service("Cognito-IDP:List*") == "cognito-idp"
	not actions.service("*")
	actions.cognito_service("cognito-sync")
	actions.cognito_service("cognito-*")
	actions.cognito_service("cognito-ipd")
	not actions.cognito_service("iam")
	actions.names_other_services("iam:PassRole")
	actions.names_other_services("*")
	not actions.names_other_services("cognito-idp:ListUsers")
}

test_expand if {
	actions.expand("COGNITO-IDP:admincreateuser") == {"cognito-idp:AdminCreateUser"}
	actions.expand("cognito-sync:List*") == {
		"cognito-sync:ListDatasets",
		"cognito-sync:ListIdentityPoolUsage",
		"cognito-sync:ListRecords",
	}
	actions.expand("cognito-identity:Get?d") == {"cognito-identity:GetId"}
	actions.expand("cognito-idp:Nope") == set()
	actions.expand("cognito-idp:Nope*") == set()
	actions.expand(7) == set()
	count(actions.expand("*")) == count(actions.catalogued)
}

test_named_by if {
	lists := actions.expand("cognito-sync:List*")
	expansion := {"cognito-sync:list*": lists, "cognito-sync:*": actions.expand("cognito-sync:*")}
	actions.named_by({"Action": "cognito-sync:List*"}, expansion, actions.catalogued) == lists
	not_list := actions.named_by({"NotAction": ["cognito-sync:List*"]}, expansion, actions.catalogued)
	not "cognito-sync:ListRecords" in not_list
	"cognito-sync:UpdateRecords" in not_list
	"cognito-idp:AdminCreateUser" in not_list
	actions.named_by({"Effect": "Allow"}, expansion, actions.catalogued) == set()
}

test_distance if {
	actions.distance("AdminCreatUser", "admincreateuser") == 1 # deletion
	actions.distance("ListUsers", "ListUsers") == 0
	actions.distance("ListUsres", "ListUsers") == 1 # swap of neighbours
	actions.distance("ListUzers", "ListUsers") == 1 # substitution
	actions.distance("LstUsrs", "ListUsers") == 2
	actions.distance("", "ab") == 2
	not actions.distance("kitten", "sitting") # three edits
	not actions.distance("abc", "abcdef")
}

test_similarity if {
	actions.similarity("ListUsers", "listusers") == 1
	actions.similarity("ab", "cd") == 0
	actions.similarity("a", "b") == 0
	actions.similarity("night", "nacht") == 0.25
}

test_closest_names_typos if {
	actions.closest("cognito-idp:AdminCreatUser") == [{"action": "cognito-idp:AdminCreateUser", "distance": 1}]
	roles := actions.closest("cognito-identity:GetIdentityPoolRole")
	roles[0] == {"action": "cognito-identity:GetIdentityPoolRoles", "distance": 1}
	actions.closest("cognito-ipd:ListUsers") == [{"action": "cognito-idp:ListUsers", "distance": 1}]
}

test_closest_prefers_the_same_name_in_another_service if {
	actions.closest("cognito-identity:ListUsers")[0] == {"action": "cognito-idp:ListUsers", "distance": 0}
}

test_closest_without_a_near_name if {
	actions.closest("cognito-idp:Xyzzy") == []

	# Only similar by letter pairs (more than two edits away): no distance given.
	found := actions.closest("cognito-idp:DescribeUserPoolDomainXYZ")
	found[0].action == "cognito-idp:DescribeUserPoolDomain"
	{c.distance | some c in found} == {null}
}
