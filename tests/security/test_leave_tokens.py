"""Leave's decisions never trust a token the verifier refuses: a forged, expired, `alg=none`
or wrong-key token — even one claiming the branch head's role — cannot decide, file or read;
another branch's real token cannot decide. Each beside the positive control: the same call
with the real branch head's token succeeds."""

from __future__ import annotations

import time

import jwt
import pytest

from shared.testing import alg_none_token
from tests.conftest import bearer
from tests.leave.conftest import *  # noqa: F403 - the leave app, client and people
from tests.leave.conftest import decide, file
from tests.leave.fakes import path

HEAD = [("branch_head", "SB01", path("SB01"))]


@pytest.fixture
def pending(client, who):
    resp = file(client, who("E1"), type="sick", start_date="2025-09-01", end_date="2025-09-02")
    assert resp.status_code == 201
    return resp.get_json()["id"]


def bad_tokens(tokens, signing_key, other_key):
    now = int(time.time())
    claims = tokens.claims(sub="user-H1", emp="H1", roles=HEAD)
    real = tokens.key.sign(claims)
    head, _payload, sig = real.split(".")
    admin_claims = tokens.claims(sub="user-H1", emp="H1", roles=[("admin", "*", "*")])
    forged_payload = jwt.utils.base64url_encode(
        jwt.api_jws.json.dumps(admin_claims).encode()).decode()
    return {
        "forged": f"{head}.{forged_payload}.{sig}",
        "bad signature": real[:-4] + "AAAA",
        "expired": tokens.key.sign(claims | {"iat": now - 900, "exp": now - 600}),
        "alg none": alg_none_token(claims, signing_key.kid),
        "wrong key": other_key.sign(claims, kid=signing_key.kid),
        "unknown key": other_key.sign(claims),
    }


@pytest.mark.parametrize("kind", ["forged", "bad signature", "expired", "alg none",
                                  "wrong key", "unknown key"])
def test_a_refused_token_cannot_decide_file_or_read(client, tokens, signing_key, other_key,
                                                    pending, who, kind):
    token = bad_tokens(tokens, signing_key, other_key)[kind]
    for resp in (decide(client, bearer(token), pending),
                 file(client, bearer(token), type="sick", start_date="2025-09-10",
                      end_date="2025-09-10"),
                 client.get(f"/leave/requests/{pending}", headers=bearer(token)),
                 client.get("/leave/approvals", headers=bearer(token))):
        assert resp.status_code == 401, (kind, resp.get_json())
        assert resp.mimetype == "application/problem+json"
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    ok = decide(client, bearer(tokens.user(sub="user-H1", emp="H1", roles=HEAD)), pending)
    assert ok.status_code == 200  # positive control


def test_another_branchs_head_cannot_decide_or_see_and_the_real_head_can(client, who, pending):
    other = who("H2")
    assert decide(client, other, pending).status_code == 404
    assert client.get("/leave/approvals", headers=other).get_json()["total"] == 0
    assert client.get(f"/leave/requests/{pending}/trail", headers=other).status_code == 404
    assert client.get("/leave/approvals", headers=who("H1")).get_json()["total"] == 1
    assert decide(client, who("H1"), pending).status_code == 200


def test_a_client_token_cannot_file_or_decide(client, tokens, pending, who):
    machine = bearer(tokens.client("svc-x", ["leave:read", "leave:approve"]))
    assert file(client, machine, type="sick", start_date="2025-09-10",
                end_date="2025-09-10").status_code == 403
    assert decide(client, machine, pending).status_code == 403
    assert client.get(f"/leave/requests/{pending}", headers=machine).status_code == 200
    assert decide(client, who("H1"), pending).status_code == 200
