# METADATA
# description: |
#   What a change grants or takes away. Replacing AmazonCognitoReadOnly with
#   AmazonCognitoPowerUser widens every write-level action (seed page,
#   "Managed Policies": read only versus all aspects); the reverse narrows
#   them. Adding an explicit Deny narrows (IAM User Guide, "Policy evaluation
#   logic": an explicit deny overrides any allow). Renaming a policy file
#   changes nothing.
package cognito.analysis.diff_test

import data.cognito.analysis.diff

_pool := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_A"

_admin := {"name": "admin.json", "document": {"Version": "2012-10-17", "Statement": [
	{"Sid": "Admin", "Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": _pool},
]}}

_with_deny := {"name": "admin.json", "document": {"Version": "2012-10-17", "Statement": [
	{"Sid": "Admin", "Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": _pool},
	{"Effect": "Deny", "Action": "cognito-idp:AdminDeleteUser", "Resource": "*"},
]}}

test_read_only_to_power_user_widens if {
	report := diff.compare({
		"old": {"managed_policies": ["AmazonCognitoReadOnly"]},
		"new": {"managed_policies": ["AmazonCognitoPowerUser"]},
	})
	report.errors == []
	report.widened
	report.summary.narrowed == 0
	{r.access_level | some r in report.rows} == {"Write", "Tagging", "Read"}
	some r in report.rows
	r.action == "cognito-idp:AdminCreateUser"
	r.old.decision == "implicit_deny"
	r.new.decision == "allow"
	r.gained == ["*"]
	r.change == "widened"
}

test_power_user_to_read_only_narrows if {
	report := diff.compare({
		"old": {"managed_policies": ["AmazonCognitoPowerUser"]},
		"new": {"managed_policies": ["AmazonCognitoReadOnly"]},
	})
	not report.widened
	report.summary.widened == 0
	report.summary.narrowed > 80
}

test_a_deny_narrows_one_action if {
	report := diff.compare({"old": {"policies": [_admin]}, "new": {"policies": [_with_deny]}})
	[[r.action, r.old.decision, r.new.decision, r.change, r.lost] | some r in report.rows] == [[
		"cognito-idp:AdminDeleteUser", "partial", "explicit_deny", "narrowed", [_pool],
	]]
	report.widened == false
}

test_on_one_resource if {
	report := diff.compare({"old": {"policies": [_with_deny]}, "new": {"policies": [_admin]}, "resource": _pool})
	[[r.action, r.resource, r.old.decision, r.new.decision, r.change] | some r in report.rows] == [[
		"cognito-idp:AdminDeleteUser", _pool, "explicit_deny", "allow", "widened",
	]]
}

test_renaming_changes_nothing if {
	renamed := object.union(_admin, {"name": "renamed.json"})
	report := diff.compare({"old": {"policies": [_admin]}, "new": {"policies": [renamed]}})
	report.rows == []
	report.summary == {"widened": 0, "narrowed": 0, "changed": 0}
}

# A pool added to the Resource list widens; the decision ("partial") stays.
test_more_resources_widen if {
	two := {"name": "admin.json", "document": {"Version": "2012-10-17", "Statement": [{
		"Sid": "Admin", "Effect": "Allow", "Action": "cognito-idp:AdminGetUser",
		"Resource": [_pool, replace(_pool, "_A", "_B")],
	}]}}
	report := diff.compare({"old": {"policies": [_admin]}, "new": {"policies": [two]}})
	some r in report.rows
	r.action == "cognito-idp:AdminGetUser"
	r.old.decision == "partial"
	r.new.decision == "partial"
	r.gained == [replace(_pool, "_A", "_B")]
	r.change == "widened"
	some other in report.rows
	other.action == "cognito-idp:AdminCreateUser"
	other.change == "narrowed"
}

# Allowed everywhere except one pool instead of allowed on one pool only.
test_changed_both_ways if {
	before := {"name": "p", "document": {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "cognito-idp:AdminGetUser", "Resource": _pool},
	]}}
	after := {"name": "p", "document": {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "cognito-idp:AdminGetUser", "Resource": "*"},
		{"Effect": "Deny", "Action": "cognito-idp:AdminGetUser", "Resource": _pool},
	]}}
	report := diff.compare({"old": {"policies": [before]}, "new": {"policies": [after]}})
	[[r.change, r.gained, r.lost] | some r in report.rows] == [["changed", ["*"], [_pool]]]
	report.widened
}

test_explicit_and_implicit_deny if {
	before := {"name": "p", "document": {"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Action": "cognito-idp:ListUserPools", "Resource": "*"},
	]}}
	report := diff.compare({"old": {"policies": [before]}, "new": {"policies": []}})
	changes := [[r.old.decision, r.new.decision, r.change] | some r in report.rows]
	changes == [["explicit_deny", "implicit_deny", "changed"]]
	not report.widened
}

test_errors_name_the_version if {
	report := diff.compare({
		"old": {"policies": [{"name": "x.json", "document": {}}]}, "new": {},
		"resource": "arn:aws:s3:::b",
	})
	[e.field | some e in report.errors] == ["old: x.json: Statement", "resource"]
	report.rows == []
	from_input := diff.report with input as {"old": "junk", "new": {}}
	from_input.rows == []
}

# An Allow on every user pool added beside one on pool A: pool A stays allowed,
# every other pool is gained.
test_allowed_on_every_pool_widens if {
	every_pool := {"name": "admin.json", "document": {"Version": "2012-10-17", "Statement": [
		{"Sid": "Admin", "Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": _pool},
		{"Effect": "Allow", "Action": "cognito-idp:AdminGetUser", "Resource": "arn:aws:cognito-idp:*:*:userpool/*"},
	]}}
	report := diff.compare({"old": {"policies": [_admin]}, "new": {"policies": [every_pool]}})
	[[r.action, r.old.decision, r.new.decision, r.gained, r.lost] | some r in report.rows] == [[
		"cognito-idp:AdminGetUser", "partial", "allow", ["*"], [],
	]]
}
