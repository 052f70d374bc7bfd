"""The seed page's two example policies, through the Python API and the real OPA.

Source: Amazon Cognito Developer Guide, "Identity and Access Management in Amazon Cognito User
Pools" (resource-permissions.html), section "Example Policies". A policy grants exactly what its
Allow statements match; everything else is implicitly denied (IAM User Guide, "Policy evaluation
logic", "Determining whether a request is allowed or denied within an account").
"""

from __future__ import annotations

import pytest

from pycognito_opa import Engine

POOL_ID = "us-east-1:1a1a1a1a-ffff-1111-9999-12345678"
ACCOUNT = "0123456789"
IDENTITY_POOL = f"arn:aws:cognito-identity:us-east-1:{ACCOUNT}:identitypool/{POOL_ID}"
SYNC_POOL = f"arn:aws:cognito-sync:us-east-1:{ACCOUNT}:identitypool/{POOL_ID}"
OTHER_POOL_ID = "us-east-1:2b2b2b2b-eeee-2222-8888-87654321"

# "Restricting Console Access to a Specific Identity Pool"
CONSOLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["cognito-identity:ListIdentityPools"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["cognito-identity:*"], "Resource": IDENTITY_POOL},
        {"Effect": "Allow", "Action": ["cognito-sync:*"], "Resource": SYNC_POOL},
    ],
}

# "Allowing Access to Specific Dataset for All Identities in a Pool"
DATASET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["cognito-sync:ListRecords", "cognito-sync:UpdateRecords"],
            "Resource": f"{SYNC_POOL}/identity/*/dataset/UserProfile",
        }
    ],
}

IDENTITY = "us-east-1:12345678-1234-1234-1234-123456789012"

CASES = [
    # The first statement lists every pool: ListIdentityPools on "*".
    (CONSOLE_POLICY, "cognito-identity:ListIdentityPools", "*", "allow"),
    # The second statement allows every cognito-identity action on the one pool.
    (CONSOLE_POLICY, "cognito-identity:DescribeIdentityPool", IDENTITY_POOL, "allow"),
    (CONSOLE_POLICY, "cognito-identity:DeleteIdentityPool", IDENTITY_POOL, "allow"),
    # ... and nothing on another pool.
    (
        CONSOLE_POLICY,
        "cognito-identity:DescribeIdentityPool",
        IDENTITY_POOL.replace(POOL_ID, OTHER_POOL_ID),
        "implicit_deny",
    ),
    # The third statement allows every cognito-sync action on the pool.
    (CONSOLE_POLICY, "cognito-sync:DescribeIdentityPoolUsage", SYNC_POOL, "allow"),
    # No statement names a user pool action.
    (CONSOLE_POLICY, "cognito-idp:ListUserPools", "*", "implicit_deny"),
    # The dataset policy: ListRecords and UpdateRecords on UserProfile of any identity in the pool.
    (
        DATASET_POLICY,
        "cognito-sync:ListRecords",
        f"{SYNC_POOL}/identity/{IDENTITY}/dataset/UserProfile",
        "allow",
    ),
    (
        DATASET_POLICY,
        "cognito-sync:UpdateRecords",
        f"{SYNC_POOL}/identity/{IDENTITY}/dataset/UserProfile",
        "allow",
    ),
    # Another dataset, or an action the policy does not name: not allowed.
    (
        DATASET_POLICY,
        "cognito-sync:ListRecords",
        f"{SYNC_POOL}/identity/{IDENTITY}/dataset/Settings",
        "implicit_deny",
    ),
    (
        DATASET_POLICY,
        "cognito-sync:DeleteDataset",
        f"{SYNC_POOL}/identity/{IDENTITY}/dataset/UserProfile",
        "implicit_deny",
    ),
]


@pytest.mark.parametrize(("policy", "action", "resource", "expected"), CASES)
def test_seed_policy(engine: Engine, policy: dict, action: str, resource: str, expected: str):
    decision = engine.decide({"action": action, "resource": resource, "policies": [policy]})
    assert decision.decision == expected, decision
    assert decision.allowed is (expected == "allow")
    assert decision.signed is True


def test_batch_gives_the_same_answers_in_order(engine: Engine):
    requests = [
        {"action": action, "resource": resource, "policies": [policy]}
        for policy, action, resource, _ in CASES
    ]
    decisions = engine.decide_many(requests)
    assert [d.decision for d in decisions] == [expected for *_, expected in CASES]


def test_allow_names_the_statement_that_allowed(engine: Engine):
    decision = engine.decide(
        {
            "action": "cognito-identity:ListIdentityPools",
            "resource": "*",
            "policies": [CONSOLE_POLICY],
        }
    )
    # The first statement (index 0, no Sid) of the first inline policy is the one that allows.
    assert [(m.policy, m.statement, m.effect) for m in decision.matched] == [
        ("policies[0]", 0, "Allow")
    ]
