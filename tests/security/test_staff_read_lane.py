"""The staff read lane (`services/staff/api/read_lane.py`) never hands a kept answer to a
request that the full path would refuse: a replayed listing or chain, warm for one token, is
still a 401 for a forged, expired, `alg=none` or wrong-key token and a 404/422 for another
branch's token — each beside the positive control, the same request replayed for the token
that may read it."""

from __future__ import annotations

import time

import jwt
import pytest

from shared.testing import alg_none_token
from tests.conftest import bearer
from tests.staff.fixtures import *  # noqa: F403 - the staff app, client and org fixtures

PATHS = ["/staff/employees?org=BR01&subtree=true", "/staff/employees/E2/chain"]


@pytest.fixture
def warm(app, client, tokens, staffed):
    """BR01's head, with both reads kept by the lane (the second call of each replayed)."""
    token = tokens.user(sub="bh", emp="H1", roles=[("branch_head", "BR01", "HQ/BR01")])
    lane = app.extensions["staff_read_lane"]
    for path in PATHS:
        assert client.get(path, headers=bearer(token)).status_code == 200
    hits = lane.hits
    for path in PATHS:
        assert client.get(path, headers=bearer(token)).status_code == 200
    assert lane.hits == hits + 2
    return token


def _refused(resp):
    assert resp.status_code == 401, resp.data
    assert resp.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", PATHS)
def test_a_forged_token_is_refused_while_the_real_ones_answer_is_kept(client, tokens, warm,
                                                                       path):
    head, _payload, sig = warm.split(".")
    claims = tokens.claims(sub="bh", emp="H1", roles=[("admin", "*", "*")])
    forged = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()
    _refused(client.get(path, headers=bearer(f"{head}.{forged}.{sig}")))
    _refused(client.get(path, headers=bearer(warm[:-4] + "AAAA")))
    assert client.get(path, headers=bearer(warm)).status_code == 200


@pytest.mark.parametrize("path", PATHS)
def test_expired_alg_none_and_wrong_key_tokens_are_refused(client, tokens, signing_key,
                                                           other_key, warm, path):
    now = int(time.time())
    expired = tokens.key.sign(tokens.claims(sub="bh", emp="H1",
                                            roles=[("branch_head", "BR01", "HQ/BR01")])
                              | {"iat": now - 900, "exp": now - 600})
    _refused(client.get(path, headers=bearer(expired)))
    none = alg_none_token(tokens.claims(sub="bh", roles=[("branch_head", "BR01", "HQ/BR01")]),
                          signing_key.kid)
    _refused(client.get(path, headers=bearer(none)))
    wrong = other_key.sign(tokens.claims(sub="bh", roles=[("branch_head", "BR01", "HQ/BR01")]),
                           kid=signing_key.kid)
    _refused(client.get(path, headers=bearer(wrong)))
    assert client.get(path, headers=bearer(warm)).status_code == 200


def test_another_branchs_token_gets_its_own_answer_not_the_kept_one(client, tokens, warm):
    other = bearer(tokens.user(sub="bh2", roles=[("branch_head", "BR02", "HQ/BR02")]))
    for _ in range(2):
        assert client.get(PATHS[0], headers=other).status_code == 422  # BR01: unknown to them
        assert client.get(PATHS[1], headers=other).status_code == 404
    for path in PATHS:
        assert client.get(path, headers=bearer(warm)).status_code == 200
