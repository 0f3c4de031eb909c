"""The token endpoint's per-address brake (docs/api.md: "answers 429 to an address after 60 failed
requests within a minute, for a minute, before looking at any credential, so that a right
guess and a wrong one answer alike"): counted in auth's database, so every worker and process
shares one count."""

from __future__ import annotations

import datetime as dt

from services.auth.app import create_app
from services.auth.models import FailedRequest, db
from tests.auth.conftest import ADMIN, PASSWORD, Auth
from tests.conftest import bearer

BAD = {"grant_type": "password", "username": "nobody"}  # no password: invalid_request, cheap


def _fail(client, n, **kw):
    for _ in range(n):
        assert client.post("/auth/token", data=BAD, **kw).status_code == 400


def _headers(resp):
    return {k: v for k, v in resp.headers.items() if k.lower() not in {"date", "x-request-id"}}


def test_under_the_limit_a_right_password_is_answered_200(auth, client):
    """The positive control for the brake below: 59 failures leave the address usable."""
    auth.user("alice")
    _fail(client, 59)
    ok = auth.login("alice")
    assert ok.status_code == 200 and ok.get_json()["access_token"]


def test_over_the_limit_a_right_password_answers_429_exactly_as_a_wrong_one(auth, client):
    auth.user("alice")
    _fail(client, 60)
    right = auth.login("alice")
    wrong = auth.login("alice", "Wrong-Password-123")
    assert right.status_code == wrong.status_code == 429
    assert right.get_json() == wrong.get_json()
    assert right.get_json()["error"] == "too_many_requests"
    assert 1 <= int(right.headers["Retry-After"]) <= 60
    assert {k: v for k, v in _headers(right).items() if k != "Retry-After"} == \
        {k: v for k, v in _headers(wrong).items() if k != "Retry-After"}
    assert auth.login(*ADMIN).status_code == 429
    assert client.post("/auth/token", data={"grant_type": "client_credentials"},
                       auth=("svc-leave", "leave-secret-0123456789")).status_code == 429
    # Another address is not braked by this one's failures.
    assert client.post("/auth/token", data={"grant_type": "client_credentials"},
                       auth=("svc-leave", "leave-secret-0123456789"),
                       environ_base={"REMOTE_ADDR": "10.2.2.2"}).status_code == 200


def test_over_the_limit_no_credential_is_looked_at(auth, client, monkeypatch):
    """The 429 comes before the body is read: nothing of the grant runs."""
    from services.auth.api import oauth

    auth.user("alice")
    _fail(client, 60)

    def must_not_run(*_a, **_k):
        raise AssertionError("a credential was looked at over the brake")

    monkeypatch.setattr(oauth, "_grant", must_not_run)
    monkeypatch.setattr(oauth, "params", must_not_run)
    assert auth.login("alice").status_code == 429


def test_throttled_failures_answer_identically_whatever_the_account(auth, client, clock):
    """Wrong password, unknown user and locked account: one answer, throttled or not."""
    auth.user("alice")
    auth.user("locky")
    for _ in range(5):
        auth.login("locky", "Wrong-Password-123")
    before = [auth.login(u, p) for u, p in (("alice", "Wrong-Password-123"),
                                             ("ghost", "Wrong-Password-123"),
                                             ("locky", PASSWORD))]
    assert {r.status_code for r in before} == {400}
    assert len({(r.get_data(), tuple(sorted(_headers(r).items()))) for r in before}) == 1
    for _ in range(60 - 8):  # 8 failures so far
        client.post("/auth/token", data=BAD)
    after = [auth.login(u, p) for u, p in (("alice", "Wrong-Password-123"),
                                            ("ghost", "Wrong-Password-123"),
                                            ("locky", PASSWORD))]
    assert {r.status_code for r in after} == {429}
    assert len({r.get_data() for r in after}) == 1
    assert len({tuple(sorted((k, v) for k, v in _headers(r).items() if k != "Retry-After"))
                for r in after}) == 1
    assert auth.login("alice").status_code == 429  # a right password too: alike


def test_the_count_is_shared_by_two_app_instances_on_one_database(app, client, settings,
                                                                   staff, clock):
    """Two create_app on one database stand for two gunicorn workers (or two hosts)."""
    other = create_app(settings, staff_lookup=staff, clock=clock)
    try:
        second = other.test_client()
        _fail(client, 30)
        _fail(second, 30)
        assert client.post("/auth/token", data=BAD).status_code == 429
        assert second.post("/auth/token", data=BAD).status_code == 429
        assert Auth(second).login(*ADMIN).status_code == 429
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_failures_leave_the_window_after_a_minute_and_old_rows_are_pruned(app, client, clock):
    _fail(client, 60)
    assert client.post("/auth/token", data=BAD).status_code == 429
    clock.offset = dt.timedelta(seconds=61)
    assert client.post("/auth/token", data=BAD).status_code == 400
    with app.app_context():
        rows = db.session.scalars(db.select(FailedRequest)).all()
    assert len(rows) == 1  # the address's 60 old rows went with the new one's insert


def test_throttled_requests_are_audited_once_per_address_per_minute(auth, client, clock):
    # The clock stands still between the steps below: on real time, a slow run let the first
    # failures leave the window before the step at +59 s, whose failure then counted.
    clock.frozen = dt.datetime.now(dt.UTC)
    admin = auth.admin  # signed in before the brake: over it, a right password is 429 too
    _fail(client, 60)
    for _ in range(20):
        assert client.post("/auth/token", data=BAD).status_code == 429
    client.post("/auth/token", data={**BAD, "username": "x2"},
                environ_base={"REMOTE_ADDR": "10.1.1.1"})  # another address: not throttled

    def throttled():
        return client.get("/auth/audit?action=token.throttled", headers=admin).get_json()

    events = throttled()
    assert events["total"] == 1
    event = events["items"][0]
    assert event["target_id"] == "127.0.0.1" and event["remote_addr"] == "127.0.0.1"
    assert event["after"]["limit"] == 60
    clock.offset = dt.timedelta(seconds=30)
    assert client.post("/auth/token", data=BAD).status_code == 429
    assert throttled()["total"] == 1
    clock.offset = dt.timedelta(seconds=59)
    client.post("/auth/token", data=BAD)
    clock.offset = dt.timedelta(seconds=61)
    _fail(client, 60)
    assert client.post("/auth/token", data=BAD).status_code == 429
    assert throttled()["total"] == 2


def test_failed_logins_are_not_audited_one_by_one_while_throttled(auth, client):
    auth.user("alice")
    _fail(client, 60)
    for _ in range(5):
        assert auth.login("ghost", "Wrong-Password-123").status_code == 429
    failed = client.get("/auth/audit?action=login.failed", headers=auth.admin).get_json()
    assert failed["total"] == 0
    resp = auth.login("ghost", "Wrong-Password-123", environ_base={"REMOTE_ADDR": "10.2.2.2"})
    assert resp.status_code == 400  # the positive control: an address under the limit
    failed = client.get("/auth/audit?action=login.failed", headers=auth.admin).get_json()
    assert failed["total"] == 1


def test_below_the_limit_failures_keep_their_own_answers(client, auth):
    admin = bearer(auth.token(*ADMIN))
    _fail(client, 59)
    assert client.post("/auth/token", data=BAD).status_code == 400  # the 60th: its own answer
    assert client.post("/auth/token", data=BAD).status_code == 429  # the 61st: the brake
    # A token issued before the brake still serves: the brake is the token endpoint's only.
    assert client.get("/auth/me", headers=admin).status_code == 200
