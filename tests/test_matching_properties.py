"""Property-based tests of IAM wildcard matching and ARN parsing, through the real OPA.

Each property compares OPA's answer with a small reference written only for these tests, from the
IAM User Guide:
- "IAM JSON policy elements: Action": action names are case-insensitive; `*` matches any run of
  characters (`?` one character, as in the "Action" and "Resource" wildcard rules).
- "IAM JSON policy elements: Resource": ARN matching is case-sensitive; `*` and `?` may be used in
  each of the six colon-delimited ARN segments; within a segment `*` matches any run of characters
  (`/` included, and `:` in the resource segment, which keeps its own colons); "If the * wildcard is
  the last character of a resource ARN segment, it can expand to match beyond the colon boundaries";
  `Resource: "*"` matches every resource. No other character is special.
- "IAM identifiers", section "ARN format": arn:partition:service:region:account-id:resource.
"""

from __future__ import annotations

from functools import cache

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pycognito_opa import Engine

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def reference_resource_match(pattern: str, value: str) -> bool:
    """IAM Resource matching, character by character (an obviously-correct recursion)."""
    if pattern == "*":
        return True

    @cache
    def match(p: int, v: int) -> bool:
        if p == len(pattern):
            return v == len(value)
        ch = pattern[p]
        in_resource_part = pattern.count(":", 0, p) >= 5
        if ch == "*":
            ends_segment = p + 1 == len(pattern) or pattern[p + 1] == ":"
            crosses_colons = in_resource_part or ends_segment
            # try every length for the star's run
            for end in range(v, len(value) + 1):
                if match(p + 1, end):
                    return True
                if end < len(value) and value[end] == ":" and not crosses_colons:
                    return False
            return False
        if v == len(value):
            return False
        if ch == "?":
            return (value[v] != ":" or in_resource_part) and match(p + 1, v + 1)
        return ch == value[v] and match(p + 1, v + 1)

    return match(0, 0)


def reference_action_match(pattern: str, action: str) -> bool:
    pattern, action = pattern.lower(), action.lower()

    @cache
    def match(p: int, a: int) -> bool:
        if p == len(pattern):
            return a == len(action)
        if pattern[p] == "*":
            return match(p + 1, a) or (a < len(action) and match(p, a + 1))
        if a == len(action):
            return False
        return (pattern[p] == "?" or pattern[p] == action[a]) and match(p + 1, a + 1)

    return match(0, 0)


# Characters IAM treats literally, including glob and regex metacharacters ("$" is left out:
# "${" starts a policy variable, tested in rego/cognito/variables).
LITERALS = "abcXY09-_./[]{}\\.+()^|"
segment = st.text(alphabet=LITERALS, min_size=1, max_size=6)
resource_part = st.text(alphabet=LITERALS + ":", min_size=1, max_size=12)


@st.composite
def arns(draw) -> str:
    parts = [draw(segment) for _ in range(4)]
    return "arn:" + ":".join(parts) + ":" + draw(resource_part)


@st.composite
def pattern_for(draw, value: str, keep: int = 4, alphabet: str = LITERALS + ":") -> str:
    """A pattern made from `value` by a few edits after its first `keep` characters (a Resource
    must start with "arn:", an Action with "service:"): a run turned into `*`, a character into
    `?`, or into another character."""
    out = value
    for _ in range(draw(st.integers(0, 3))):
        if len(out) <= keep:
            break
        i = draw(st.integers(keep, len(out) - 1))
        kind = draw(st.sampled_from(["star", "question", "other"]))
        if kind == "star":
            j = draw(st.integers(i, min(len(out), i + 8)))
            out = out[:i] + "*" + out[j:]
        elif kind == "question":
            out = out[:i] + "?" + out[i + 1 :]
        else:
            out = out[:i] + draw(st.sampled_from(alphabet)) + out[i + 1 :]
    return out


def _allows(engine: Engine, action: str, resource: str, action_pattern: str, resource_pattern):
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action_pattern, "Resource": resource_pattern}],
    }
    decision = engine.decide({"action": action, "resource": resource, "policies": [policy]})
    assert decision.decision in ("allow", "implicit_deny"), decision
    return decision.allowed


@SETTINGS
@given(data=st.data())
def test_resource_wildcards_match_like_iam(engine: Engine, data):
    value = data.draw(arns())
    pattern = data.draw(st.one_of(pattern_for(value), arns()))
    expected = reference_resource_match(pattern, value)
    got = _allows(engine, "cognito-idp:ListUserPools", value, "cognito-idp:ListUserPools", pattern)
    assert got == expected, (pattern, value)


ACTION_CHARS = "abcdefgXYZ"
action_name = st.text(alphabet=ACTION_CHARS, min_size=1, max_size=10)


@SETTINGS
@given(data=st.data())
def test_action_wildcards_match_case_insensitively(engine: Engine, data):
    action = "cognito-idp:" + data.draw(action_name)
    raw = data.draw(
        st.one_of(
            pattern_for(action, keep=len("cognito-idp:"), alphabet=ACTION_CHARS),
            st.just("cognito-idp:*"),
        )
    )
    pattern = data.draw(st.sampled_from([raw, raw.upper(), raw.lower(), raw.swapcase()]))
    expected = reference_action_match(pattern, action)
    assert _allows(engine, action, "*", pattern, "*") == expected, (pattern, action)


def _query(engine: Engine, query: str, input_value: object) -> list[dict]:
    # The session's OPA answers its Engine alone: this ad-hoc query presents its owner token.
    assert engine.process is not None
    resp = requests.post(
        f"{engine.url}/v1/query",
        json={"query": query, "input": input_value},
        headers={"Authorization": f"Bearer {engine.process.owner_token}"},
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json().get("result", [])


@SETTINGS
@given(
    partition=st.sampled_from(["aws", "aws-cn", "aws-us-gov"]),
    service=st.sampled_from(["cognito-identity", "cognito-sync", "cognito-idp", "s3"]),
    region=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", max_size=14),
    account=st.text(alphabet="0123456789", max_size=12),
    resource=resource_part,
)
def test_arn_parse_keeps_the_resource_parts_colons(
    engine: Engine, partition, service, region, account, resource
):
    arn = f"arn:{partition}:{service}:{region}:{account}:{resource}"
    rows = _query(engine, "parsed := data.cognito.arn.parse(input.arn)", {"arn": arn})
    assert rows, arn
    assert rows[0]["parsed"] == {
        "partition": partition,
        "service": service,
        "region": region,
        "account": account,
        "resource": resource,
    }


@SETTINGS
@given(
    text=st.text(max_size=30).filter(
        lambda s: s != "*" and (s.count(":") < 5 or not s.startswith("arn:"))
    )
)
def test_a_resource_that_is_neither_an_arn_nor_star_is_invalid(engine: Engine, text):
    decision = engine.decide({"action": "cognito-idp:ListUserPools", "resource": text})
    assert decision.decision == "invalid"
    assert any(e.field == "resource" for e in decision.errors), decision
