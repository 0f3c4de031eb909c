"""No answer of the staff service tells which unit codes or employee numbers exist outside
the caller's scope (review findings 5 and 13).

An employee a write refers to (manager, handover supervisor, related employee, the CSV
import's manager column) and a unit a request names (in the URL, a body or a filter) answer
exactly as an unknown one when the caller may not read them; a write on a unit the caller
knows but may not write is a 403 that names the code given, never a path. Every denial sits
beside a positive control, so a test cannot pass by refusing everything.

The network (`org` fixture): HQ ─ BR01 ─ SB01 ─ OT01, BR01 ─ SB02, HQ ─ BR02 ─ SB03;
E1 in SB01, E2 in OT01, E3 in SB02, E4 in SB03 (outside BR01).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import bearer
from tests.staff.fixtures import *  # noqa: F403 - the staff app, client and org fixtures
from tests.staff.fixtures import hire

GHOST = "E0999"  # no such employee anywhere


@pytest.fixture
def people(client, admin, org, catalogue):
    for no, unit in (("E1", "SB01"), ("E2", "OT01"), ("E3", "SB02"), ("E4", "SB03")):
        assert hire(client, admin, no, unit).status_code == 201


@pytest.fixture
def br01_hr(tokens):
    return bearer(tokens.user(sub="hr-br01", roles=[("hr", "BR01", "HQ/BR01")]))


@pytest.fixture
def sb01_head(tokens):
    return bearer(tokens.user(sub="head-sb01", emp="E1",
                              roles=[("branch_head", "SB01", "HQ/BR01/SB01")]))


def same_as_unknown(hidden: Any, unknown: Any, hidden_key: str, unknown_key: str) -> None:
    """The answer about a hidden key is the answer about an unknown one, key for key."""
    assert hidden.status_code == unknown.status_code
    assert hidden.get_json() == _swap(unknown.get_json(), unknown_key, hidden_key)


def _swap(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_swap(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _swap(v, old, new) for k, v in value.items()}
    return value


# --- finding 5: employees a write refers to ---------------------------------------------


def test_a_hire_names_only_a_manager_the_caller_may_read(client, br01_hr, people):
    assert hire(client, br01_hr, "N1", "SB01", manager="E3").status_code == 201
    hidden = hire(client, br01_hr, "N2", "SB01", manager="E4")
    unknown = hire(client, br01_hr, "N2", "SB01", manager=GHOST)
    assert hidden.status_code == 422
    assert hidden.get_json()["errors"] == {"manager": ["No employee E4."]}
    same_as_unknown(hidden, unknown, "E4", GHOST)


def test_a_hidden_manager_who_left_is_still_just_unknown(client, admin, br01_hr, people):
    client.post("/staff/employees/E4/status", headers=admin, json={"status": "left"})
    client.post("/staff/employees/E3/status", headers=admin, json={"status": "left"})
    visible = hire(client, br01_hr, "N1", "SB01", manager="E3")
    assert visible.get_json()["errors"] == {"manager": ["The employee E3 has left."]}
    hidden = hire(client, br01_hr, "N1", "SB01", manager="E4")
    same_as_unknown(hidden, hire(client, br01_hr, "N1", "SB01", manager=GHOST), "E4", GHOST)


def test_a_transfer_names_only_a_manager_and_supervisor_the_caller_may_read(client, br01_hr,
                                                                            people):
    def transfer(**extra: Any) -> Any:
        return client.post("/staff/employees/E1/transfer", headers=br01_hr, json={
            "org": "SB02", "effective_date": "2025-01-01", **extra})

    for field in ("manager", "handover_supervisor"):
        hidden = transfer(**{field: "E4"})
        assert hidden.status_code == 422, field
        same_as_unknown(hidden, transfer(**{field: GHOST}), "E4", GHOST)
    ok = transfer(manager="E3", handover_supervisor="E2")
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["manager"] == "E3"


def test_hr_declares_relations_only_with_employees_it_may_read(client, br01_hr, tokens,
                                                                people):
    def declare(no: str, related: str, headers: dict[str, str] = br01_hr) -> Any:
        return client.post(f"/staff/employees/{no}/relations", headers=headers,
                           json={"related_no": related, "kind": "spouse"})

    hidden = declare("E1", "E4")
    assert hidden.status_code == 422
    same_as_unknown(hidden, declare("E1", GHOST), "E4", GHOST)
    assert declare("E1", "E3").status_code == 201
    # The employee themself may name a relative anywhere (documented exception).
    own = bearer(tokens.user(emp="E2", roles=[("employee", "OT01", "HQ/BR01/SB01/OT01")]))
    assert declare("E2", "E4", own).status_code == 201


def test_the_csv_import_names_only_managers_the_importer_may_read(client, br01_hr, people):
    header = "employee_no,name,org,position,hire_date,manager\n"

    def rows(manager: str) -> list[dict[str, Any]]:
        text = header + f"N1,甲,SB01,CASH_TELLER,2024-03-01,{manager}\n"
        resp = client.post("/staff/employees/import?dry_run=true", headers=br01_hr,
                           data=text.encode(), content_type="text/csv")
        assert resp.status_code in (200, 422)
        return resp.get_json().get("rows") if resp.status_code == 422 else []

    assert rows("E3") == []
    assert rows("E4") == [{"row": 2, "field": "manager", "message": "No employee E4."}]
    assert rows(GHOST) == [{"row": 2, "field": "manager", "message": f"No employee {GHOST}."}]


def test_a_client_with_staff_read_may_name_anyone(client, tokens, people):
    machine = bearer(tokens.client("hr-sync", ["staff:read", "staff:write"]))
    assert hire(client, machine, "N1", "SB01", manager="E4").status_code == 201
    writer_only = bearer(tokens.client("writer", ["staff:write"]))
    assert hire(client, writer_only, "N2", "SB01", manager="E4").status_code == 201


def test_own_record_is_a_manager_one_may_name(client, tokens, people):
    # An hr of SB02 whose own record is in SB03: they may read (and so name) themself.
    hr = bearer(tokens.user(emp="E4", roles=[("hr", "SB02", "HQ/BR01/SB02")]))
    assert hire(client, hr, "N1", "SB02", manager="E4").status_code == 201
    assert hire(client, hr, "N2", "SB02", manager="E1").status_code == 422


# --- finding 13: units outside the caller's scope ---------------------------------------


@pytest.mark.parametrize("suffix", ["", "/tree", "/chart.svg"])
def test_reading_a_unit_outside_scope_answers_as_an_unknown_code(client, sb01_head, people,
                                                                 suffix):
    assert client.get(f"/staff/org-units/OT01{suffix}", headers=sb01_head).status_code == 200
    for code in ("SB02", "BR01", "HQ"):
        hidden = client.get(f"/staff/org-units/{code}{suffix}", headers=sb01_head)
        unknown = client.get(f"/staff/org-units/NOPE{suffix}", headers=sb01_head)
        assert hidden.status_code == 404
        same_as_unknown(hidden, unknown, code, "NOPE")


@pytest.mark.parametrize("url", [
    "/staff/employees?org={}", "/staff/employees?org={}&subtree=true",
    "/staff/employees/export.csv?org={}", "/staff/org-units?under={}",
    "/staff/org-units?parent={}",
])
def test_a_filter_on_a_unit_outside_scope_answers_as_an_unknown_code(client, sb01_head,
                                                                     people, url):
    assert client.get(url.format("SB01"), headers=sb01_head).status_code == 200
    # BR01 is above the caller's grant (their token names its path): a fine filter.
    assert client.get(url.format("BR01"), headers=sb01_head).status_code == 200
    hidden = client.get(url.format("SB02"), headers=sb01_head)
    assert hidden.status_code == 422
    same_as_unknown(hidden, client.get(url.format("NOPE"), headers=sb01_head), "SB02", "NOPE")


def test_a_filter_above_ones_own_unit_still_finds_ones_own_record(client, tokens, people):
    me = bearer(tokens.user(emp="E3", roles=[("employee", "SB02", "HQ/BR01/SB02")]))
    mine = client.get("/staff/employees?org=BR01&subtree=true", headers=me)
    assert [e["employee_no"] for e in mine.get_json()["items"]] == ["E3"]
    assert client.get("/staff/employees?org=SB01", headers=me).status_code == 422


def test_writes_naming_a_unit_outside_scope_answer_as_an_unknown_code(client, br01_hr, people):
    unit = {"name_zh": "部门", "type": "department"}
    inside = client.post("/staff/org-units", headers=br01_hr,
                         json={**unit, "code": "D1", "parent": "SB02"})
    assert inside.status_code == 201
    hidden = client.post("/staff/org-units", headers=br01_hr,
                         json={**unit, "code": "D2", "parent": "SB03"})
    unknown = client.post("/staff/org-units", headers=br01_hr,
                          json={**unit, "code": "D2", "parent": "NOPE"})
    same_as_unknown(hidden, unknown, "SB03", "NOPE")
    for code in ("SB03", "NOPE"):  # in the URL: 404, the same body
        resp = client.patch(f"/staff/org-units/{code}", headers=br01_hr, json={"name_zh": "x"})
        assert resp.status_code == 404 and resp.get_json()["detail"] == f"No org unit {code}."
        resp = client.post(f"/staff/org-units/{code}/move", headers=br01_hr,
                           json={"parent": "SB01"})
        assert resp.status_code == 404 and resp.get_json()["detail"] == f"No org unit {code}."
    move = client.post("/staff/org-units/OT01/move", headers=br01_hr, json={"parent": "SB03"})
    same_as_unknown(move, client.post("/staff/org-units/OT01/move", headers=br01_hr,
                                      json={"parent": "NOPE"}), "SB03", "NOPE")
    transfer = {"effective_date": "2025-01-01"}
    hidden = client.post("/staff/employees/E1/transfer", headers=br01_hr,
                         json={**transfer, "org": "SB03"})
    unknown = client.post("/staff/employees/E1/transfer", headers=br01_hr,
                          json={**transfer, "org": "NOPE"})
    same_as_unknown(hidden, unknown, "SB03", "NOPE")
    hidden, unknown = (hire(client, br01_hr, "N1", code) for code in ("SB03", "NOPE"))
    same_as_unknown(hidden, unknown, "SB03", "NOPE")
    assert hire(client, br01_hr, "N1", "SB01").status_code == 201


def test_a_403_names_the_permission_and_the_code_given_never_a_path(client, sb01_head,
                                                                    br01_hr, people):
    denials = [
        # sb01_head reads SB01 but may not write it
        client.patch("/staff/org-units/SB01", headers=sb01_head, json={"name_zh": "x"}),
        client.patch("/staff/employees/E2", headers=sb01_head, json={"name": "x"}),
        hire(client, sb01_head, "N1", "OT01"),
        # br01_hr knows HQ (it is on its grant's path) but may not write there
        client.post("/staff/org-units", headers=br01_hr, json={
            "code": "D1", "name_zh": "部门", "type": "department", "parent": "HQ"}),
        client.post("/staff/org-units/SB01/move", headers=br01_hr, json={"parent": "HQ"}),
        client.post("/staff/org-units/BR01/move", headers=br01_hr, json={"parent": "HQ"}),
    ]
    for resp in denials:
        assert resp.status_code == 403, resp.get_json()
        detail = resp.get_json()["detail"]
        assert detail.startswith("This needs the permission staff:write over ")
        assert "/" not in detail, detail
    assert denials[0].get_json()["detail"] == \
        "This needs the permission staff:write over SB01."
    assert denials[3].get_json()["detail"] == "This needs the permission staff:write over HQ."
    # positive control: the same writes inside the writer's scope
    assert client.patch("/staff/org-units/SB01", headers=br01_hr,
                        json={"name_zh": "x"}).status_code == 200
    assert client.post("/staff/org-units/SB01/move", headers=br01_hr,
                       json={"parent": "BR01"}).status_code == 200


def test_a_taken_number_is_a_conflict_wherever_it_is(client, br01_hr, people):
    """Documented: numbers are unique across the organisation, so a 409 is the only honest
    answer; it says nothing the caller could act on beyond "pick another number"."""
    assert hire(client, br01_hr, "E4", "SB01").status_code == 409
    assert hire(client, br01_hr, "E5", "SB01").status_code == 201
