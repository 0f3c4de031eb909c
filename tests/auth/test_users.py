"""User administration, the admin rule, `/auth/me` and the bootstrap admin."""

from __future__ import annotations

import datetime as dt
import os
import stat

from services.auth.models import db
from services.auth.service import users
from tests.auth.conftest import ADMIN, PASSWORD
from tests.conftest import bearer


def _new(client, headers, **body):
    body = {"username": "alice", "password": PASSWORD, "display_name": "Alice", **body}
    return client.post("/auth/users", headers=headers, json=body)


def test_an_admin_creates_a_user_and_reads_it_back_without_any_hash(auth, client):
    resp = _new(client, auth.admin, employee_no="E0042")
    assert resp.status_code == 201
    uid = resp.get_json()["id"]
    body = client.get(f"/auth/users/{uid}", headers=auth.admin)
    text = body.get_data(as_text=True)
    assert body.get_json()["employee_no"] == "E0042" and body.get_json()["bindings"] == []
    assert "argon2" not in text and "password" not in text and PASSWORD not in text


def test_the_password_policy_refuses_short_username_bearing_and_common_passwords(auth, client):
    for password in ("Short-1", "alice-is-my-password", "Password123"):
        resp = _new(client, auth.admin, password=password)
        assert resp.status_code == 422 and "password" in resp.get_json()["errors"], password
    assert _new(client, auth.admin).status_code == 201


def test_usernames_and_employee_numbers_are_unique(auth, client):
    assert _new(client, auth.admin, employee_no="E1").status_code == 201
    assert _new(client, auth.admin, username="ALICE").status_code == 409
    assert _new(client, auth.admin, username="bob", employee_no="E1").status_code == 409


def test_user_admin_needs_auth_admin_over_the_whole_organisation(auth, client):
    auth.user("branchadmin", ("admin", "BR01"))
    scoped = bearer(auth.token("branchadmin"))
    assert _new(client, scoped).status_code == 403
    assert client.get("/auth/users", headers=scoped).status_code == 403
    assert _new(client, auth.admin).status_code == 201


def test_removing_the_admin_binding_takes_effect_before_the_token_expires(auth, client):
    uid = auth.user("root2")
    binding = auth.bind(uid, ("admin", "*"))
    token = bearer(auth.token("root2"))
    assert client.get("/auth/users", headers=token).status_code == 200
    client.delete(f"/auth/users/{uid}/roles/{binding['id']}", headers=auth.admin)
    assert client.get("/auth/users", headers=token).status_code == 403


def test_the_user_list_is_paginated_and_filtered(auth, client):
    auth.user("amy", ("hr", "BR01"))
    auth.user("ben")
    page = client.get("/auth/users?per_page=2", headers=auth.admin).get_json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["per_page"] == 2
    hr = client.get("/auth/users?role=hr", headers=auth.admin).get_json()
    assert [u["username"] for u in hr["items"]] == ["amy"]
    found = client.get("/auth/users?username=BE", headers=auth.admin).get_json()
    assert [u["username"] for u in found["items"]] == ["ben"]
    assert client.get("/auth/users?per_page=201", headers=auth.admin).status_code == 422


def test_patching_a_user_validates_fields(auth, client):
    uid = auth.user("amy")
    bad = client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "sleeping"})
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]
    unknown = client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"role": "admin"})
    assert unknown.status_code == 422
    ok = client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"display_name": "Amy W"})
    assert ok.status_code == 200 and ok.get_json()["display_name"] == "Amy W"
    assert client.get("/auth/users/9999", headers=auth.admin).status_code == 404


def test_a_re_enabled_users_old_tokens_stay_dead(auth, client):
    uid = auth.user("amy")
    token = bearer(auth.token("amy"))
    assert client.get("/auth/me", headers=token).status_code == 200
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "disabled"})
    assert client.get("/auth/me", headers=token).status_code == 401
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "active"})
    assert client.get("/auth/me", headers=token).status_code == 401
    assert client.get("/auth/me", headers=bearer(auth.token("amy"))).status_code == 200


def test_me_answers_the_caller_and_their_bindings(auth, client):
    auth.user("amy", ("employee", "SB01"))
    me = client.get("/auth/me", headers=bearer(auth.token("amy"))).get_json()
    assert me["username"] == "amy" and me["bindings"][0]["path"] == "HQ/BR01/SB01"
    assert client.get("/auth/me", headers=bearer(auth.client_token())).status_code == 403
    assert client.get("/auth/me").status_code == 401


def test_the_bootstrap_admin_from_the_environment_holds_admin_over_everything(auth, client):
    me = client.get("/auth/me", headers=auth.admin).get_json()
    assert me["username"] == ADMIN[0]
    assert [(b["role"], b["org"], b["path"]) for b in me["bindings"]] == [("admin", "*", "*")]


def test_without_the_environment_a_random_admin_password_is_written_once(app, settings, auth):
    with app.app_context():
        db.session.execute(db.text("DELETE FROM role_bindings"))
        db.session.commit()
        settings.bootstrap_admin = None
        now = dt.datetime.now(dt.UTC)
        password = users.bootstrap_admin(session=db.session, settings=settings, now=now)
        assert password and users.bootstrap_admin(session=db.session, settings=settings,
                                                  now=now) is None
    path = settings.data_dir / "admin-credentials"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    username, _, secret = path.read_text().strip().partition(":")
    assert (username, secret) == ("admin", password)
    assert auth.login(username, secret).status_code == 200
