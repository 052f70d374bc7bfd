# METADATA
# description: |
#   What the documentation says these policies grant. The seed page
#   ("Managed Policies"): AmazonCognitoReadOnly gives read only access,
#   AmazonCognitoPowerUser access to all aspects; its "Example Policies"
#   grant what their statements name - the console example every
#   cognito-identity and cognito-sync action on one identity pool plus
#   ListIdentityPools, the dataset example ListRecords and UpdateRecords on
#   one dataset of every identity. "Signed versus Unsigned APIs": the
#   unsigned APIs (GetId, GetUser ...) are not governed by IAM. The access
#   levels are the IAM Service Authorization Reference's.
package cognito.analysis.whatcan_test

import data.cognito.analysis.whatcan

_pool_id := "us-east-1:1a1a1a1a-ffff-1111-9999-12345678"

_identity_pool := sprintf("arn:aws:cognito-identity:us-east-1:0123456789:identitypool/%s", [_pool_id])

_sync_pool := sprintf("arn:aws:cognito-sync:us-east-1:0123456789:identitypool/%s", [_pool_id])

_datasets := sprintf("%s/identity/*/dataset/UserProfile", [_sync_pool])

_console := {"name": "console.json", "document": {"Version": "2012-10-17", "Statement": [
	{"Effect": "Allow", "Action": ["cognito-identity:ListIdentityPools"], "Resource": "*"},
	{"Effect": "Allow", "Action": ["cognito-identity:*"], "Resource": _identity_pool},
	{"Effect": "Allow", "Action": ["cognito-sync:*"], "Resource": _sync_pool},
]}}

_dataset := {"name": "dataset.json", "document": {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Action": ["cognito-sync:ListRecords", "cognito-sync:UpdateRecords"],
	"Resource": _datasets,
}]}}

_row(report, act, rtype) := r if {
	some r in report.rows
	r.action == act
	r.resource_type == rtype
}

_no_write_grant(r) if not r.access_level in {"Write", "Tagging", "Permissions management"}

_no_write_grant(r) if not r.allowed

_no_write_grant(r) if r.signed == false

_levels(report, decisions) := {r.access_level | some r in report.rows; r.decision in decisions}

test_read_only_grants_list_and_read_only if {
	report := whatcan.report with input as {"managed_policies": ["AmazonCognitoReadOnly"]}
	report.errors == []
	_levels(report, {"allow", "partial", "conditional"}) == {"List", "Read"}
	every r in report.rows {
		_no_write_grant(r)
	}
	_row(report, "cognito-idp:ListUsers", "cognito-idp:userpool").decision == "allow"
	_row(report, "cognito-sync:ListRecords", "cognito-sync:dataset").decision == "allow"
	_row(report, "cognito-idp:AdminCreateUser", "cognito-idp:userpool").decision == "implicit_deny"
}

# Its Get* patterns also name unsigned APIs, which IAM does not govern anyway.
test_read_only_get_names_unsigned_apis if {
	report := whatcan.report with input as {"managed_policies": ["AmazonCognitoReadOnly"]}
	unsigned := [
		"cognito-identity:GetId", "cognito-identity:GetOpenIdToken",
		"cognito-idp:GetUser", "cognito-idp:GetDevice",
	]
	every act in unsigned {
		row := _row(report, act, "*")
		row.decision == "not_governed_by_iam"
		row.signed == false
	}
}

test_power_user_grants_everything if {
	report := whatcan.report with input as {"managed_policies": ["AmazonCognitoPowerUser"]}
	{r.decision | some r in report.rows; r.signed} == {"allow"}
	{r.service | some r in report.rows} == {"cognito-identity", "cognito-idp", "cognito-sync"}
	count(report.rows) == count({[r.action, r.resource_type] | some r in report.rows})
	report.summary["cognito-idp"].Write.allow > 50
}

test_console_example_grants_one_identity_pool if {
	report := whatcan.report with input as {"policies": [_console]}
	list := _row(report, "cognito-identity:ListIdentityPools", "*")
	list.decision == "allow"
	list.matched == [{"policy": "console.json", "statement": 0, "effect": "Allow"}]
	delete := _row(report, "cognito-identity:DeleteIdentityPool", "cognito-identity:identitypool")
	delete.decision == "partial"
	delete.on == [_identity_pool]
	delete.matched == [{"policy": "console.json", "statement": 1, "effect": "Allow"}]
	_row(report, "cognito-sync:SetIdentityPoolConfiguration", "cognito-sync:identitypool").on == [_sync_pool]
	_row(report, "cognito-sync:ListRecords", "cognito-sync:dataset").decision == "implicit_deny"
	_row(report, "cognito-idp:ListUsers", "cognito-idp:userpool").decision == "implicit_deny"
}

test_console_example_on_its_pool if {
	report := whatcan.report with input as {"policies": [_console], "resource": _identity_pool}
	{r.action | some r in report.rows; r.decision == "allow"} == {
	r.action |
		some r in report.rows
		r.signed
	}
	_row(report, "cognito-identity:DeleteIdentityPool", "cognito-identity:identitypool").resource == _identity_pool
	not _row(report, "cognito-identity:ListIdentityPools", "*")
	other_pool := replace(_identity_pool, "1a1a1a1a", "2b2b2b2b")
	other := whatcan.report with input as {"policies": [_console], "resource": other_pool}
	{r.decision | some r in other.rows} == {"implicit_deny"}
}

test_dataset_example if {
	report := whatcan.report with input as {"policies": [_dataset]}
	{[r.action, r.decision] | some r in report.rows; r.decision != "implicit_deny"; r.signed} == {
		["cognito-sync:ListRecords", "partial"], ["cognito-sync:UpdateRecords", "partial"],
	}
	_row(report, "cognito-sync:ListRecords", "cognito-sync:dataset").on == [_datasets]
	one := sprintf("%s/identity/us-east-1:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/dataset/UserProfile", [_sync_pool])
	on_one := whatcan.report with input as {"policies": [_dataset], "resource": one}
	{[r.action, r.decision] | some r in on_one.rows; r.decision == "allow"} == {
		["cognito-sync:ListRecords", "allow"], ["cognito-sync:UpdateRecords", "allow"],
	}
	other := whatcan.report with input as {"policies": [_dataset], "resource": replace(one, "UserProfile", "Settings")}
	{r.decision | some r in other.rows} == {"implicit_deny"}
}

# The Cognito developer guide's per-identity access: ${cognito-identity.amazonaws.com:sub}
# depends on the caller, so the grant is conditional; so is one under a Condition.
test_conditional_grants if {
	own := {"name": "own.json", "document": {"Version": "2012-10-17", "Statement": [
		{
			"Effect": "Allow", "Action": ["cognito-sync:ListRecords"],
			"Resource": concat("", [
				"arn:aws:cognito-sync:us-east-1:123456789012:identitypool/*/identity/",
				"${cognito-identity.amazonaws.com:sub}/*",
			]),
		},
		{
			"Sid": "Tagged", "Effect": "Allow", "Action": "cognito-idp:AdminGetUser", "Resource": "*",
			"Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}},
		},
		{
			"Effect": "Allow", "Action": "cognito-idp:ListUserPools", "NotResource": "arn:aws:s3:::b",
			"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
		},
	]}}
	report := whatcan.report with input as {"policies": [own]}
	records := _row(report, "cognito-sync:ListRecords", "cognito-sync:dataset")
	records.decision == "conditional"
	records.conditional == [{"policy": "own.json", "statement": 0}]
	tagged := _row(report, "cognito-idp:AdminGetUser", "cognito-idp:userpool")
	tagged.conditional == [{"policy": "own.json", "statement": "Tagged"}]
	_row(report, "cognito-idp:ListUserPools", "*").decision == "conditional"
	_row(report, "cognito-sync:UpdateRecords", "cognito-sync:dataset").decision == "implicit_deny"
}

_mfa_only := {"name": "p", "document": {"Statement": [{
	"Effect": "Allow", "Action": "cognito-idp:ListUserPools", "Resource": "*",
	"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
}]}}

test_conditional_on_a_resource if {
	report := whatcan.report with input as {"policies": [_mfa_only], "resource": "*"}
	_row(report, "cognito-idp:ListUserPools", "*").decision == "conditional"
	{r.resource_type | some r in report.rows} == {"*"}
}

# "Allow ... except": an Allow on every user pool and a Deny on one.
test_partial_with_exceptions if {
	prod := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_PROD"
	except := {"name": "p", "document": {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": "arn:aws:cognito-idp:*:*:userpool/*"},
		{"Effect": "Deny", "Action": "cognito-idp:AdminDeleteUser", "Resource": prod},
		{"Effect": "Deny", "Action": "cognito-idp:AdminCreateUser", "Resource": "*"},
	]}}
	report := whatcan.report with input as {"policies": [except]}
	delete := _row(report, "cognito-idp:AdminDeleteUser", "cognito-idp:userpool")
	delete.decision == "partial"
	delete.on == ["*"]
	delete.except == [prod]
	_row(report, "cognito-idp:AdminGetUser", "cognito-idp:userpool").decision == "allow"
	_row(report, "cognito-idp:AdminCreateUser", "cognito-idp:userpool").decision == "explicit_deny"
}

test_principal_from_the_bundle if {
	store := {"arn:aws:iam::111122223333:role/Admins": {
		"policies": {"pool-admin": {"Version": "2012-10-17", "Statement": [{
			"Sid": "Own", "Effect": "Allow", "Action": "cognito-idp:Admin*",
			"Resource": "arn:aws:cognito-idp:*:111122223333:userpool/*",
		}]}},
		"managed_policies": ["AmazonCognitoReadOnly"],
	}}

	input_report := {"principal": "arn:aws:iam::111122223333:role/Admins"}

	report := whatcan.report with input as input_report with data.cognito.store.principals as store
	report.errors == []
	delete := _row(report, "cognito-idp:AdminDeleteUser", "cognito-idp:userpool")
	delete.decision == "allow"
	delete.resource == "arn:aws:cognito-idp:${Region}:111122223333:userpool/${UserPoolId}"
	delete.matched == [{"policy": "principal:pool-admin", "statement": "Own", "effect": "Allow"}]
	_row(report, "cognito-idp:ListUsers", "cognito-idp:userpool").decision == "allow"
}

# The stored policies' own Resource patterns are what "partial" is judged on.
test_principal_limited_to_one_region if {
	regional := "arn:aws:cognito-idp:us-east-1:111122223333:userpool/*"
	store := {"arn:aws:iam::111122223333:role/Support": {"policies": {"support": {
		"Version": "2012-10-17",
		"Statement": [{"Effect": "Allow", "Action": "cognito-idp:AdminGetUser", "Resource": regional}],
	}}}}
	query := {"principal": "arn:aws:iam::111122223333:role/Support"}

	report := whatcan.report with input as query with data.cognito.store.principals as store
	get := _row(report, "cognito-idp:AdminGetUser", "cognito-idp:userpool")
	get.decision == "partial"
	get.on == [regional]
	get.matched == [{"policy": "principal:support", "statement": 0, "effect": "Allow"}]
}

test_errors if {
	report := whatcan.report with input as {"policies": [{"name": "bad.json", "document": {"Statement": "no"}}]}
	[e.field | some e in report.errors] == ["bad.json: Statement"]
	report.rows == []
	wildcard := whatcan.report with input as {
		"managed_policies": ["AmazonCognitoReadOnly"],
		"resource": "arn:aws:cognito-idp:*:*:userpool/*",
	}
	[e.code | some e in wildcard.errors] == ["resource_pattern"]
}

test_rows_order_and_summary if {
	report := whatcan.report with input as {"managed_policies": ["AmazonCognitoReadOnly"]}
	report.rows[0].service == "cognito-identity"
	report.rows[0].access_level == "List"
	report.summary["cognito-sync"].Write == {"implicit_deny": 9}
	whatcan.sort_rows([
		{"service": "s", "access_level": "Unheard of", "action": "b", "resource_type": "*"},
		{"service": "s", "access_level": "Read", "action": "a", "resource_type": "*"},
	])[0].access_level == "Read"
}
