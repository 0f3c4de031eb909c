"""`/auth/role-holders` and `/auth/employees/{no}/roles`: who holds a role over a unit
(nearest first, live, dated in HR_TIMEZONE), what roles an employee holds, who may ask, and
a fixed number of queries whatever the tree depth or binding count."""

from __future__ import annotations

import datetime as dt

import pytest

from services.auth.models import RoleBinding, db
from services.auth.service import orgs
from tests.auth.test_check_queries import _statements
from tests.conftest import bearer

#: 01:00 on 2 June in Shanghai, still 1 June in UTC: "today" must be read in HR_TIMEZONE.
LATE_UTC = dt.datetime(2030, 6, 1, 17, 0, tzinfo=dt.UTC)
JUNE_1, JUNE_2 = dt.date(2030, 6, 1), dt.date(2030, 6, 2)


def holders(client, headers, role="branch_head", org="SB01", **page):
    return client.get("/auth/role-holders", headers=headers,
                      query_string={"role": role, "org": org, **page})


@pytest.fixture
def leave(auth):
    """The leave service's client token (holds auth:check)."""
    return bearer(auth.client_token("leave"))


@pytest.fixture
def branch(auth, client):
    """Branch heads over SB01 and the units above it, and some that must not show (the
    role's unit types are lifted here: what is under test is the order of holders)."""
    lifted = client.patch("/auth/roles/branch_head", headers=auth.admin,
                          json={"unit_types": None})
    assert lifted.status_code == 200 and lifted.get_json()["unit_types"] is None
    ids = {
        "near": auth.user("near", ("branch_head", "SB01"), employee_no="E1"),
        "above": auth.user("above", ("branch_head", "BR01"), employee_no="E2"),
        "root": auth.user("root", ("branch_head", "HQ")),
        "everywhere": auth.user("everywhere", ("branch_head", "*")),
        "sibling": auth.user("sibling", ("branch_head", "SB02")),
        "below": auth.user("below", ("branch_head", "SB01_HALL")),
        "other_role": auth.user("other_role", ("hr", "SB01")),
        "disabled": auth.user("disabled", ("branch_head", "SB01")),
        "ended": auth.user("ended", {"role": "branch_head", "org": "SB01",
                                     "valid_to": JUNE_1.isoformat()}),
        "acting": auth.user("acting", {"role": "branch_head", "org": "SB01",
                                       "valid_from": JUNE_2.isoformat(),
                                       "valid_to": JUNE_2.isoformat()}),
        "later": auth.user("later", {"role": "branch_head", "org": "SB01",
                                     "valid_from": (JUNE_2 + dt.timedelta(days=1)).isoformat()}),
    }
    resp = client.patch(f"/auth/users/{ids['disabled']}", headers=auth.admin,
                        json={"status": "disabled"})
    assert resp.status_code == 200
    return ids


def test_holders_over_a_unit_are_its_own_and_its_ancestors_nearest_first(client, clock,
                                                                         leave, branch):
    clock.frozen = LATE_UTC
    resp = holders(client, leave)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    names = [i["username"] for i in body["items"]]
    assert names == ["near", "acting", "above", "root", "everywhere"]
    assert body["total"] == 5 and body["page"] == 1 and body["per_page"] == 50
    near = body["items"][0]
    assert near == {"user_id": branch["near"], "username": "near", "employee_no": "E1",
                    "binding_id": near["binding_id"], "role": "branch_head", "org": "SB01",
                    "path": "HQ/BR01/SB01", "valid_from": None, "valid_to": None}
    assert body["items"][1]["valid_from"] == body["items"][1]["valid_to"] == "2030-06-02"
    assert body["items"][-1]["path"] == "*"


def test_a_binding_ending_on_the_utc_date_has_ended_in_the_organisations_time_zone(
        client, clock, leave, branch):
    clock.frozen = LATE_UTC - dt.timedelta(hours=10)  # 15:00 in Shanghai on 1 June
    names = [i["username"] for i in holders(client, leave).get_json()["items"]]
    assert "ended" in names and "acting" not in names
    clock.frozen = LATE_UTC
    names = [i["username"] for i in holders(client, leave).get_json()["items"]]
    assert "ended" not in names and "acting" in names


def test_holders_are_paged_in_the_same_order(client, clock, leave, branch):
    clock.frozen = LATE_UTC
    second = holders(client, leave, page=2, per_page=2).get_json()
    assert [i["username"] for i in second["items"]] == ["above", "root"]
    assert (second["total"], second["page"], second["per_page"]) == (5, 2, 2)
    assert holders(client, leave, per_page=0).status_code == 422


def test_a_unit_with_no_current_holder_answers_an_empty_list(auth, client, leave):
    auth.user("hr_elsewhere", ("hr", "BR02"))
    body = holders(client, leave, role="hr", org="SB01").get_json()
    assert body == {"items": [], "total": 0, "page": 1, "per_page": 50}
    assert holders(client, leave, role="hr", org="SB04").get_json()["total"] == 1


def test_disabling_a_holder_or_removing_the_binding_shows_at_once(auth, client, leave):
    uid = auth.user("head", ("branch_head", "SB01"))
    other = auth.user("head2")
    binding = auth.bind(other, ("branch_head", "SB01"))
    assert holders(client, leave).get_json()["total"] == 2
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "disabled"})
    assert client.delete(f"/auth/users/{other}/roles/{binding['id']}",
                         headers=auth.admin).status_code == 204
    assert holders(client, leave).get_json()["total"] == 0


def test_unknown_role_or_unit_is_422_worded_as_the_check_words_it(client, leave, staff):
    assert holders(client, leave, org="SB02").status_code == 200  # staff knows it: cached
    assert staff.calls == ["SB02"]
    resp = holders(client, leave, role="pope")
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"role": ["Unknown role: pope."]}
    resp = holders(client, leave, org="NOWHERE")
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"org": ["Unknown org unit: NOWHERE."]}
    assert resp.headers["Content-Type"] == "application/problem+json"
    staff.down = True
    assert holders(client, leave, org="SB04").status_code == 503
    assert holders(client, leave, org="SB01").status_code == 200  # cached: staff not asked


def test_an_employees_roles_are_their_users_bindings_valid_today(auth, client, clock, leave):
    uid = auth.user("hr1", ("employee", "SB01"), employee_no="E100")
    auth.bind(uid, {"role": "hr", "org": "BR01", "valid_from": JUNE_2.isoformat()})
    auth.bind(uid, {"role": "branch_head", "org": "SB02", "valid_to": JUNE_1.isoformat()})
    auth.bind(uid, ("dept_manager", "*"))
    clock.frozen = LATE_UTC
    resp = client.get("/auth/employees/E100/roles", headers=leave)
    assert resp.status_code == 200
    assert resp.get_json() == {"employee_no": "E100", "roles": [
        {"role": "employee", "org": "SB01", "path": "HQ/BR01/SB01", "valid_from": None,
         "valid_to": None},
        {"role": "hr", "org": "BR01", "path": "HQ/BR01", "valid_from": "2030-06-02",
         "valid_to": None},
        {"role": "dept_manager", "org": "*", "path": "*", "valid_from": None, "valid_to": None}]}


def test_an_employee_without_an_active_user_holds_no_roles(auth, client, leave):
    uid = auth.user("gone", ("hr", "SB01"), employee_no="E200")
    assert client.get("/auth/employees/E200/roles", headers=leave).get_json()["roles"]
    client.patch(f"/auth/users/{uid}", headers=auth.admin, json={"status": "disabled"})
    for no in ("E200", "E999"):
        resp = client.get(f"/auth/employees/{no}/roles", headers=leave)
        assert resp.status_code == 200
        assert resp.get_json() == {"employee_no": no, "roles": []}


# --- who may ask ---------------------------------------------------------------------------

ROUTES = ("/auth/role-holders?role=hr&org=SB01", "/auth/employees/E1/roles")


@pytest.mark.parametrize("path", ROUTES)
def test_a_service_client_with_auth_check_and_an_admin_may_ask(auth, client, leave, path):
    assert client.get(path, headers=leave).status_code == 200
    assert client.get(path, headers=auth.admin).status_code == 200


@pytest.mark.parametrize("path", ROUTES)
def test_a_user_without_admin_over_everything_may_not_ask(auth, client, path):
    auth.user("branch_admin", ("admin", "BR01"))
    auth.user("hq_hr", ("hr", "HQ"))
    auth.user("auditor", ("auditor", "*"))
    for name in ("branch_admin", "hq_hr", "auditor"):
        resp = client.get(path, headers=bearer(auth.token(name)))
        assert resp.status_code == 403, name
        assert resp.headers["Content-Type"] == "application/problem+json"
    assert client.get(path, headers=auth.admin).status_code == 200  # positive control


@pytest.mark.parametrize("path", ROUTES)
def test_a_client_without_auth_check_may_not_ask(auth, client, leave, path):
    resp = client.post("/auth/clients", headers=auth.admin,
                       json={"name": "reporting", "permissions": ["staff:read"]})
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    token = client.post("/auth/token", data={"grant_type": "client_credentials"},
                        auth=(created["client_id"], created["client_secret"]))
    assert client.get(path, headers=bearer(token.get_json()["access_token"])).status_code == 403
    assert client.get(path, headers=leave).status_code == 200  # positive control


@pytest.mark.parametrize("path", ROUTES)
def test_no_token_is_401(client, leave, path):
    resp = client.get(path)
    assert resp.status_code == 401 and "Bearer" in resp.headers["WWW-Authenticate"]
    assert client.get(path, headers=leave).status_code == 200


# --- cost ----------------------------------------------------------------------------------

@pytest.fixture
def tall(app, auth):
    """A branch 8 levels deep (HQ/L1/…/L7) and 60 more units: `big` (employee BIG) holds
    dept_manager on each level and on all 60; the others no binding near them."""
    big = auth.user("big", ("employee", "SB01"), employee_no="BIG")
    auth.user("small", ("dept_manager", "SB01"), employee_no="SMALL")
    with app.app_context():
        now = dt.datetime.now(dt.UTC)
        path = "HQ"
        for level in range(1, 8):
            path += f"/L{level}"
            orgs.remember(session=db.session, code=f"L{level}", path=path, source="staff",
                          now=now)
            db.session.add(RoleBinding(user_id=big, role="dept_manager", org=f"L{level}"))
        for i in range(60):
            orgs.remember(session=db.session, code=f"U{i}", path=f"HQ/BR02/U{i}",
                          source="staff", now=now)
            db.session.add(RoleBinding(user_id=big, role="dept_manager", org=f"U{i}"))
        db.session.commit()


def test_both_cost_the_same_queries_however_deep_the_unit_and_many_the_holders(
        app, client, leave, tall):
    def ask(org):
        return lambda: client.get("/auth/role-holders", headers=leave,
                                  query_string={"role": "dept_manager", "org": org})

    def roles(no):
        return lambda: client.get(f"/auth/employees/{no}/roles", headers=leave)

    ask("SB01")()  # warm the per-process key cache, as any running worker is
    few = _statements(app, ask("SB01"))
    deep = _statements(app, ask("L7"))
    wide = _statements(app, ask("U59"))
    assert len(few) == len(deep) == len(wide) <= 5, deep
    assert client.get("/auth/role-holders", headers=leave, query_string={
        "role": "dept_manager", "org": "L7"}).get_json()["total"] == 7
    assert len(_statements(app, roles("SMALL"))) == len(_statements(app, roles("BIG")))
    assert len(client.get("/auth/employees/BIG/roles", headers=leave)
               .get_json()["roles"]) == 68
