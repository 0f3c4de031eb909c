"""The check lane (`services/auth/api/check_lane.py`) replays `/auth/check` answers only while
nothing they depend on has changed: every change — through the API, through another worker,
or by SQL straight into the database — shows on the very next check, and a replay is
byte-for-byte the answer the full path gives."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from services.auth.app import MIGRATIONS, create_app
from services.auth.models import db
from services.auth.service import tokens
from shared.testing import comparable, load_migration, write_as_operator
from tests.auth.conftest import SERVICE_CREDS
from tests.conftest import bearer

WATCHED = load_migration(MIGRATIONS, "0003_decision_generation.py").WATCHED


@pytest.fixture
def lane(app):
    return app.extensions["auth_check_lane"]


@pytest.fixture
def amy(auth):
    """A branch head of SB01 and her token."""
    uid = auth.user("amy", ("branch_head", "SB01"))
    return {"id": uid, "token": auth.token("amy")}


def _generation(app) -> int:
    with app.app_context():
        return db.session.execute(text("SELECT generation FROM auth_state")).scalar_one()


def test_a_repeated_check_is_replayed_with_the_full_paths_bytes_and_a_fresh_request_id(
        app, auth, lane, amy, caplog):
    first = auth.check(amy["token"], "leave:approve", "SB01")
    hits = lane.hits
    again = auth.check(amy["token"], "leave:approve", "SB01")
    assert lane.hits == hits + 1
    assert comparable(again) == comparable(first)
    assert again.get_json()["code"] == "allowed"
    assert again.headers["Cache-Control"] == "no-store"
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    mine = auth.client.post("/auth/check", headers={**bearer(amy["token"]),
                                                    "X-Request-ID": "caller-chosen-42"},
                            json={"permission": "leave:approve", "org": "SB01"})
    assert mine.headers["X-Request-ID"] == "caller-chosen-42"
    lines = [r for r in caplog.records if r.name == "hr.access"
             and getattr(r, "request_id", None) == "caller-chosen-42"]
    assert [(r.path, r.status, r.sub) for r in lines] == [("/auth/check", 200,
                                                           str(amy["id"]))]


def test_the_lane_never_hands_one_callers_answer_to_another(app, auth, lane, amy):
    auth.user("bob", ("employee", "SB01"))
    bob = auth.token("bob")
    assert auth.check(amy["token"], "leave:approve", "SB01").get_json()["code"] == "allowed"
    assert auth.check(amy["token"], "leave:approve", "SB01").get_json()["code"] == "allowed"
    for _ in range(2):  # same body, another bearer: bob's own answer, every time
        assert auth.check(bob, "leave:approve", "SB01").get_json()["code"] == "not_in_role"
    for _ in range(2):  # same bearer, another question
        assert auth.check(amy["token"], "leave:approve", "BR02").get_json()["code"] == \
            "out_of_scope"


def test_errors_and_refusals_are_never_replayed(app, auth, client, lane, amy):
    hits = lane.hits
    for _ in range(3):
        assert auth.check(amy["token"], "no:such", "SB01").status_code == 422
        assert client.post("/auth/check", json={"permission": "leave:approve",
                                                "org": "SB01"}).status_code == 401
        assert client.post("/auth/check", headers=bearer(amy["token"] + "x"),
                           json={"permission": "leave:approve", "org": "SB01"}).status_code \
            == 401
    assert lane.hits == hits


@pytest.mark.parametrize("change", ["unbind", "disable", "revoke", "logout", "role",
                                    "move", "client"])
def test_every_change_through_the_api_shows_on_the_next_check(app, auth, client, lane, amy,
                                                              staff, change):
    asked = {"permission": "leave:approve", "org": "SB01"}
    if change == "client":  # an outside system asking about amy's token
        made = client.post("/auth/clients", headers=auth.admin, json={
            "name": "Teller system", "permissions": ["auth:check"]}).get_json()
        outside = client.post("/auth/token", data={"grant_type": "client_credentials"},
                              auth=(made["client_id"], made["client_secret"]))
        outside_token = outside.get_json()["access_token"]

        def ask():
            return client.post("/auth/check", headers=bearer(outside_token),
                               json={**asked, "subject_token": amy["token"]})
    else:
        def ask():
            return auth.check(amy["token"], **asked)
    assert ask().get_json()["code"] == "allowed"
    hits = lane.hits
    assert ask().get_json()["code"] == "allowed"
    assert lane.hits == hits + 1  # replayed: the change below must end that

    uid = amy["id"]
    if change == "unbind":
        binding = client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()["bindings"][0]
        assert client.delete(f"/auth/users/{uid}/roles/{binding['id']}",
                             headers=auth.admin).status_code == 204
    elif change == "disable":
        assert client.patch(f"/auth/users/{uid}", headers=auth.admin,
                            json={"status": "disabled"}).status_code == 200
    elif change == "revoke":
        assert client.post("/auth/revoke", data={"token": amy["token"]},
                           auth=SERVICE_CREDS["leave"]).status_code == 200
    elif change == "logout":
        assert client.post(f"/auth/users/{uid}/logout-all", headers=auth.admin).status_code \
            in (200, 204)
    elif change == "role":
        assert client.put("/auth/roles/branch_head", headers=auth.admin, json={
            "permissions": ["leave:request", "staff:read"]}).status_code == 200
    elif change == "move":  # staff moved SB01 under BR02: SB01's cached path changes
        staff.paths["SB01"] = "HQ/BR02/SB01"
        assert client.post("/auth/org-events", headers=bearer(auth.client_token("staff")),
                           json={"event": "moved", "code": "SB01", "old_path": "HQ/BR01/SB01",
                                 "new_path": "HQ/BR02/SB01"}).status_code == 200
    elif change == "client":
        assert client.patch(f"/auth/clients/{made['client_id']}", headers=auth.admin,
                            json={"permissions": ["auth:introspect"]}).status_code == 200

    after = ask()
    expected = {"unbind": (200, "no_binding"), "disable": (200, "user_disabled"),
                "revoke": (401, None), "logout": (401, None), "role": (200, "not_in_role"),
                "move": (200, "allowed"), "client": (403, None)}[change]
    assert (after.status_code, (after.get_json() or {}).get("code")) == expected, \
        after.get_json()
    if change == "move":  # still allowed (amy's binding is on SB01 itself), with the new path
        assert after.get_json()["binding"]["path"] == "HQ/BR02/SB01"


@pytest.mark.parametrize("table", sorted(WATCHED))
def test_the_database_raises_the_generation_for_every_watched_table(app, settings, table):
    """Triggers, not application code: an operator's SQL counts as much as the service."""
    changes = {
        "users": "UPDATE users SET status = status",
        "roles": "UPDATE roles SET description = description",
        "permissions": "UPDATE permissions SET description = description",
        "role_bindings": "DELETE FROM role_bindings WHERE id = -1 OR id IN "
                         "(SELECT id FROM role_bindings LIMIT 1)",
        "org_paths": "UPDATE org_paths SET path = path",
        "clients": "UPDATE clients SET status = status",
        "signing_keys": "UPDATE signing_keys SET status = status",
        "revoked_access_tokens": "INSERT INTO revoked_access_tokens (jti, expires_at, "
                                 "revoked_at) VALUES ('j-ops', :at, :at)",
        "token_families": "UPDATE token_families SET revoked_at = :at",
    }
    if table in ("role_bindings", "token_families"):  # make sure there is a row to change
        with app.test_client() as c:
            from tests.auth.conftest import Auth

            auth = Auth(c)
            auth.user("row-maker", ("employee", "SB01"))
            auth.token("row-maker")
    before = _generation(app)
    write_as_operator(settings.database_url, changes[table], at=dt.datetime.now(dt.UTC))
    assert _generation(app) > before


def test_new_sign_ins_and_rotations_leave_the_generation_alone(app, auth, client):
    """Only what can change an earlier answer raises it: a sign-in or a refresh does not,
    or every login would throw away every replayable answer."""
    auth.user("carl", ("employee", "SB01"))
    before = _generation(app)
    resp = auth.login("carl")
    refreshed = client.post("/auth/token", data={"grant_type": "refresh_token",
                                                 "refresh_token": resp.get_json()
                                                 ["refresh_token"]})
    assert refreshed.status_code == 200
    assert _generation(app) == before


def test_an_operators_sql_shows_on_the_next_check(app, auth, settings, lane, amy):
    assert auth.check(amy["token"], "leave:approve", "SB01").get_json()["code"] == "allowed"
    hits = lane.hits
    assert auth.check(amy["token"], "leave:approve", "SB01").get_json()["code"] == "allowed"
    assert lane.hits == hits + 1
    write_as_operator(settings.database_url,
                      "UPDATE users SET status = 'disabled' WHERE id = :uid", uid=amy["id"])
    assert auth.check(amy["token"], "leave:approve", "SB01").get_json()["code"] == \
        "user_disabled"


def test_a_change_made_through_another_worker_shows_on_the_next_check(app, auth, settings,
                                                                       staff, clock, amy):
    """Two apps on one database stand for two gunicorn workers (or two hosts)."""
    other = create_app(settings, staff_lookup=staff, clock=clock)
    try:
        other_client = other.test_client()
        asked = {"permission": "leave:approve", "org": "SB01"}
        for _ in range(2):
            assert other_client.post("/auth/check", headers=bearer(amy["token"]),
                                     json=asked).get_json()["code"] == "allowed"
        assert other.extensions["auth_check_lane"].hits >= 1
        assert auth.client.patch(f"/auth/users/{amy['id']}", headers=auth.admin,
                                 json={"status": "disabled"}).status_code == 200
        assert other_client.post("/auth/check", headers=bearer(amy["token"]),
                                 json=asked).get_json()["code"] == "user_disabled"
    finally:
        with other.app_context():
            db.engine.dispose()


def test_a_replay_ends_when_the_tokens_remembered_verification_ends(app, auth, lane, amy):
    assert auth.check(amy["token"], "leave:approve", "SB01").status_code == 200
    lane.wall = lambda: tokens.usable_until(amy["token"]) + 1  # as if exp had passed
    hits = lane.hits
    assert auth.check(amy["token"], "leave:approve", "SB01").status_code == 200
    assert lane.hits == hits  # the full path verified it afresh; nothing was replayed


def test_a_replay_ends_at_local_midnight_when_dated_bindings_may_change(app, auth, clock,
                                                                         settings, lane):
    zone = ZoneInfo(settings.timezone)
    tomorrow = dt.datetime.now(zone).date() + dt.timedelta(days=1)
    uid = auth.user("dora")
    auth.bind(uid, {"role": "branch_head", "org": "SB01", "valid_to": tomorrow.isoformat()})
    token = auth.token("dora")
    clock.frozen = dt.datetime.combine(tomorrow, dt.time(23, 59, 30), tzinfo=zone)
    before = lane.hits
    for _ in range(2):
        assert auth.check(token, "leave:approve", "SB01").get_json()["code"] == "allowed"
    assert lane.hits == before + 1
    clock.frozen += dt.timedelta(seconds=40)  # 00:00:10 the day after: the binding has ended
    hits = lane.hits
    assert auth.check(token, "leave:approve", "SB01").get_json()["code"] == "binding_expired"
    assert lane.hits == hits


def test_with_the_database_gone_nothing_is_replayed(app, auth, lane, amy, settings, store,
                                                    pg_server):
    from tests.faults.test_database_down import _take_away

    for _ in range(2):
        assert auth.check(amy["token"], "leave:approve", "SB01").status_code == 200
    with app.app_context():
        db.engine.dispose()  # as a restart of the pool would
    bring_back = _take_away(settings.database_url, store, pg_server)
    try:
        resp = auth.check(amy["token"], "leave:approve", "SB01")
        assert resp.status_code == 503, resp.data
        assert resp.mimetype == "application/problem+json"
    finally:
        bring_back()
    assert auth.check(amy["token"], "leave:approve", "SB01").status_code == 200
