"""The direct check path (`api.check_direct`) answers exactly what Flask answers — status,
body, `Content-Type`, `Cache-Control`, `X-Request-ID`, the access line and the request
metrics — for many callers, permissions, units and validity windows, disabled users,
removed bindings, revoked tokens and ended sign-ins; anything it cannot answer goes to Flask
unchanged; and a change shows on the very next check."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from shared.testing import both_paths, seen_answer
from tests.auth.conftest import SERVICE_CREDS
from tests.conftest import bearer

TODAY = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
DAY = dt.timedelta(days=1)
PERMISSIONS = ("leave:approve", "leave:final-approve", "leave:read", "staff:read",
               "auth:admin", "performance:sign-off")
UNITS = ("HQ", "BR01", "SB01", "BR02", "*", "SB02", "SB04", "SB01_HALL", "NOPE")


def _window(role, org, start=None, end=None):
    return {"role": role, "org": org, "valid_from": start and start.isoformat(),
            "valid_to": end and end.isoformat()}


@pytest.fixture
def people(app, auth):
    """Callers with bindings of every kind: in force, ended yesterday, ending today,
    starting tomorrow, over the whole organisation, none at all."""
    auth.user("bob", ("branch_head", "SB01"), _window("hr", "BR02", None, TODAY - DAY),
              _window("dept_manager", "SB01", None, TODAY + 30 * DAY))
    auth.user("dora", _window("branch_head", "SB01", TODAY - 10 * DAY, TODAY),
              _window("hr", "HQ", TODAY + DAY))
    auth.user("olga", ("hr", "*"), ("employee", "BR02"))
    auth.user("carol")
    return {who: auth.token(who) for who in ("bob", "dora", "olga", "carol")}


@pytest.fixture
def paths(app):
    """`direct.enabled` chooses the path."""
    direct = app.extensions["auth_check_direct"]
    yield direct
    direct.enabled = True


def _both(client, caplog, direct, path, token, body):
    """(direct answer, Flask's answer) and whether the direct path gave the first."""
    def send():
        return seen_answer(client, caplog, service="auth", route=path, method="POST", url=path,
                           data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}",
                                    "X-Request-ID": "direct-path-test-0001"})
    return both_paths(direct, send)


def _warm(auth, tokens):
    """Each token's first check goes through Flask, which verifies it (and caches units)."""
    for token in tokens:
        auth.check(token, "leave:approve", "SB01")


@pytest.mark.parametrize("who", ["bob", "dora", "olga", "carol"])
def test_every_single_check_answers_the_same_on_both_paths(client, auth, caplog, people,
                                                           paths, who):
    _warm(auth, people.values())
    taken = 0
    for permission, unit in itertools.product(PERMISSIONS, UNITS):
        body = json.dumps({"permission": permission, "org": unit})
        fast, slow, took = _both(client, caplog, paths, "/auth/check", people[who], body)
        assert fast == slow, (who, permission, unit)
        assert fast[0] in (200, 422) and fast[4] == (1 if fast[0] == 200 else 0)
        taken += took
    # every known unit is answered directly, once the Flask path has cached it
    assert taken >= len(PERMISSIONS) * 5


def test_batches_answer_the_same_on_both_paths(client, auth, caplog, people, paths):
    _warm(auth, people.values())
    items = [{"permission": p, "org": o} for p, o in itertools.product(PERMISSIONS, UNITS[:5])]
    bodies = [{"checks": items}, {"checks": items[:1]}, {"checks": items * 3 + items[:10]},
              {"checks": [*items, {"permission": "leave:approve", "org": "NOPE"}]},
              {"checks": [{"permission": "no:such", "org": "SB01"}]},
              {"checks": items[:2], "subject_token": people["bob"]}]
    for who, body in itertools.product(people, bodies):
        fast, slow, _took = _both(client, caplog, paths, "/auth/check/batch", people[who],
                                  json.dumps(body))
        assert fast == slow, (who, body)


@pytest.mark.parametrize("raw", [
    b'{"permission": "leave:approve", "org": "SB01", "permission": "staff:read"}',
    b'\xef\xbb\xbf{"permission": "leave:approve", "org": "SB01"}',
    b'{"permission": "leave:approve", "org": NaN}', b'{"permission": "leave:approve"}',
    b'{"permission": "leave:approve", "org": "SB01", "x": 1}', b"{", b"[]", b"null",
    b'{"permission": "leave:appr\\u202eove", "org": "SB01"}',
    b'{"permission": "leave:approve", "org": "\\ud800"}',
    b'{"permission": "leave:approve", "org": "SB01", "subject_token": "x"}',
    b'{"permission": "' + b"x" * 101 + b'", "org": "SB01"}',
], ids=range(12))
def test_odd_bodies_answer_the_same_on_both_paths(client, auth, caplog, people, paths, raw):
    _warm(auth, [people["bob"]])
    fast, slow, _took = _both(client, caplog, paths, "/auth/check", people["bob"], raw)
    assert fast == slow


def test_a_first_seen_or_client_token_goes_to_flask(client, auth, caplog, people, paths):
    body = json.dumps({"permission": "leave:approve", "org": "SB01"})
    token = auth.token("bob")  # never verified by this process's Flask path
    _fast, _slow, took = _both(client, caplog, paths, "/auth/check", token, body)
    assert took == 0
    _fast, _slow, took = _both(client, caplog, paths, "/auth/check", token, body)
    assert took == 1  # its control: verified once, then answered directly
    service = auth.client_token("leave")
    auth.check(service, "leave:approve", "SB01")
    fast, slow, took = _both(client, caplog, paths, "/auth/check", service, body)
    assert (fast, took) == (slow, 0)


def test_changes_show_on_the_very_next_direct_check(app, client, auth, caplog, people, paths):
    """Removing a binding, adding one, disabling the user and revoking a token each show
    at once; each answer is the one Flask gives."""
    token = people["bob"]
    _warm(auth, [token])
    uid = client.get("/auth/me", headers=bearer(token)).get_json()["id"]
    body = json.dumps({"permission": "leave:approve", "org": "SB01"})

    def answer():
        nonlocal token
        fast, slow, took = _both(client, caplog, paths, "/auth/check", token, body)
        assert fast == slow
        return fast[0], json.loads(fast[2]).get("code") if fast[0] == 200 else None, took

    assert answer() == (200, "allowed", 1)
    for binding in client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()["bindings"]:
        if binding["org"] == "SB01":
            client.delete(f"/auth/users/{uid}/roles/{binding['id']}", headers=auth.admin)
    assert answer() == (200, "no_binding", 1)
    auth.bind(uid, ("branch_head", "SB01"))
    assert answer() == (200, "allowed", 1)
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "disabled"})
    assert answer() == (200, "user_disabled", 1)
    token = people["olga"]
    _warm(auth, [token])
    assert answer() == (200, "allowed", 1)
    resp = client.post("/auth/revoke", data={"token": token}, auth=SERVICE_CREDS["leave"])
    assert resp.status_code == 200
    assert answer() == (401, None, 0)


def test_an_ended_sign_in_is_refused_unless_the_user_is_disabled(app, client, auth, caplog,
                                                                 people, paths):
    login = auth.login("dora").get_json()
    token = login["access_token"]
    _warm(auth, [token])
    body = json.dumps({"permission": "leave:approve", "org": "SB01"})
    fast, slow, took = _both(client, caplog, paths, "/auth/check", token, body)
    assert (fast, took) == (slow, 1) and json.loads(fast[2])["code"] == "allowed"
    assert client.post("/auth/revoke", data={"token": login["refresh_token"]}).status_code == 200
    fast, slow, took = _both(client, caplog, paths, "/auth/check", token, body)
    assert (fast[0], took) == (401, 0) and fast == slow
    uid = client.get("/auth/users?per_page=100", headers=auth.admin).get_json()
    uid = next(u["id"] for u in uid["items"] if u["username"] == "dora")
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "disabled"})
    fast, slow, took = _both(client, caplog, paths, "/auth/check", token, body)
    assert (fast, took) == (slow, 1) and json.loads(fast[2])["code"] == "user_disabled"


def test_one_callers_answer_is_never_given_to_another(client, auth, caplog, people, paths):
    """The same body from four callers: each gets the answer about themselves."""
    _warm(auth, people.values())
    body = json.dumps({"permission": "leave:approve", "org": "SB01"})
    codes = {}
    for who, token in people.items():
        fast, slow, took = _both(client, caplog, paths, "/auth/check", token, body)
        assert fast == slow and took == 1
        assert fast[3][0]["sub"] == slow[3][0]["sub"]
        codes[who] = json.loads(fast[2])["code"]
    assert codes == {"bob": "allowed", "dora": "allowed", "olga": "allowed",
                     "carol": "no_binding"}
