"""Refresh rotation, family revocation on replay, revocation and logging out everywhere."""

from __future__ import annotations

import datetime as dt

from tests.auth.conftest import SERVICE_CREDS
from tests.conftest import bearer


def _refresh(client, token, as_json=False):
    body = {"grant_type": "refresh_token", "refresh_token": token}
    return client.post("/auth/token", json=body) if as_json else \
        client.post("/auth/token", data=body)


def _introspect(client, token):
    return client.post("/auth/introspect", data={"token": token},
                       auth=SERVICE_CREDS["leave"]).get_json()


def test_a_refresh_token_rotates_into_a_new_pair_and_works_once(auth, client):
    auth.user("alice")
    first = auth.login("alice").get_json()
    resp = _refresh(client, first["refresh_token"])
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    second = resp.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert set(second) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert _refresh(client, second["refresh_token"], as_json=True).status_code == 200


def test_replaying_a_used_refresh_token_revokes_the_whole_family(auth, client):
    auth.user("alice")
    first = auth.login("alice").get_json()
    second = _refresh(client, first["refresh_token"]).get_json()
    replay = _refresh(client, first["refresh_token"])
    assert replay.status_code == 400 and replay.get_json()["error"] == "invalid_grant"
    # the successor dies with its family, and so do the family's access tokens
    assert _refresh(client, second["refresh_token"]).status_code == 400
    assert _introspect(client, second["access_token"]) == {"active": False}
    events = client.get("/auth/audit?action=token_family.revoked",
                        headers=auth.admin).get_json()["items"]
    assert events[0]["after"]["reason"] == "reuse"
    assert first["refresh_token"] not in str(events)


def test_an_unknown_refresh_token_is_an_invalid_grant(client, auth):
    auth.user("alice")
    good = auth.login("alice").get_json()["refresh_token"]
    assert _refresh(client, good).status_code == 200
    resp = _refresh(client, "not-a-token")
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_grant"


def test_a_disabled_user_cannot_refresh_and_their_refresh_tokens_are_revoked(auth, client):
    uid = auth.user("alice")
    pair = auth.login("alice").get_json()
    assert _introspect(client, pair["refresh_token"])["active"] is True
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "disabled"})
    assert _introspect(client, pair["refresh_token"]) == {"active": False}
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "active"})
    assert _refresh(client, pair["refresh_token"]).status_code == 400


def test_a_user_logs_out_by_revoking_their_refresh_token_without_client_credentials(auth,
                                                                                   client):
    auth.user("alice")
    pair = auth.login("alice").get_json()
    assert client.get("/auth/me", headers=bearer(pair["access_token"])).status_code == 200
    resp = client.post("/auth/revoke", data={"token": pair["refresh_token"]})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    assert _refresh(client, pair["refresh_token"]).status_code == 400
    assert _introspect(client, pair["access_token"]) == {"active": False}
    assert client.get("/auth/me", headers=bearer(pair["access_token"])).status_code == 401


def test_revoking_an_unknown_token_still_answers_200(client):
    assert client.post("/auth/revoke", data={"token": "whatever"}).status_code == 200
    assert client.post("/auth/revoke", data={}).get_json()["error"] == "invalid_request"


def test_revoke_with_bad_client_credentials_is_invalid_client(auth, client):
    auth.user("alice")
    pair = auth.login("alice").get_json()
    resp = client.post("/auth/revoke", data={"token": pair["refresh_token"]},
                       auth=("svc-leave", "wrong"))
    assert resp.status_code == 401 and resp.get_json()["error"] == "invalid_client"
    assert _refresh(client, pair["refresh_token"]).status_code == 200


def test_a_client_revokes_an_access_token_which_then_introspects_inactive(auth, client):
    auth.user("alice")
    access = auth.token("alice")
    assert _introspect(client, access)["active"] is True
    resp = client.post("/auth/revoke", data={"token": access, "token_type_hint": "access_token"},
                       headers=bearer(auth.client_token("leave")))
    assert resp.status_code == 200
    assert _introspect(client, access) == {"active": False}


def test_logout_everywhere_ends_every_sign_in_of_the_caller(auth, client):
    auth.user("alice")
    phone, laptop = auth.login("alice").get_json(), auth.login("alice").get_json()
    resp = client.post("/auth/logout-all", headers=bearer(laptop["access_token"]))
    assert resp.status_code == 200 and resp.get_json() == {"revoked_families": 2}
    for pair in (phone, laptop):
        assert _refresh(client, pair["refresh_token"]).status_code == 400
        assert _introspect(client, pair["access_token"]) == {"active": False}
    assert auth.login("alice").status_code == 200


def test_an_admin_logs_a_user_out_everywhere_but_others_may_not(auth, client):
    uid = auth.user("alice")
    auth.user("bob", ("branch_head", "SB01"))
    pair = auth.login("alice").get_json()
    denied = client.post(f"/auth/users/{uid}/logout-all", headers=bearer(auth.token("bob")))
    assert denied.status_code == 403
    resp = client.post(f"/auth/users/{uid}/logout-all", headers=auth.admin)
    assert resp.status_code == 200 and resp.get_json()["revoked_families"] == 1
    assert _refresh(client, pair["refresh_token"]).status_code == 400


def test_a_user_logs_out_with_their_own_bearer_token_and_refresh_token(auth, client):
    """Finding 9: the console's usual `Authorization: Bearer` does not make logout fail."""
    auth.user("luo")
    pair = auth.login("luo").get_json()
    resp = client.post("/auth/revoke", data={"token": pair["refresh_token"]},
                       headers=bearer(pair["access_token"]))
    assert resp.status_code == 200
    assert _refresh(client, pair["refresh_token"]).status_code == 400
    assert _introspect(client, pair["access_token"]) == {"active": False}
    events = client.get("/auth/audit?action=token_family.revoked",
                        headers=auth.admin).get_json()["items"]
    assert events[0]["after"]["reason"] == "revoked" and events[0]["actor_kind"] == "user"


def test_a_user_bearer_token_does_not_revoke_someone_elses_tokens(auth, client):
    auth.user("luo")
    auth.user("mallory")
    victim = auth.login("luo").get_json()
    attacker = auth.login("mallory").get_json()
    for token in (victim["refresh_token"], victim["access_token"]):
        resp = client.post("/auth/revoke", data={"token": token},
                           headers=bearer(attacker["access_token"]))
        assert resp.status_code == 200 and resp.get_json() == {}  # same as an unknown token
    assert _introspect(client, victim["access_token"])["active"] is True
    assert _refresh(client, victim["refresh_token"]).status_code == 200
    # the positive control: the caller's own token is revoked
    own = client.post("/auth/revoke", data={"token": attacker["refresh_token"]},
                      headers=bearer(attacker["access_token"]))
    assert own.status_code == 200
    assert _refresh(client, attacker["refresh_token"]).status_code == 400


def test_logout_with_an_expired_bearer_token_still_revokes_the_refresh_token(auth, client,
                                                                             clock):
    auth.user("luo")
    clock.offset = -dt.timedelta(minutes=10)
    pair = auth.login("luo").get_json()
    clock.offset = dt.timedelta()
    resp = client.post("/auth/revoke", data={"token": pair["refresh_token"]},
                       headers=bearer(pair["access_token"]))
    assert resp.status_code == 200
    assert _refresh(client, pair["refresh_token"]).status_code == 400


def test_a_bad_client_bearer_token_is_still_invalid_client_at_revoke(auth, client):
    auth.user("luo")
    pair = auth.login("luo").get_json()
    for bad in ("garbage", auth.client_token("leave")[:-4] + "AAAA"):
        resp = client.post("/auth/revoke", data={"token": pair["refresh_token"]},
                           headers=bearer(bad))
        assert resp.status_code == 401 and resp.get_json()["error"] == "invalid_client"
    assert _refresh(client, pair["refresh_token"]).status_code == 200


def test_revoke_answers_an_empty_json_object(auth, client):
    """Finding 15: 200 `application/json` `{}`, not an empty text/html body."""
    auth.user("luo")
    pair = auth.login("luo").get_json()
    for kw in ({}, {"auth": SERVICE_CREDS["leave"]}):
        resp = client.post("/auth/revoke", data={"token": pair["refresh_token"]}, **kw)
        assert resp.status_code == 200 and resp.mimetype == "application/json"
        assert resp.get_json() == {} and resp.headers["Cache-Control"] == "no-store"
    unknown = client.post("/auth/revoke", data={"token": "whatever"})
    assert unknown.mimetype == "application/json" and unknown.get_json() == {}
