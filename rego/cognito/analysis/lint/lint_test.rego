# METADATA
# description: |
#   The lint report as a whole: documents from input, AWS managed policies
#   and the bundle's stored principals; severities from the rule table;
#   findings in a stable order. AmazonCognitoReadOnly and the seed's example
#   policies are clean: the documentation presents them as correct.
package cognito.analysis.lint_test

import data.cognito.analysis.lint
import data.cognito.analysis.lint.config

_pool := "us-east-1:1a1a1a1a-ffff-1111-9999-12345678"

_seed_console := {"Version": "2012-10-17", "Statement": [
	{"Effect": "Allow", "Action": ["cognito-identity:ListIdentityPools"], "Resource": "*"},
	{
		"Effect": "Allow", "Action": ["cognito-identity:*"],
		"Resource": sprintf("arn:aws:cognito-identity:us-east-1:0123456789:identitypool/%s", [_pool]),
	},
	{
		"Effect": "Allow", "Action": ["cognito-sync:*"],
		"Resource": sprintf("arn:aws:cognito-sync:us-east-1:0123456789:identitypool/%s", [_pool]),
	},
]}

test_documented_policies_are_clean if {
	report := lint.report with input as {
		"policies": [{"name": "seed.json", "document": _seed_console}],
		"managed_policies": ["AmazonCognitoReadOnly"],
	}
	report.findings == []
	report.documents == 2
	report.statements == 4
	report.summary == {"error": 0, "warning": 0, "info": 0}
}

# AmazonCognitoDeveloperAuthenticatedIdentities lets a developer backend merge
# and unlink identities of every identity pool: Resource "*" on actions that
# take identity pool ARNs.
test_developer_identities_is_broad if {
	report := lint.report with input as {
		"managed_policies": ["arn:aws:iam::aws:policy/AmazonCognitoDeveloperAuthenticatedIdentities"],
	}
	[[f.policy, f.rule, f.message] | some f in report.findings] == [[
		"AmazonCognitoDeveloperAuthenticatedIdentities", "write-on-any-resource",
		concat("", [
			"Allow grants 2 write-level Cognito action(s) on every resource (Resource \"*\"): ",
			"cognito-identity:MergeDeveloperIdentities, cognito-identity:UnlinkDeveloperIdentity",
		]),
	]]
}

test_findings_sorted_with_severities if {
	report := lint.report with input as {"policies": [
		{"name": "b.json", "document": {"Statement": [
			{"Effect": "Deny", "Action": "cognito-idp:InitiateAuth", "Resource": "*"},
			{"Effect": "Allow", "Action": "cognito-idp:AdminCreatUser", "Resource": "*"},
		]}},
		{"document": {"Version": "2012-10-17", "Statement": {
			"Effect": "Nope", "Action": "cognito-idp:SignUp",
			"Resource": "*",
		}}},
		{"name": "c.json", "document": {"Version": "2020-01-01", "Statement": []}},
	]}
	[[f.policy, f.statement, f.rule, f.severity] | some f in report.findings] == [
		["b.json", 0, "ungoverned-only", "warning"],
		["b.json", 1, "unknown-action", "error"],
		["c.json", null, "invalid-policy", "error"],
		["policies[1]", 0, "invalid-policy", "error"],
	]
	[f.position | some f in report.findings] == [0, 1, null, 0]
	report.summary == {"error": 3, "warning": 1, "info": 0}
	report.rules == config.rules
}

_not_iam := {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}

test_stored_principals if {
	store := {
		"arn:aws:iam::111122223333:role/a": {
			"policies": {"shared": _not_iam},
			"managed_policies": ["AmazonCognitoPowerUser"],
			"permissions_boundary": {"Statement": {
				"Effect": "Allow", "Action": "cognito-sync:*",
				"Resource": "arn:aws:cognito-sync:*:*:identitypool/*/identity/${aws:userid}/*",
			}},
		},
		"arn:aws:iam::111122223333:role/b": {
			"policies": {"shared": _not_iam},
			"managed_policies": [],
		},
	}

	report := lint.report with input as {"stored": true} with data.cognito.store.principals as store

	# Everything but IAM includes cognito-idp:UpdateUserPool with lambda:* and
	# the Admin* actions on every user pool (cognito.analysis.lint.rules.escalation).
	[[f.policy, f.rule] | some f in report.findings] == [
		["permissions_boundary of arn:aws:iam::111122223333:role/a", "variables-not-substituted"],
		["shared", "allow-not-action"],
		["shared", "escalation-lambda-trigger"],
		["shared", "escalation-user-takeover"],
	]

	unstored := lint.report with input as {} with data.cognito.store.principals as store
	unstored.documents == 0
	nothing_stored := lint.report with input as {"stored": true, "policies": "not a list"}
	nothing_stored.documents == 0
}

test_rule_table if {
	every id, rule in config.rules {
		rule.severity in object.keys(config.severities)
		startswith(rule.source, "https://docs.aws.amazon.com/")
		regex.match(`^[a-z]+(-[a-z]+)*$`, id)
	}
	count(config.rules) == 19
}
