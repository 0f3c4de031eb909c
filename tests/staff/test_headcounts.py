"""The per-unit head counts behind the listing's exact totals stay exact after every write.

`unit_headcounts` is kept by database triggers (migration 0002), never by the application:
after each kind of write — hire, CSV import, status change, transfer, unit move, unit
deactivation, a write that fails, and plain SQL — the table must equal a fresh count of the
employees per unit and status, each row must carry its unit's current path, and every
listing total (each unit, with and without its subtree, with and without a status) must
equal a count over the employees. Runs on both stores like the rest of the suite.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import text

from services.staff.models import db
from tests.staff.fixtures import ORG, hire

CODES = [code for code, *_ in ORG]
STATUSES = (None, "active", "suspended", "left")


def _stored(app: Any) -> dict[tuple[str, str], int]:
    """The head counts as stored (rows counting nobody left out), checking their paths."""
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT u.code, h.status, h.employees, h.path, u.path FROM unit_headcounts h "
            "JOIN org_units u ON u.id = h.unit_id")).all()
        db.session.remove()
    assert all(stored_path == unit_path for *_, stored_path, unit_path in rows), rows
    return {(code, status): n for code, status, n, *_ in rows if n}


def _counted(app: Any) -> dict[tuple[str, str], int]:
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT u.code, e.status, count(*) FROM employees e "
            "JOIN org_units u ON u.id = e.unit_id GROUP BY u.code, e.status")).all()
        db.session.remove()
    return {(code, status): n for code, status, n in rows}


def _paths(app: Any) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(text("SELECT code, path FROM org_units")).all()
        db.session.remove()
    return dict(rows)


def assert_exact(app: Any, client: Any, headers: dict[str, str]) -> None:
    """Stored counts = counted employees, and every listing total agrees with them."""
    counted = _counted(app)
    assert _stored(app) == counted
    paths = _paths(app)
    for code in paths:
        for subtree in (False, True):
            for status in STATUSES:
                query = f"/staff/employees?org={code}&subtree={str(subtree).lower()}"
                query += f"&status={status}" if status else ""
                body = client.get(query, headers=headers).get_json()
                expected = sum(n for (unit, s), n in counted.items()
                               if (status is None or s == status)
                               and (unit == code or (subtree
                                    and paths[unit].startswith(paths[code] + "/"))))
                assert body["total"] == expected, (query, body)
    assert client.get("/staff/employees", headers=headers).get_json()["total"] == \
        sum(counted.values())


@pytest.fixture
def staffed(client, admin, org, catalogue) -> None:
    for no, unit in (("S1", "SB01"), ("S2", "SB01"), ("S3", "OT01"), ("S4", "SB03"),
                     ("S5", "SB02")):
        assert hire(client, admin, no, unit).status_code == 201


def test_hiring_counts_each_new_employee_in_their_unit(app, client, admin, staffed):
    assert _stored(app) == {("SB01", "active"): 2, ("OT01", "active"): 1,
                            ("SB03", "active"): 1, ("SB02", "active"): 1}
    assert_exact(app, client, admin)


def test_a_status_change_moves_the_employee_between_status_counts(app, client, admin,
                                                                   staffed):
    for no, status in (("S1", "suspended"), ("S2", "left"), ("S1", "active"),
                       ("S3", "suspended")):
        resp = client.post(f"/staff/employees/{no}/status", headers=admin,
                           json={"status": status, "reason": "test"})
        assert resp.status_code == 200, resp.get_json()
        assert_exact(app, client, admin)
    assert _stored(app)[("SB01", "left")] == 1


def test_a_transfer_moves_the_employee_between_unit_counts(app, client, admin, staffed):
    resp = client.post("/staff/employees/S1/transfer", headers=admin,
                       json={"org": "SB03", "effective_date": "2024-01-01"})
    assert resp.status_code == 200, resp.get_json()
    assert _stored(app)[("SB03", "active")] == 2
    assert_exact(app, client, admin)


def test_a_refused_write_leaves_the_counts_as_they_were(app, client, admin, staffed):
    before = _stored(app)
    resp = client.post("/staff/employees/S1/transfer", headers=admin,
                       json={"org": "SB03", "effective_date": "2000-01-01"})
    assert resp.status_code == 422
    assert hire(client, admin, "S1", "SB02").status_code == 409
    assert _stored(app) == before
    assert_exact(app, client, admin)


def test_a_csv_import_counts_every_row_and_a_dry_run_none(app, client, admin, staffed):
    header = "employee_no,name,name_en,org,position,hire_date,work_start_date,manager\n"
    rows = ("N1,新员工一,,SB01,CASH_TELLER,2024-03-01,,\n"
            "N2,新员工二,,OT01,CASH_TELLER,2024-03-01,,N1\n"
            "N3,新员工三,,OT01,CASH_TELLER,2024-04-01,,\n")
    before = _stored(app)
    resp = client.post("/staff/employees/import?dry_run=true", headers=admin,
                       data=(header + rows).encode(), content_type="text/csv")
    assert resp.status_code == 200, resp.get_json()
    assert _stored(app) == before
    resp = client.post("/staff/employees/import", headers=admin,
                       data=(header + rows).encode(), content_type="text/csv")
    assert resp.status_code == 201, resp.get_json()
    assert _stored(app)[("OT01", "active")] == 3
    assert_exact(app, client, admin)


def test_a_unit_move_carries_its_counts_to_the_new_subtree(app, client, admin, staffed):
    before = client.get("/staff/employees?org=BR02&subtree=true", headers=admin).get_json()
    resp = client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "BR02"})
    assert resp.status_code == 200, resp.get_json()
    after = client.get("/staff/employees?org=BR02&subtree=true", headers=admin).get_json()
    assert after["total"] == before["total"] + 3  # S1, S2 in SB01 and S3 in OT01 below it
    assert_exact(app, client, admin)


def test_deactivating_an_emptied_unit_keeps_the_counts(app, client, admin, staffed):
    resp = client.post("/staff/employees/S5/status", headers=admin,
                       json={"status": "left", "reason": "test"})
    assert resp.status_code == 200
    resp = client.patch("/staff/org-units/SB02", headers=admin, json={"active": False})
    assert resp.status_code == 200, resp.get_json()
    assert _stored(app)[("SB02", "left")] == 1
    assert_exact(app, client, admin)


def test_writes_in_plain_sql_are_counted_too(app, client, admin, staffed):
    """Triggers, not application code: a write that bypasses the service still counts."""
    with app.app_context():
        db.session.execute(text(
            "UPDATE employees SET status = 'suspended' WHERE employee_no IN ('S1', 'S4')"))
        db.session.execute(text(
            "UPDATE employees SET unit_id = (SELECT id FROM org_units WHERE code = 'BR02') "
            "WHERE employee_no = 'S2'"))
        db.session.execute(text(
            "UPDATE employees SET name = 'renamed' WHERE employee_no = 'S3'"))
        db.session.execute(text("DELETE FROM assignments WHERE employee_id = "
                                "(SELECT id FROM employees WHERE employee_no = 'S5')"))
        db.session.execute(text("DELETE FROM employees WHERE employee_no = 'S5'"))
        db.session.commit()
        db.session.remove()
    assert Counter(_stored(app)) == Counter({("SB01", "suspended"): 1, ("BR02", "active"): 1,
                                             ("OT01", "active"): 1, ("SB03", "suspended"): 1})
    assert_exact(app, client, admin)
