"""The services as `make run` starts them, over real HTTP on free ports."""

from __future__ import annotations

import pytest

from shared.settings import SERVICES
from tests.e2e.conftest import require

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("service", SERVICES)
def test_health_openapi_and_docs(stack, service):
    require(service)
    health = stack.request("GET", service, "/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    spec = stack.request("GET", service, "/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["openapi"].startswith("3.")
    docs = stack.request("GET", service, "/docs")
    assert docs.status_code == 200
    assert "text/html" in docs.headers["Content-Type"]


@pytest.mark.parametrize("service", SERVICES)
def test_request_id_is_echoed(stack, service):
    require(service)
    resp = stack.request("GET", service, "/health", headers={"X-Request-ID": "e2e-rid-0001"})
    assert resp.headers["X-Request-ID"] == "e2e-rid-0001"


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "auth"])
def test_routes_refuse_requests_without_a_token(stack, service):
    require(service)
    spec = stack.request("GET", service, "/openapi.json").json()
    protected = [path for path, ops in spec["paths"].items()
                 if "get" in ops and "{" not in path and ops["get"].get("security") != []]
    if not protected:
        pytest.skip(f"{service} has no protected GET route without parameters yet")
    path = protected[0].removeprefix(f"/{service}")
    resp = stack.request("GET", service, path)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_bootstrap_admin_logs_in(stack):
    require("auth")
    token = stack.admin_token()
    assert token.count(".") == 2


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "auth"])
def test_an_auth_token_is_accepted_by_every_service(stack, service):
    """Login at auth → RS256 JWT → verified offline by the service with auth's JWKS."""
    require("auth", service)
    spec = stack.request("GET", service, "/openapi.json").json()
    readable = [path for path, ops in spec["paths"].items()
                if "get" in ops and "{" not in path and ops["get"].get("security") != []]
    if not readable:
        pytest.skip(f"{service} has no protected GET route without parameters yet")
    path = readable[0].removeprefix(f"/{service}")
    resp = stack.request("GET", service, path, token=stack.admin_token())
    assert resp.status_code == 200, resp.text[:300]
    forged = stack.admin_token()[:-4] + "AAAA"
    assert stack.request("GET", service, path, token=forged).status_code == 401


def test_a_role_on_a_new_unit_flows_from_staff_through_auth_into_the_token(stack):
    """staff creates the unit (admin token verified via JWKS); auth binds a role on it, asking
    staff for its path with auth's own service token; the user's next token carries it."""
    require("auth", "staff")
    import jwt

    admin = stack.admin_token()
    root = stack.request("POST", "staff", "/org-units", token=admin, json={
        "code": "E2EHQ", "name_zh": "测试总行", "name_en": "E2E Head Office",
        "type": "head_office", "parent": None})
    assert root.status_code == 201, root.text
    unit = stack.request("POST", "staff", "/org-units", token=admin, json={
        "code": "E2EBR", "name_zh": "测试分行", "type": "branch", "parent": "E2EHQ"})
    assert unit.status_code == 201, unit.text
    assert unit.json()["path"] == "E2EHQ/E2EBR"

    user = stack.request("POST", "auth", "/users", token=admin, json={
        "username": "e2e.hr", "password": "E2e-Strong-Passw0rd!", "display_name": "E2E HR"})
    assert user.status_code == 201, user.text
    binding = stack.request("POST", "auth", f"/users/{user.json()['id']}/roles", token=admin,
                            json={"role": "hr", "org": "E2EBR"},
                            headers={"X-Request-ID": "e2e-binding-0001"})
    assert binding.status_code == 201, binding.text
    # When auth asks staff for the path (it has not cached it), it asks as itself and the
    # caller's request id goes along.
    asked = [e for e in stack.log_entries("staff")
             if e.get("path") == "/staff/org-units/E2EBR" and e.get("sub") == "svc-auth"]
    assert all(e.get("request_id") == "e2e-binding-0001" for e in asked), asked

    token = stack.login("e2e.hr", "E2e-Strong-Passw0rd!")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert {"role": "hr", "org": "E2EBR", "path": "E2EHQ/E2EBR"}.items() <= \
        next(r for r in claims["roles"] if r["org"] == "E2EBR").items()
    assert stack.request("GET", "staff", "/org-units/E2EBR", token=token).status_code == 200


def test_a_disabled_user_shows_on_the_next_check_in_every_worker(stack):
    """Repeated identical checks, answered by each gunicorn worker from its remembered token
    verification and the direct check path; the admin's change, handled by whichever
    worker, must show in every worker's next answer."""
    require("auth")
    import requests

    admin = stack.admin_token()
    user = stack.request("POST", "auth", "/users", token=admin, json={
        "username": "e2e.lane", "password": "E2e-Lane-Passw0rd!", "display_name": "E2E Lane"})
    assert user.status_code == 201, user.text
    bound = stack.request("POST", "auth", f"/users/{user.json()['id']}/roles", token=admin,
                          json={"role": "employee", "org": "*"})
    assert bound.status_code == 201, bound.text
    token = stack.login("e2e.lane", "E2e-Lane-Passw0rd!")

    def codes() -> set[str]:
        seen = set()
        for _ in range(40):  # a new connection each time: spread over the workers
            resp = requests.post(stack.url("auth", "/check"), timeout=10,
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"permission": "leave:request", "org": "*"})
            assert resp.status_code == 200, resp.text
            seen.add(resp.json()["code"])
        return seen

    assert codes() == {"allowed"}
    disabled = stack.request("PATCH", "auth", f"/users/{user.json()['id']}", token=admin,
                             json={"status": "disabled"})
    assert disabled.status_code == 200, disabled.text
    assert codes() == {"user_disabled"}


def test_a_hire_shows_on_the_next_listing_and_chain_in_every_worker(stack):
    """Repeated identical listings and chains over every gunicorn worker; a hire and a
    transfer, handled by whichever worker, must show in every worker's next answer."""
    require("auth", "staff")
    import requests

    admin = stack.admin_token()
    for code, utype, parent in (("LNHQ", "head_office", None), ("LNBR", "branch", "LNHQ"),
                                ("LNSB", "sub_branch", "LNBR"), ("LNSC", "sub_branch", "LNBR")):
        made = stack.request("POST", "staff", "/org-units", token=admin, json={
            "code": code, "name_zh": f"测试{code}", "type": utype, "parent": parent})
        assert made.status_code == 201, made.text

    def hire(no: str, org: str) -> None:
        resp = stack.request("POST", "staff", "/employees", token=admin, json={
            "employee_no": no, "name": f"员工{no}", "org": org, "position": "CASH_TELLER",
            "hire_date": "2024-03-01"})
        assert resp.status_code == 201, resp.text

    hire("LN1", "LNSB")

    def seen(path: str, pick) -> set:
        found = set()
        for _ in range(30):  # a new connection each time: spread over the workers
            resp = requests.get(stack.url("staff", path), timeout=10,
                                headers={"Authorization": f"Bearer {admin}"})
            assert resp.status_code == 200, resp.text
            found.add(pick(resp.json()))
        return found

    def listed():
        return seen("/employees?org=LNBR&subtree=true",
                    lambda b: tuple(i["employee_no"] for i in b["items"]))

    def unit_of_ln1():
        return seen("/employees/LN1/chain", lambda b: b["unit"]["code"])

    assert listed() == {("LN1",)} and unit_of_ln1() == {"LNSB"}
    hire("LN2", "LNSC")
    moved = stack.request("POST", "staff", "/employees/LN1/transfer", token=admin,
                          json={"org": "LNSC", "effective_date": "2024-06-01"})
    assert moved.status_code == 200, moved.text
    assert listed() == {("LN1", "LN2")} and unit_of_ln1() == {"LNSC"}
