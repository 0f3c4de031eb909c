"""The password grant, lockout, identical failure answers and the per-address brake."""

from __future__ import annotations

import datetime as dt

import jwt

from tests.auth.conftest import ADMIN, PASSWORD
from tests.conftest import ISSUER, bearer


def _headers(resp):
    return {k: v for k, v in resp.headers.items() if k.lower() not in {"date", "x-request-id"}}


def test_a_password_grant_sent_as_a_form_answers_bearer_tokens_that_are_not_cached(auth):
    auth.user("alice", ("hr", "BR01"), employee_no="E0001")
    resp = auth.login("alice")
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert resp.headers["Cache-Control"] == "no-store"


def test_a_password_grant_sent_as_json_works_the_same(auth, client):
    auth.user("alice")
    resp = client.post("/auth/token", json={"grant_type": "password", "username": "alice",
                                            "password": PASSWORD})
    assert resp.status_code == 200
    assert resp.get_json()["refresh_token"]


def test_the_access_token_is_an_rs256_at_jwt_carrying_roles_with_paths_and_permissions(auth,
                                                                                       client):
    uid = auth.user("alice", ("hr", "BR01"), employee_no="E0001")
    token = auth.token("alice")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["typ"] == "at+jwt"
    kids = [k["kid"] for k in client.get("/auth/.well-known/jwks.json").get_json()["keys"]]
    assert header["kid"] in kids
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == ISSUER and claims["sub"] == str(uid) and claims["emp"] == "E0001"
    assert claims["exp"] - claims["iat"] == 300 and claims["jti"]
    assert claims["token_kind"] == "user"
    [role] = claims["roles"]
    assert role["role"] == "hr" and role["org"] == "BR01" and role["path"] == "HQ/BR01"
    assert "leave:final-approve" in role["permissions"] and role["valid_to"] is None


def test_a_wrong_password_and_an_unknown_user_get_identical_answers(auth):
    auth.user("alice")
    good = auth.login("alice")
    assert good.status_code == 200
    wrong = auth.login("alice", "Not-The-Password-1")
    unknown = auth.login("nobody-here", "Not-The-Password-1")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.get_json() == unknown.get_json() == {
        "error": "invalid_grant", "error_description": "The username or password is incorrect."}
    assert _headers(wrong) == _headers(unknown)
    assert wrong.mimetype == "application/json"


def test_five_failures_lock_the_account_and_a_locked_account_answers_like_a_wrong_password(
        auth, client):
    uid = auth.user("alice")
    wrong = [auth.login("alice", f"Wrong-Password-{i}") for i in range(5)]
    assert all(r.status_code == 400 for r in wrong)
    locked = auth.login("alice")  # the right password, but locked
    assert locked.status_code == wrong[0].status_code
    assert locked.get_json() == wrong[0].get_json()
    assert _headers(locked) == _headers(wrong[0])
    user = client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()
    assert user["locked"] is True
    events = client.get("/auth/audit?action=user.locked", headers=auth.admin).get_json()
    assert events["total"] == 1 and events["items"][0]["target_id"] == str(uid)


def test_four_failures_do_not_lock_and_a_success_restarts_the_count(auth):
    auth.user("alice")
    for i in range(4):
        auth.login("alice", f"Wrong-Password-{i}")
    assert auth.login("alice").status_code == 200
    for i in range(4):
        auth.login("alice", f"Wrong-Password-{i}")
    assert auth.login("alice").status_code == 200


def test_an_admin_unlocks_a_locked_account(auth, client):
    uid = auth.user("alice")
    for i in range(5):
        auth.login("alice", f"Wrong-Password-{i}")
    assert auth.login("alice").status_code == 400
    resp = client.post(f"/auth/users/{uid}/unlock", headers=auth.admin)
    assert resp.status_code == 200 and resp.get_json()["locked"] is False
    assert auth.login("alice").status_code == 200
    actions = [e["action"] for e in
               client.get("/auth/audit?action=user.*", headers=auth.admin).get_json()["items"]]
    assert "user.unlocked" in actions


def test_a_user_without_auth_admin_cannot_unlock(auth, client):
    uid = auth.user("alice")
    auth.user("bob", ("hr", "BR01"))
    resp = client.post(f"/auth/users/{uid}/unlock", headers=bearer(auth.token("bob")))
    assert resp.status_code == 403
    assert client.post(f"/auth/users/{uid}/unlock", headers=auth.admin).status_code == 200


def test_the_lock_lifts_by_itself_after_fifteen_minutes(auth, clock):
    auth.user("alice")
    for i in range(5):
        auth.login("alice", f"Wrong-Password-{i}")
    clock.offset = dt.timedelta(minutes=14)
    assert auth.login("alice").status_code == 400
    clock.offset = dt.timedelta(minutes=15, seconds=1)
    assert auth.login("alice").status_code == 200


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(auth, clock):
    auth.user("alice")
    for i in range(4):
        auth.login("alice", f"Wrong-Password-{i}")
    clock.offset = dt.timedelta(minutes=16)
    auth.login("alice", "Wrong-Password-x")
    assert auth.login("alice").status_code == 200


def test_a_disabled_user_is_refused_with_the_same_answer_as_a_wrong_password(auth, client):
    uid = auth.user("alice")
    wrong = auth.login("alice", "Wrong-Password-1")
    assert client.patch(f"/auth/users/{uid}", headers=auth.admin,
                        json={"status": "disabled"}).status_code == 200
    resp = auth.login("alice")
    assert resp.status_code == 400 and resp.get_json() == wrong.get_json()


def test_usernames_are_case_insensitive(auth):
    auth.user("alice")
    assert auth.login("ALICE").status_code == 200


def test_missing_parameters_and_unknown_grants_get_rfc_6749_errors(client):
    cases = [({"grant_type": "password", "username": "x"}, "invalid_request"),
             ({"username": "x", "password": "y"}, "invalid_request"),
             ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
             ({"grant_type": "refresh_token"}, "invalid_request")]
    for body, error in cases:
        resp = client.post("/auth/token", data=body)
        assert resp.status_code == 400, body
        assert resp.get_json()["error"] == error, body
        assert resp.mimetype == "application/json"
        assert resp.headers["Cache-Control"] == "no-store"


def test_a_body_that_is_neither_a_form_nor_a_json_object_is_an_invalid_request(client):
    for data, ctype in (("[1, 2]", "application/json"), ("{nope", "application/json"),
                        ("grant_type=password", "text/plain")):
        resp = client.post("/auth/token", data=data, content_type=ctype)
        assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_request"
    ok = client.post("/auth/token", json={"grant_type": "password", "username": ADMIN[0],
                                          "password": ADMIN[1]})
    assert ok.status_code == 200


def test_an_address_gets_429_after_60_failed_requests_within_a_minute(client, auth):
    bad = {"grant_type": "password", "username": "x"}
    for _ in range(60):
        assert client.post("/auth/token", data=bad).status_code == 400
    blocked = client.post("/auth/token", data=bad)
    assert blocked.status_code == 429
    assert blocked.get_json()["error"] == "too_many_requests"
    assert int(blocked.headers["Retry-After"]) >= 1
    assert blocked.headers["Cache-Control"] == "no-store"
    other = client.post("/auth/token", data=bad, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 400
    assert auth.login(*ADMIN).status_code == 429  # docs/api.md: a right guess answers alike


def test_successful_requests_are_never_throttled(auth, client):
    for _ in range(70):
        assert client.post("/auth/token", data={"grant_type": "client_credentials"},
                           auth=("svc-leave", "leave-secret-0123456789")).status_code == 200
    bad = {"grant_type": "password", "username": "x"}
    for _ in range(59):
        client.post("/auth/token", data=bad)
    assert auth.login(*ADMIN).status_code == 200
