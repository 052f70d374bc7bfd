package cognito.authz_test

import data.cognito.authz

# Expectations below come from AWS documentation, named beside each group.
# The tests run against the bundle data (opa test rego/ bundles/data/).

_pool := "arn:aws:cognito-identity:us-east-1:0123456789:identitypool/us-east-1:1a1a1a1a-ffff-1111-9999-12345678"

_sync_pool := "arn:aws:cognito-sync:us-east-1:0123456789:identitypool/us-east-1:1a1a1a1a-ffff-1111-9999-12345678"

# Amazon Cognito Developer Guide, "Identity and Access Management in Amazon
# Cognito User Pools" (resource-permissions), "Example Policies":
# "Restricting Console Access to a Specific Identity Pool" (verbatim).
_console_policy := {"Version": "2012-10-17", "Statement": [
	{"Effect": "Allow", "Action": ["cognito-identity:ListIdentityPools"], "Resource": "*"},
	{"Effect": "Allow", "Action": ["cognito-identity:*"], "Resource": _pool},
	{"Effect": "Allow", "Action": ["cognito-sync:*"], "Resource": _sync_pool},
]}

# Same page, "Allowing Access to Specific Dataset for All Identities in a Pool" (verbatim).
_dataset_policy := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Action": ["cognito-sync:ListRecords", "cognito-sync:UpdateRecords"],
	"Resource": concat("", [_sync_pool, "/identity/*/dataset/UserProfile"]),
}]}

_dataset(pool, identity, name) := sprintf("%s/identity/%s/dataset/%s", [pool, identity, name])

_identity := "us-east-1:2b2b2b2b-aaaa-2222-8888-123456789abc"

_decide(action, resource, policies) := authz.decide({"action": action, "resource": resource, "policies": policies})

# --- Console policy: the listing, the pool itself, the pool's sync data ---------------------------

test_console_policy_lists_identity_pools if {
	d := _decide("cognito-identity:ListIdentityPools", "*", [_console_policy])
	d.decision == "allow"
	d.allowed == true
	d.signed == true
	d.matched == [{"policy": "policies[0]", "statement": 0, "effect": "Allow"}]
}

test_console_policy_allows_any_identity_action_on_its_pool if {
	every act in [
		"cognito-identity:DescribeIdentityPool",
		"cognito-identity:DeleteIdentityPool",
		"cognito-identity:ListIdentities",
	] {
		d := _decide(act, _pool, [_console_policy])
		d.decision == "allow"
		d.matched == [{"policy": "policies[0]", "statement": 1, "effect": "Allow"}]
	}
}

test_console_policy_denies_another_identity_pool if {
	other := "arn:aws:cognito-identity:us-east-1:0123456789:identitypool/us-east-1:2b2b2b2b-ffff-1111-9999-12345678"
	d := _decide("cognito-identity:DescribeIdentityPool", other, [_console_policy])
	d.decision == "implicit_deny"
	d.allowed == false
	d.matched == []
}

test_console_policy_allows_sync_on_the_pool if {
	d := _decide("cognito-sync:DescribeIdentityPoolUsage", _sync_pool, [_console_policy])
	d.decision == "allow"
	d.matched == [{"policy": "policies[0]", "statement": 2, "effect": "Allow"}]
}

# IAM User Guide, "IAM JSON policy elements: Resource": without a wildcard the
# ARN must match exactly, so the pool ARN does not name the pool's datasets.
test_console_policy_pool_arn_does_not_name_datasets if {
	d := _decide("cognito-sync:ListRecords", _dataset(_sync_pool, _identity, "UserProfile"), [_console_policy])
	d.decision == "implicit_deny"
}

# The policy names no cognito-idp action.
test_console_policy_grants_nothing_on_user_pools if {
	d := _decide("cognito-idp:ListUserPools", "*", [_console_policy])
	d.decision == "implicit_deny"
}

# --- Dataset policy: UserProfile of every identity of the pool, nothing else ----------------------

test_dataset_policy_allows_user_profile_of_any_identity if {
	every identity in [_identity, "us-east-1:3c3c3c3c-bbbb-3333-7777-123456789abc"] {
		every act in ["cognito-sync:ListRecords", "cognito-sync:UpdateRecords"] {
			d := _decide(act, _dataset(_sync_pool, identity, "UserProfile"), [_dataset_policy])
			d.decision == "allow"
			d.matched == [{"policy": "policies[0]", "statement": 0, "effect": "Allow"}]
		}
	}
}

test_dataset_policy_denies_other_datasets if {
	every name in ["Settings", "UserProfileBackup", "userprofile"] {
		d := _decide("cognito-sync:ListRecords", _dataset(_sync_pool, _identity, name), [_dataset_policy])
		d.decision == "implicit_deny"
	}
}

test_dataset_policy_denies_other_pools if {
	other := "arn:aws:cognito-sync:us-east-1:0123456789:identitypool/us-east-1:9f9f9f9f-ffff-1111-9999-12345678"
	d := _decide("cognito-sync:ListRecords", _dataset(other, _identity, "UserProfile"), [_dataset_policy])
	d.decision == "implicit_deny"
}

test_dataset_policy_denies_other_actions if {
	d := _decide("cognito-sync:DeleteDataset", _dataset(_sync_pool, _identity, "UserProfile"), [_dataset_policy])
	d.decision == "implicit_deny"
}

# IAM User Guide, "IAM JSON policy elements: Action": action names are not case sensitive.
test_dataset_policy_action_case_insensitive if {
	d := _decide("COGNITO-SYNC:listrecords", _dataset(_sync_pool, _identity, "UserProfile"), [_dataset_policy])
	d.decision == "allow"
}

# The documented examples use the 10-digit account ID 0123456789 and
# shortened pool IDs: evaluated as written, with warnings.
test_documented_example_ids_warn if {
	d := _decide("cognito-identity:DescribeIdentityPool", _pool, [_console_policy])
	codes := {w.code | some w in d.warnings}
	"noncanonical_account_id" in codes
	"noncanonical_identity_pool_id" in codes
}

# --- Signed versus unsigned APIs -------------------------------------------------------------------
# Same page, "Signed versus Unsigned APIs": these "are unsigned, and therefore
# cannot be restricted via an IAM policy" (4 of Federated Identities, 21 of
# user pools): an explicit Deny of everything changes nothing.
_seed_unsigned := [
	"cognito-identity:GetId", "cognito-identity:GetOpenIdToken",
	"cognito-identity:GetCredentialsForIdentity", "cognito-identity:UnlinkIdentity",
	"cognito-idp:ChangePassword", "cognito-idp:ConfirmDevice", "cognito-idp:ConfirmForgotPassword",
	"cognito-idp:ConfirmSignUp", "cognito-idp:DeleteUser", "cognito-idp:DeleteUserAttributes",
	"cognito-idp:ForgetDevice", "cognito-idp:ForgotPassword", "cognito-idp:GetDevice",
	"cognito-idp:GetUser", "cognito-idp:GetUserAttributeVerificationCode", "cognito-idp:GlobalSignOut",
	"cognito-idp:InitiateAuth", "cognito-idp:ListDevices", "cognito-idp:ResendConfirmationCode",
	"cognito-idp:RespondToAuthChallenge", "cognito-idp:SetUserSettings", "cognito-idp:SignUp",
	"cognito-idp:UpdateDeviceStatus", "cognito-idp:UpdateUserAttributes", "cognito-idp:VerifyUserAttribute",
]

_deny_all := {
	"Version": "2012-10-17",
	"Statement": [{"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}],
}

test_seed_unsigned_apis_not_governed_even_with_explicit_deny if {
	count(_seed_unsigned) == 25
	every act in _seed_unsigned {
		d := _decide(act, "*", [_deny_all])
		d.decision == "not_governed_by_iam"
		d.allowed == true
		d.signed == false
		d.matched == []
	}
}

# Their signed, IAM-authorized counterparts are denied by the same policy
# (e.g. AdminInitiateAuth: "Amazon Cognito user pools API Reference" marks it
# as requiring IAM credentials).
test_signed_counterparts_explicitly_denied if {
	every act in [
		"cognito-idp:AdminInitiateAuth",
		"cognito-idp:AdminGetUser",
		"cognito-identity:DescribeIdentityPool",
	] {
		d := _decide(act, "*", [_deny_all])
		d.decision == "explicit_deny"
		d.signed == true
		d.matched == [{"policy": "policies[0]", "statement": "DenyAll", "effect": "Deny"}]
	}
}

# --- Managed policies ("Managed Policies" section of the seed; documents from
# the AWS Managed Policy Reference) ------------------------------------------------------------------
_catalog_actions := data.cognito.reference.catalog.actions

_managed(action, resource, names) := authz.decide({"action": action, "resource": resource, "managed_policies": names})

# AmazonCognitoReadOnly: "Permissions for read only access": no action whose
# access level is Write is allowed; the only Write actions its Get* patterns
# name are unsigned ones, which IAM does not govern at all.
test_read_only_grants_no_write_action if {
	writes := [e.action | some e in _catalog_actions; e.access_level == "Write"]
	count(writes) > 50
	every act in writes {
		d := _managed(act, "*", ["AmazonCognitoReadOnly"])
		d.decision != "allow"
		_unsigned_or_denied(d)
	}
}

_unsigned_or_denied(d) if {
	d.decision == "not_governed_by_iam"
	d.signed == false
}

_unsigned_or_denied(d) if d.decision == "implicit_deny"

# The unsigned Write operations that AmazonCognitoReadOnly's Get* names (GetId,
# GetTokensFromRefreshToken) are not governed by IAM whatever the policy.
test_read_only_get_star_names_only_unsigned_writes if {
	named := {e.action |
		some e in _catalog_actions
		e.access_level == "Write"
		regex.match(`^cognito-(identity|idp|sync):Get`, e.action)
	}
	count(named) > 0
	every act in named {
		_managed(act, "*", ["AmazonCognitoReadOnly"]).decision == "not_governed_by_iam"
	}
}

# Its Describe*, Get* and List* actions (Read and List levels) are allowed, on any resource.
test_read_only_allows_describe_get_list if {
	every act in [
		"cognito-identity:DescribeIdentityPool", "cognito-idp:DescribeUserPool", "cognito-idp:AdminGetUser",
		"cognito-idp:ListUserPools", "cognito-sync:ListRecords", "cognito-sync:DescribeDataset",
	] {
		_managed(act, "*", ["AmazonCognitoReadOnly"]).decision == "allow"
	}
}

# AmazonCognitoPowerUser: "Permissions for accessing and managing all aspects of
# your identity pools" - cognito-identity:*, cognito-idp:*, cognito-sync:* on "*".
test_power_user_allows_every_signed_cognito_action if {
	signed := [e.action | some e in _catalog_actions; e.signed == true]
	count(signed) > 100
	every act in signed {
		d := _managed(act, "*", ["arn:aws:iam::aws:policy/AmazonCognitoPowerUser"])
		d.decision == "allow"
		d.matched[0].policy == "AmazonCognitoPowerUser"
	}
}

# AmazonCognitoDeveloperAuthenticatedIdentities: "Permissions for your
# authentication system to integrate with Amazon Cognito" - exactly the four
# developer-identity operations.
test_developer_authenticated_identities_allows_its_four_actions if {
	allowed := {e.action |
		some e in _catalog_actions
		_managed(e.action, "*", ["AmazonCognitoDeveloperAuthenticatedIdentities"]).decision == "allow"
	}
	allowed == {
		"cognito-identity:GetOpenIdTokenForDeveloperIdentity", "cognito-identity:LookupDeveloperIdentity",
		"cognito-identity:MergeDeveloperIdentities", "cognito-identity:UnlinkDeveloperIdentity",
	}
}

# AmazonCognitoUnauthenticatedIdentities (AWS Managed Policy Reference): rum:PutRumEvents only.
test_unauthenticated_identities_policy if {
	_managed("rum:PutRumEvents", "*", ["AmazonCognitoUnauthenticatedIdentities"]).decision == "allow"
	_managed("cognito-idp:ListUserPools", "*", ["AmazonCognitoUnauthenticatedIdentities"]).decision == "implicit_deny"
}

# --- Batch entry point --------------------------------------------------------------------------------

test_decisions_keeps_order_and_isolates_malformed_requests if {
	ds := authz.decisions with input as {"requests": [
		{"action": "cognito-identity:ListIdentityPools", "resource": "*", "policies": [_console_policy]},
		{"action": "cognito-identity:ListIdentityPools", "resource": "*", "policies": [{"Statement": 7}]},
		"not a request",
		{"action": "cognito-idp:SignUp", "resource": "*", "policies": [_deny_all]},
	]}
	[d.decision | some d in ds] == ["allow", "invalid", "invalid", "not_governed_by_iam"]
	ds[1].errors[0].field == "policies[0].Statement"
}

test_decisions_without_a_request_list_is_empty if {
	authz.decisions == [] with input as {"requests": "none"}
}

test_decision_reads_input if {
	d := authz.decision with input as {
		"action": "cognito-identity:ListIdentityPools",
		"resource": "*",
		"policies": [_console_policy],
	}
	d.decision == "allow"
}

test_invalid_decision_shape if {
	d := authz.decide({"action": "cognito-idp", "resource": "*"})
	d.decision == "invalid"
	d.allowed == false
	d.signed == true
	d.errors == [{
		"code": "invalid_action",
		"field": "action",
		"message": "action \"cognito-idp\" is not of the form service:Name",
	}]
	contains(d.reason, "action")
}

test_invalid_unsigned_action_reports_unsigned if {
	d := authz.decide({"action": "cognito-idp:SignUp", "resource": 5})
	d.decision == "invalid"
	d.signed == false
}

test_every_decision_has_the_contract_keys if {
	every d in [
		_decide("cognito-identity:ListIdentityPools", "*", [_console_policy]),
		_decide("cognito-idp:SignUp", "*", []),
		authz.decide({}),
	] {
		object.keys(d) == {"allowed", "decision", "signed", "matched", "warnings", "errors", "reason"}
	}
}

_no_result(r) := r.never

# Should the evaluation ever produce nothing, the request is denied by default, not dropped.
test_missing_evaluation_denies if {
	d := authz.decide({
		"action": "cognito-idp:ListUserPools",
		"resource": "*",
	}) with data.cognito.applicable.facts as _no_result
	d.decision == "implicit_deny"
	d.warnings[0].code == "evaluation_incomplete"
	v := authz.verdict_of({
		"action": "cognito-idp:ListUserPools",
		"resource": "*",
	}) with data.cognito.applicable.facts as _no_result
	v == {"allowed": false, "decision": "implicit_deny"}
}

# The reason of an unsigned operation names its authorization model and the
# sources that list it (the seed page among them).
test_unsigned_reason_names_sources if {
	d := authz.decide({"action": "cognito-idp:SignUp", "resource": "*"})
	contains(d.reason, "public authorization")
	contains(d.reason, "sources: seed")
	fixture := {"actions": {"x:y": {"action": "x:Y", "signed": false, "authorization": "token"}}}

	e := authz.decide({"action": "x:Y", "resource": "*"}) with data.cognito.reference.catalog as fixture
	e.reason == "x:Y is not signed with AWS credentials (token authorization), so IAM policies cannot allow or deny it."
}

# STS API Reference, GetCallerIdentity: "If an administrator attaches a policy to
# your identity that explicitly denies access to the sts:GetCallerIdentity action,
# you can still perform this operation." The request is signed; no policy decides it.
test_get_caller_identity_needs_no_permission if {
	denied := authz.decide({
		"action": "sts:GetCallerIdentity", "resource": "*",
		"principal": "arn:aws:iam::111122223333:user/Alice",
		"policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:*", "Resource": "*"}]}],
	})
	[denied.allowed, denied.decision, denied.signed, denied.matched] == [true, "not_governed_by_iam", true, []]
	contains(denied.reason, "API_GetCallerIdentity.html")
	authz.decide({"action": "STS:getCallerIdentity", "resource": "*"}).decision == "not_governed_by_iam"
	authz.decide({"action": "sts:GetSessionToken", "resource": "*"}).decision == "implicit_deny"
}
