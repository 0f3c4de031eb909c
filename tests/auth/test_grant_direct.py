"""The direct client-credentials grant (`api.oauth._client_grant_direct`,
`service.grants.client_credentials_direct`) answers what the documented grant answers —
status, headers, the token's header and claims but for its own `jti`/`iat`/`exp` instants,
`expires_in`, `scope` — for services' and registered clients, whether they authenticate by
HTTP Basic or with their credentials in the body; every other request (wrong secret, unknown
or disabled client, both methods at once, over the brake, a key not yet decrypted) is
answered by the documented path, audited and counted as ever; a rotation is
followed at once."""

from __future__ import annotations

import datetime as dt
import json

import jwt
import pytest

from services.auth.api import oauth
from services.auth.models import AuditEvent, FailedRequest, db
from services.auth.service import grants, keys
from shared.audit import Actor
from tests.auth.conftest import SERVICE_CREDS

LEAVE = SERVICE_CREDS["leave"]


@pytest.fixture
def direct(monkeypatch):
    """Counts the grants the direct path answered."""
    answered = []
    original = grants.client_credentials_direct

    def spy(**kw):
        answer = original(**kw)
        if answer is not None:
            answered.append(answer)
        return answer

    monkeypatch.setattr(grants, "client_credentials_direct", spy)
    return answered


def _grant(client, creds=LEAVE, **kw):
    kw.setdefault("data", {"grant_type": "client_credentials"})
    return client.post("/auth/token", auth=creds, headers={"X-Request-ID": "grant-test-0001"},
                       **kw)


def _shape(resp):
    """What must match: status, headers but the length, and the body with the token
    opened (its instants and jti differ between any two grants)."""
    body = resp.get_json()
    if "access_token" in body:
        token = body.pop("access_token")
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == body["expires_in"]
        assert len(claims.pop("jti")) == 32
        body["claims"] = {k: v for k, v in claims.items() if k not in ("iat", "exp")}
        body["header"] = jwt.get_unverified_header(token)
    headers = sorted((k, v) for k, v in resp.headers.items() if k != "Content-Length")
    return resp.status_code, headers, body


def _both(client, creds=LEAVE, **kw):
    fast = _shape(_grant(client, creds, **kw))
    oauth.DIRECT_GRANTS = False
    try:
        slow = _shape(_grant(client, creds, **kw))
    finally:
        oauth.DIRECT_GRANTS = True
    return fast, slow


def _registered(auth, client):
    made = client.post("/auth/clients", headers=auth.admin, json={
        "name": "Core banking", "permissions": ["auth:introspect", "auth:check"]}).get_json()
    return made["client_id"], made["client_secret"]


def test_a_good_grant_is_answered_directly_with_the_documented_answer(app, auth, client,
                                                                     direct):
    _grant(client)  # the process decrypts the active key once (the documented path)
    for creds in (LEAVE, SERVICE_CREDS["staff"], _registered(auth, client)):
        before = len(direct)
        fast, slow = _both(client, creds)
        assert fast == slow and fast[0] == 200
        in_body = {"grant_type": "client_credentials", "client_id": creds[0],
                   "client_secret": creds[1]}
        fast, slow = _both(client, None, data=in_body)  # client_secret_post
        assert fast == slow and fast[0] == 200
        assert len(direct) == before + 2
    token = _grant(client).get_json()["access_token"]
    jwks = client.get("/auth/.well-known/jwks.json").get_json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    assert jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})


@pytest.mark.parametrize("case", ["wrong secret", "unknown client", "body credentials",
                                  "both methods", "no credentials", "json body",
                                  "other grant", "repeated parameter"])
def test_anything_else_takes_the_documented_path(app, client, direct, case):
    _grant(client)
    direct.clear()
    kw, creds = {}, LEAVE
    if case == "wrong secret":
        creds = (LEAVE[0], "not-the-secret-0123456789")
    elif case == "unknown client":
        creds = ("cl-nobody", LEAVE[1])
    elif case == "body credentials":
        creds = None
        kw["data"] = {"grant_type": "client_credentials", "client_id": LEAVE[0],
                      "client_secret": LEAVE[1]}
    elif case == "both methods":
        kw["data"] = {"grant_type": "client_credentials", "client_id": LEAVE[0],
                      "client_secret": LEAVE[1]}
    elif case == "no credentials":
        creds = None
    elif case == "json body":
        kw = {"data": json.dumps({"grant_type": "client_credentials"}),
              "content_type": "application/json"}
    elif case == "other grant":
        kw["data"] = {"grant_type": "client_credentialz"}
    else:
        kw["data"] = "grant_type=client_credentials&grant_type=client_credentials"
        kw["content_type"] = "application/x-www-form-urlencoded"
    fast, slow = _both(client, creds, **kw)
    assert fast == slow
    # only a well-formed grant with one set of good credentials is answered directly
    assert len(direct) == (1 if case in ("json body", "body credentials") else 0)


def test_a_failed_grant_is_still_audited_and_counted(app, client, direct):
    _grant(client)
    direct.clear()
    wrong = (LEAVE[0], "not-the-secret-0123456789")
    assert _grant(client, wrong).status_code == 401
    with app.app_context():
        assert db.session.query(FailedRequest).count() == 1
        assert db.session.query(AuditEvent).filter_by(action="client.auth_failed").count() == 1
    assert _grant(client).status_code == 200 and len(direct) == 1  # its control


def test_a_disabled_client_is_refused_on_the_next_grant(app, auth, client, direct):
    creds = _registered(auth, client)
    _grant(client)
    direct.clear()
    assert _grant(client, creds).status_code == 200 and len(direct) == 1
    client.patch(f"/auth/clients/{creds[0]}", headers=auth.admin, json={"status": "disabled"})
    fast, slow = _both(client, creds)
    assert fast == slow and fast[0] == 401 and len(direct) == 1


def test_over_the_brake_the_direct_path_answers_nothing(app, client, direct, monkeypatch):
    _grant(client)
    direct.clear()
    limiter = app.extensions["auth_limiter"]
    monkeypatch.setattr(limiter, "limit", 2)
    for _ in range(2):
        assert _grant(client, (LEAVE[0], "not-the-secret-0123456789")).status_code == 401
    monkeypatch.setattr(oauth, "_plain_client_credentials",
                        lambda: pytest.fail("a credential was looked at over the brake"))
    fast, slow = _both(client)
    assert fast == slow and fast[0] == 429 and direct == []


def test_a_rotation_is_followed_on_the_next_grant(app, client, settings, direct):
    _grant(client)
    direct.clear()
    with app.app_context():
        new = keys.rotate(session=db.session, settings=settings,
                          now=dt.datetime.now(dt.UTC), actor=Actor.system("auth"))
    kids = [jwt.get_unverified_header(_grant(client).get_json()["access_token"])["kid"]
            for _ in range(2)]
    assert kids == [new, new] and len(direct) == 2


def test_a_key_this_process_has_not_decrypted_takes_the_documented_path_once(
        app, client, direct, monkeypatch):
    monkeypatch.setattr(keys, "_private_keys", {})
    fast, slow = _both(client)
    assert fast == slow and direct == []
    assert _grant(client).status_code == 200 and len(direct) == 1  # decrypted, then direct
