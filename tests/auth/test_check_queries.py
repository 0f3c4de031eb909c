"""`/auth/check` costs a constant number of queries — over the whole request, bearer gate
included — whatever the org tree's depth and the number of bindings (issue #4), and the
per-process caches behind that (public keys, verified tokens) change nothing observable:
binding changes, disabled users, revoked tokens and ended sign-ins still show at once."""

from __future__ import annotations

import datetime as dt

import pytest

from services.auth.models import RoleBinding, db
from services.auth.service import orgs
from shared.testing import statements_sent
from tests.conftest import bearer


@pytest.fixture
def deep(app, auth):
    """A branch 8 levels deep (HQ/L1/…/L7) and 60 more units; `small` holds one binding,
    `big` 69 (one per level, 60 wide, and dept_manager over L5)."""
    auth.user("small", ("dept_manager", "SB01"))
    big = auth.user("big", ("employee", "SB01"))
    with app.app_context():
        now = dt.datetime.now(dt.UTC)
        path = "HQ"
        for level in range(1, 8):
            path += f"/L{level}"
            orgs.remember(session=db.session, code=f"L{level}", path=path, source="staff",
                          now=now)
            db.session.add(RoleBinding(user_id=big, role="employee", org=f"L{level}"))
        for i in range(60):
            orgs.remember(session=db.session, code=f"U{i}", path=f"HQ/BR02/U{i}",
                          source="staff", now=now)
            db.session.add(RoleBinding(user_id=big, role="dept_manager", org=f"U{i}"))
        db.session.add(RoleBinding(user_id=big, role="dept_manager", org="L5"))
        db.session.commit()
    return {"small": auth.token("small"), "big": auth.token("big")}


def _statements(app, send):
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as statements:
        resp = send()
    assert resp.status_code == 200, resp.get_json()
    return [s for s in statements if s.strip().upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}]


@pytest.fixture
def full_path(app):
    """Every check takes the full Flask path (the direct path answers nothing)."""
    direct = app.extensions["auth_check_direct"]
    direct.enabled = False
    yield
    direct.enabled = True


@pytest.fixture
def direct_path(app):
    """The direct path answers what it can."""
    return app.extensions["auth_check_direct"]


def test_a_check_request_costs_the_same_few_queries_whatever_depth_and_bindings(app, auth,
                                                                               deep,
                                                                               full_path):
    def check(who, org):
        return lambda: auth.check(deep[who], "leave:approve", org)

    check("small", "SB01")()  # warm the per-process key cache, as any running worker is
    small = _statements(app, check("small", "SB01"))
    big_deep = _statements(app, check("big", "L7"))
    big_wide = _statements(app, check("big", "U59"))
    big_out = _statements(app, check("big", "BR01"))
    assert len(small) == len(big_deep) == len(big_wide) == len(big_out) <= 2, big_deep
    assert auth.check(deep["big"], "leave:approve", "L7").get_json()["code"] == "allowed"
    assert auth.check(deep["big"], "leave:approve", "BR01").get_json()["code"] == \
        "out_of_scope"


def test_the_direct_path_answers_a_check_or_a_batch_in_one_statement(app, auth, client, deep,
                                                                    direct_path):
    items = [{"permission": "leave:approve", "org": o} for o in ("L7", "U1", "U59", "SB01")]
    for who in ("small", "big"):  # each token's first check is verified by the Flask path
        auth.check(deep[who], "leave:approve", "SB01")
    answered = direct_path.answered
    counts = [len(_statements(app, lambda w=who, o=org: auth.check(deep[w], "leave:approve",
                                                                    o)))
              for who, org in (("small", "SB01"), ("big", "L7"), ("big", "U59"),
                               ("big", "BR01"))]
    batch = _statements(app, lambda: client.post(
        "/auth/check/batch", headers=bearer(deep["big"]), json={"checks": items}))
    assert counts == [1, 1, 1, 1] and len(batch) == 1
    assert direct_path.answered == answered + 5


def test_a_batch_costs_the_same_queries_as_one_check(app, auth, client, deep, full_path):
    items = [{"permission": "leave:approve", "org": o} for o in ("L7", "U1", "U59", "SB01")]
    one = _statements(app, lambda: auth.check(deep["big"], "leave:approve", "L7"))
    batch = _statements(app, lambda: client.post(
        "/auth/check/batch", headers=bearer(deep["big"]), json={"checks": items}))
    assert len(batch) == len(one)


def test_repeated_checks_with_one_token_still_see_changes_at_once(app, auth, client, deep):
    """Neither the verified-token cache nor the direct path may hide revocation, unbinding
    or disabling."""
    token = deep["big"]
    direct = app.extensions["auth_check_direct"]
    answered = direct.answered
    for _ in range(3):
        assert auth.check(token, "leave:approve", "L7").get_json()["code"] == "allowed"
    assert direct.answered == answered + 2  # the first verified the token by the full path
    uid = client.get("/auth/me", headers=bearer(token)).get_json()["id"]
    binding = next(b for b in client.get(f"/auth/users/{uid}", headers=auth.admin)
                   .get_json()["bindings"] if (b["role"], b["org"]) == ("dept_manager", "L5"))
    client.delete(f"/auth/users/{uid}/roles/{binding['id']}", headers=auth.admin)
    assert auth.check(token, "leave:approve", "L7").get_json()["code"] == "out_of_scope"
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "disabled"})
    assert auth.check(token, "leave:approve", "L7").get_json()["code"] == "user_disabled"


def test_a_revoked_access_token_is_refused_at_once_after_cached_verifications(app, auth,
                                                                            client, deep):
    from tests.auth.conftest import SERVICE_CREDS

    token = deep["small"]
    direct = app.extensions["auth_check_direct"]
    answered = direct.answered
    for _ in range(3):
        assert auth.check(token, "leave:approve", "SB01").status_code == 200
    assert direct.answered == answered + 2
    resp = client.post("/auth/revoke", data={"token": token}, auth=SERVICE_CREDS["leave"])
    assert resp.status_code == 200
    assert auth.check(token, "leave:approve", "SB01").status_code == 401
