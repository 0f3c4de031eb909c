"""RFC 7662 introspection: who may ask, and when a token is inactive."""

from __future__ import annotations

import datetime as dt

from tests.auth.conftest import SERVICE_CREDS
from tests.conftest import bearer


def _ask(client, token, **kw):
    kw.setdefault("auth", SERVICE_CREDS["leave"])
    return client.post("/auth/introspect", data={"token": token}, **kw)


def test_an_active_access_token_introspects_with_its_claims(auth, client):
    uid = auth.user("alice", ("branch_head", "SB01"), employee_no="E7")
    token = auth.token("alice")
    resp = _ask(client, token)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    assert body["active"] is True and body["sub"] == str(uid) and body["emp"] == "E7"
    assert body["token_type"] == "access_token" and body["username"] == "alice"
    assert body["roles"][0]["path"] == "HQ/BR01/SB01"


def test_a_client_may_authenticate_with_the_bearer_token_of_its_grant(auth, client):
    auth.user("alice")
    token = auth.token("alice")
    resp = client.post("/auth/introspect", data={"token": token},
                       headers=bearer(auth.client_token("leave")))
    assert resp.status_code == 200 and resp.get_json()["active"] is True


def test_introspection_needs_client_authentication_and_auth_introspect(auth, client):
    auth.user("alice", ("admin", "*"))
    token = auth.token("alice")
    assert _ask(client, token, auth=None).status_code == 401
    assert _ask(client, token, auth=("svc-leave", "wrong")).status_code == 401
    user_bearer = client.post("/auth/introspect", data={"token": token}, headers=bearer(token))
    assert user_bearer.status_code == 401
    no_perm = _ask(client, token, auth=SERVICE_CREDS["staff"])
    assert no_perm.status_code == 403 and no_perm.get_json()["error"] == "insufficient_scope"
    assert _ask(client, token).status_code == 200


def test_an_expired_access_token_is_inactive(auth, client, clock):
    auth.user("alice")
    fresh = auth.token("alice")
    clock.offset = -dt.timedelta(minutes=10)
    old = auth.token("alice")
    clock.offset = dt.timedelta()
    assert _ask(client, fresh).get_json()["active"] is True
    assert _ask(client, old).get_json() == {"active": False}


def test_a_disabled_users_access_token_is_inactive_at_once(auth, client):
    uid = auth.user("alice")
    token = auth.token("alice")
    assert _ask(client, token).get_json()["active"] is True
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "disabled"})
    assert _ask(client, token).get_json() == {"active": False}


def test_refresh_tokens_introspect_active_until_used(auth, client):
    auth.user("alice")
    raw = auth.login("alice").get_json()["refresh_token"]
    body = _ask(client, raw).get_json()
    assert body["active"] is True and body["token_type"] == "refresh_token"
    client.post("/auth/token", data={"grant_type": "refresh_token", "refresh_token": raw})
    assert _ask(client, raw).get_json() == {"active": False}


def test_garbage_and_foreign_tokens_are_inactive(client, tokens, auth):
    auth.user("alice")
    assert _ask(client, auth.token("alice")).get_json()["active"] is True
    assert _ask(client, "garbage").get_json() == {"active": False}
    assert _ask(client, tokens.user(sub="1")).get_json() == {"active": False}


def test_introspection_without_a_token_is_an_invalid_request(client):
    resp = client.post("/auth/introspect", data={}, auth=SERVICE_CREDS["leave"])
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_request"


def test_a_token_past_its_exp_is_inactive_even_within_the_verification_leeway(auth, client,
                                                                              clock, settings):
    """Finding 14: RFC 7662 `active` means active now; no leeway at introspection."""
    assert settings.token_leeway >= 5
    auth.user("alice")
    fresh = auth.token("alice")
    clock.offset = -dt.timedelta(seconds=settings.access_token_ttl + 3)
    just_expired = auth.token("alice")
    clock.offset = dt.timedelta()
    assert _ask(client, fresh).get_json()["active"] is True
    assert _ask(client, just_expired).get_json() == {"active": False}
