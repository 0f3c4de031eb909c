"""Client registration and the client-credentials grant (HTTP Basic and body)."""

from __future__ import annotations

import jwt

from services.auth.models import Client, db
from services.auth.service import clients
from tests.auth.conftest import SERVICE_CREDS
from tests.conftest import bearer


def _create(client, headers, **body):
    body = {"name": "Core banking", "permissions": ["auth:check", "auth:introspect"], **body}
    return client.post("/auth/clients", headers=headers, json=body)


def test_an_admin_registers_a_client_whose_secret_is_shown_once_and_hashed(auth, client, app):
    resp = _create(client, auth.admin)
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["client_id"] and len(body["client_secret"]) >= 40
    read = client.get(f"/auth/clients/{body['client_id']}", headers=auth.admin).get_json()
    assert "client_secret" not in read and read["permissions"] == ["auth:check",
                                                                   "auth:introspect"]
    listed = client.get("/auth/clients", headers=auth.admin).get_json()
    assert body["client_secret"] not in str(listed)
    with app.app_context():
        stored = db.session.get(Client, body["client_id"]).secret_hash
    assert body["client_secret"] not in stored


def test_registering_a_client_needs_the_admin_rule_and_known_permissions(auth, client):
    auth.user("bob", ("hr", "HQ"))
    assert _create(client, bearer(auth.token("bob"))).status_code == 403
    bad = _create(client, auth.admin, permissions=["auth:everything"])
    assert bad.status_code == 422 and "permissions" in bad.get_json()["errors"]
    assert _create(client, auth.admin).status_code == 201


def test_client_credentials_by_http_basic_answer_a_client_token_without_refresh(auth, client):
    created = _create(client, auth.admin).get_json()
    resp = client.post("/auth/token", data={"grant_type": "client_credentials"},
                       auth=(created["client_id"], created["client_secret"]))
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    assert "refresh_token" not in body and body["token_type"] == "Bearer"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == claims["client_id"] == created["client_id"]
    assert claims["roles"] == [] and claims["token_kind"] == "client" and claims["emp"] is None
    assert claims["scope"] == "auth:check auth:introspect"


def test_client_credentials_in_the_body_work_as_form_and_as_json(auth, client):
    created = _create(client, auth.admin).get_json()
    body = {"grant_type": "client_credentials", "client_id": created["client_id"],
            "client_secret": created["client_secret"]}
    assert client.post("/auth/token", data=body).status_code == 200
    assert client.post("/auth/token", json=body).status_code == 200


def test_a_wrong_client_secret_is_invalid_client_with_a_basic_challenge(auth, client):
    created = _create(client, auth.admin).get_json()
    for kw in ({"auth": (created["client_id"], "wrong")},
               {"auth": ("no-such-client", "wrong")}):
        resp = client.post("/auth/token", data={"grant_type": "client_credentials"}, **kw)
        assert resp.status_code == 401
        assert resp.get_json()["error"] == "invalid_client"
        assert resp.headers["WWW-Authenticate"].startswith("Basic")
    none = client.post("/auth/token", data={"grant_type": "client_credentials"})
    assert none.status_code == 401


def test_two_client_authentication_methods_at_once_are_an_invalid_request(client):
    cid, secret = SERVICE_CREDS["leave"]
    resp = client.post("/auth/token", auth=(cid, secret), data={
        "grant_type": "client_credentials", "client_id": cid, "client_secret": secret})
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_request"


def test_a_disabled_client_can_no_longer_get_tokens(auth, client):
    created = _create(client, auth.admin).get_json()
    creds = (created["client_id"], created["client_secret"])
    grant = {"grant_type": "client_credentials"}
    assert client.post("/auth/token", data=grant, auth=creds).status_code == 200
    client.patch(f"/auth/clients/{created['client_id']}", headers=auth.admin,
                 json={"status": "disabled"})
    assert client.post("/auth/token", data=grant, auth=creds).status_code == 401


def test_service_clients_are_provisioned_with_their_fixed_permissions(auth, client):
    token = auth.client_token("staff")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["scope"] == "auth:check auth:org-sync auth:people-sync"
    resp = client.patch("/auth/clients/svc-staff", headers=auth.admin,
                        json={"permissions": ["auth:admin"]})
    assert resp.status_code == 409


def test_a_changed_service_secret_replaces_the_stored_hash(app, client):
    creds = dict(SERVICE_CREDS, leave=("svc-leave", "a-brand-new-secret-0000"))
    with app.app_context():
        changed = clients.provision_service_clients(session=db.session, credentials=creds)
    assert changed == ["svc-leave"]
    grant = {"grant_type": "client_credentials"}
    assert client.post("/auth/token", data=grant, auth=SERVICE_CREDS["leave"]).status_code == 401
    assert client.post("/auth/token", data=grant, auth=creds["leave"]).status_code == 200
    with app.app_context():
        assert clients.provision_service_clients(session=db.session, credentials=creds) == []


def test_clients_may_only_be_granted_read_and_check_permissions(auth, client):
    """Finding 10: no unscoped `auth:admin`, `staff:write`, … on a machine client."""
    for perms in (["auth:admin"], ["staff:write"], ["auth:audit"], ["leave:approve"],
                  ["auth:org-sync"], ["staff:read", "auth:admin"]):
        resp = _create(client, auth.admin, permissions=perms)
        assert resp.status_code == 422, perms
        messages = resp.get_json()["errors"]["permissions"]
        assert any("may not be granted to a client" in m for m in messages), messages
    allowed = ["auth:check", "auth:introspect", "staff:read", "leave:read", "performance:read"]
    created = _create(client, auth.admin, permissions=allowed)
    assert created.status_code == 201
    cid = created.get_json()["client_id"]
    widen = client.patch(f"/auth/clients/{cid}", headers=auth.admin,
                         json={"permissions": ["staff:read", "staff:write"]})
    assert widen.status_code == 422 and "permissions" in widen.get_json()["errors"]
    narrow = client.patch(f"/auth/clients/{cid}", headers=auth.admin,
                          json={"permissions": ["staff:read"]})
    assert narrow.status_code == 200 and narrow.get_json()["permissions"] == ["staff:read"]


def test_the_client_grantable_permissions_are_listed_and_service_clients_keep_theirs(auth,
                                                                                      client):
    body = client.get("/auth/permissions?per_page=200", headers=auth.admin).get_json()
    grantable = {p["name"] for p in body["items"] if p["client_grantable"]}
    assert grantable == {"auth:check", "auth:introspect", "staff:read", "leave:read",
                         "performance:read"}
    claims = jwt.decode(auth.client_token("staff"), options={"verify_signature": False})
    assert "auth:org-sync" in claims["scope"].split()  # reference data, exempt


def test_only_performances_service_client_holds_staff_qualify(auth, client):
    """取消客户经理资格: performance tells staff; no registered client may be given it."""
    claims = jwt.decode(auth.client_token("performance"), options={"verify_signature": False})
    assert "staff:qualify" in claims["scope"].split()
    leave = jwt.decode(auth.client_token("leave"), options={"verify_signature": False})
    assert "staff:qualify" not in leave["scope"].split()
    resp = _create(client, auth.admin, permissions=["staff:qualify"])
    assert resp.status_code == 422
    assert _create(client, auth.admin, permissions=["staff:read"]).status_code == 201
