"""Auth and staff agree on people: a user's employee number must exist in staff (staff down
→ 503, nothing written); staff's outbox tells auth that an employee left (the user is
disabled, every sign-in ends) or that a qualification was withdrawn (bindings of roles that
require it end, new ones are refused) or restored. Events are idempotent here: staff
delivers at least once."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest

from services.auth.domain.scope import today_in
from tests.auth.conftest import PASSWORD
from tests.conftest import bearer


def _new(client, headers, **extra):
    return client.post("/auth/users", headers=headers, json={
        "username": "newbie", "password": PASSWORD, "display_name": "Newbie", **extra})


def _usernames(client, auth):
    return [u["username"] for u in client.get("/auth/users?per_page=200",
                                              headers=auth.admin).get_json()["items"]]


def _event(client, headers, **body):
    return client.post("/auth/people-events", headers=headers, json=body)


def _refresh(client, raw):
    return client.post("/auth/token", data={"grant_type": "refresh_token",
                                            "refresh_token": raw})


@pytest.fixture
def staff_client(auth):
    """The staff service's own token (auth:people-sync, from service_clients.yaml)."""
    return bearer(auth.client_token("staff"))


# --- a user's employee must exist in staff -----------------------------------------------

def test_a_user_links_only_to_an_employee_staff_knows_who_has_not_left(auth, client, staff):
    unknown = _new(client, auth.admin, employee_no="E9999")
    assert unknown.status_code == 422 and "employee_no" in unknown.get_json()["errors"]
    staff.employees["GONE"] = "left"
    gone = _new(client, auth.admin, employee_no="GONE")
    assert gone.status_code == 422 and "has left" in gone.get_json()["errors"]["employee_no"][0]
    assert "newbie" not in _usernames(client, auth)
    assert "employee:E9999" in staff.calls  # asked over the directory, not guessed
    made = _new(client, auth.admin, employee_no="E0042")  # the positive control
    assert made.status_code == 201 and made.get_json()["employee_no"] == "E0042"


def test_staff_down_is_a_503_and_no_user_is_written(auth, client, staff):
    admin = auth.admin  # signing in needs no staff
    staff.down = True
    resp = _new(client, admin, employee_no="E0042")
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    assert "newbie" not in _usernames(client, auth)
    assert client.get("/auth/audit?action=user.created&per_page=200",
                      headers=auth.admin).get_json()["total"] == 1  # the bootstrap admin only
    # a user with no employee number needs no staff at all
    assert _new(client, auth.admin).status_code == 201


def test_changing_a_users_employee_number_is_checked_the_same_way(auth, client, staff):
    uid = auth.user("linked", employee_no="E1")
    bad = client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"employee_no": "NOPE"})
    assert bad.status_code == 422
    staff.down = True
    down = client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"employee_no": "E2"})
    assert down.status_code == 503
    staff.down = False
    assert client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()["employee_no"] == "E1"
    ok = client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"employee_no": "E2"})
    assert ok.status_code == 200 and ok.get_json()["employee_no"] == "E2"


# --- a leaver keeps no access ------------------------------------------------------------

def test_an_employee_who_left_loses_every_sign_in_and_the_event_is_idempotent(
        auth, client, staff_client):
    uid = auth.user("leaver", ("branch_head", "SB01"), employee_no="LV1")
    pair = auth.login("leaver").get_json()
    assert auth.check(pair["access_token"], "leave:approve", "SB01").get_json()["allowed"]
    body = {"event": "employee_left", "employee_no": "LV1", "reason": "Resigned",
            "reference": "staff:employee:LV1:left"}
    first = _event(client, staff_client, **body)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"applied": True, "users": [uid], "bindings_ended": 0,
                                "sessions_revoked": 1}
    assert _refresh(client, pair["refresh_token"]).status_code == 400
    check = auth.check(pair["access_token"], "leave:approve", "SB01").get_json()
    assert check["allowed"] is False and check["code"] == "user_disabled"
    assert auth.login("leaver").status_code == 400
    user = client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()
    assert user["status"] == "disabled"
    again = _event(client, staff_client, **body)  # delivered twice: nothing more happens
    assert again.status_code == 200 and again.get_json()["applied"] is False
    trail = client.get(f"/auth/audit?action=user.left&target={uid}",
                       headers=auth.admin).get_json()
    assert trail["total"] == 1
    assert trail["items"][0]["actor"] == "svc-staff"
    assert trail["items"][0]["after"]["reference"] == "staff:employee:LV1:left"


def test_an_event_about_an_employee_with_no_user_changes_nothing(auth, client, staff_client):
    resp = _event(client, staff_client, event="employee_left", employee_no="E200")
    assert resp.status_code == 200 and resp.get_json()["applied"] is False


def test_only_staff_or_an_admin_may_report_people(auth, client, staff_client):
    leave = bearer(auth.client_token("leave"))
    uid = auth.user("target", ("employee", "SB01"), employee_no="E100")
    body = {"event": "employee_left", "employee_no": "E100"}
    assert _event(client, leave, **body).status_code == 403
    assert client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()["status"] == "active"
    assert _event(client, staff_client, **body).status_code == 200  # the positive control
    bad = _event(client, staff_client, event="qualification_withdrawn", employee_no="E100")
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"qualification", "reference", "sequence"}


# --- disqualification (取消客户经理资格) ---------------------------------------------------

def _withdraw(client, headers, no, sequence, reference="performance:incident:17",
              event="qualification_withdrawn"):
    return _event(client, headers, event=event, employee_no=no,
                  qualification="customer_manager", reference=reference,
                  reason="Confirmed incident 17", sequence=sequence)


def test_a_withdrawal_ends_customer_manager_bindings_and_refuses_new_ones_until_restored(
        auth, client, clock, settings, staff_client):
    clock.frozen = dt.datetime.now(dt.UTC)  # one calendar day throughout
    today = today_in(clock.frozen, settings.timezone)
    uid = auth.user("cm", ("customer_manager", "SB01"), ("employee", "SB01"), employee_no="CM1")
    pair = auth.login("cm").get_json()
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    assert "customer_manager" in {r["role"] for r in claims["roles"]}
    other = auth.user("cm2", ("customer_manager", "SB01"), employee_no="CM2")

    resp = _withdraw(client, staff_client, "CM1", sequence=5)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"applied": True, "users": [uid], "bindings_ended": 1,
                               "sessions_revoked": 1}
    held = {b["role"]: b for b in client.get(f"/auth/users/{uid}",
                                             headers=auth.admin).get_json()["bindings"]}
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert held["customer_manager"]["valid_to"] == yesterday
    assert held["employee"]["valid_to"] is None  # roles that need no qualification stay
    assert _refresh(client, pair["refresh_token"]).status_code == 400
    fresh = jwt.decode(auth.token("cm"), options={"verify_signature": False})
    assert {r["role"] for r in fresh["roles"]} == {"employee"}
    check = auth.check(auth.token("cm"), "customer:manage", "SB01").get_json()
    assert check["allowed"] is False and check["code"] == "binding_expired"
    ended = client.get(f"/auth/audit?action=binding.ended&target={uid}",
                       headers=auth.admin).get_json()["items"]
    assert [e["after"]["reference"] for e in ended] == ["performance:incident:17"]
    assert ended[0]["after"]["reason"] == "qualification_withdrawn"

    refused = client.post(f"/auth/users/{uid}/roles", headers=auth.admin,
                          json={"role": "customer_manager", "org": "SB02"})
    assert refused.status_code == 409 and "withdrawn" in refused.get_json()["detail"]
    # another customer manager is untouched (the positive control)
    assert auth.check(auth.token("cm2"), "customer:manage", "SB01").get_json()["allowed"]
    assert other

    # a late retry of an older event changes nothing; the restoration lifts the refusal
    assert _withdraw(client, staff_client, "CM1", sequence=5).get_json()["applied"] is False
    restored = _withdraw(client, staff_client, "CM1", sequence=6,
                         reference="performance:appeal:3", event="qualification_restored")
    assert restored.status_code == 200 and restored.get_json()["applied"] is True
    stale = _withdraw(client, staff_client, "CM1", sequence=5)
    assert stale.get_json()["applied"] is False
    again = client.post(f"/auth/users/{uid}/roles", headers=auth.admin,
                        json={"role": "customer_manager", "org": "SB02"})
    assert again.status_code == 201, again.get_json()


def test_a_customer_manager_role_needs_a_user_linked_to_an_employee(auth, client):
    uid = auth.user("nobody")
    resp = client.post(f"/auth/users/{uid}/roles", headers=auth.admin,
                       json={"role": "customer_manager", "org": "SB01"})
    assert resp.status_code == 409 and "linked to an employee" in resp.get_json()["detail"]
