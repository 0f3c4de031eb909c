"""CSV import (all or nothing, every error of every row reported) and export."""

from __future__ import annotations

import csv
import io

from tests.conftest import bearer
from tests.staff.fixtures import hire

HEADER = "employee_no,name,name_en,org,position,hire_date,work_start_date,manager\n"
GOOD = HEADER + (
    "N1,新员工一,New One,SB01,SUB_BRANCH_HEAD,2024-03-01,,\n"
    "N2,新员工二,,SB01,CASH_TELLER,2024-03-01,2020-01-01,N1\n"
    "N3,新员工三,,OT01,CASH_TELLER,2024-04-01,,N1\n")


def _count(client, headers) -> int:
    return client.get("/staff/employees", headers=headers).get_json()["total"]


def test_a_clean_file_is_written_in_one_go(client, admin, org, catalogue):
    resp = client.post("/staff/employees/import", headers=admin, data=GOOD.encode(),
                       content_type="text/csv")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["created"], body["updated"], body["rows"], body["dry_run"]) == (3, 0, 3, False)
    n2 = client.get("/staff/employees/N2", headers=admin).get_json()
    assert n2["manager"] == "N1" and n2["work_start_date"] == "2020-01-01"
    audit = client.get("/staff/audit?action=employee.imported", headers=admin).get_json()
    assert audit["total"] == 3


def test_bad_rows_are_all_reported_and_nothing_is_written(client, admin, org, catalogue):
    hire(client, admin, "OLD", "SB02")
    text = HEADER + (
        "N1,好员工,,SB01,CASH_TELLER,2024-03-01,,\n"
        "N2,,,SB01,CASH_TELLER,2024-03-01,,\n"
        "N3,员工,,NOPE,CASH_TELLER,2024-13-01,,\n"
        "OLD,重复,,SB01,CASH_TELLER,2024-03-01,,\n"
        "N1,又一个,,SB01,CASH_TELLER,2024-03-01,,GHOST\n")
    before = _count(client, admin)
    resp = client.post("/staff/employees/import", headers=admin, data=text.encode(),
                       content_type="text/csv")
    assert resp.status_code == 422
    body = resp.get_json()
    found = {(e["row"], e["field"]) for e in body["rows"]}
    # Every error of every row: row 4's unknown unit beside its bad date, row 5 (an existing
    # number: an update) asking for another hire date, the repeated row 6's unknown manager.
    assert found == {(3, "name"), (4, "hire_date"), (4, "org"), (5, "hire_date"),
                     (6, "employee_no"), (6, "manager")}
    assert "rows.3.name" in body["errors"] and "rows.4.hire_date" in body["errors"]
    assert _count(client, admin) == before
    assert client.get("/staff/employees/N1", headers=admin).status_code == 404


def test_a_dry_run_validates_without_writing(client, admin, org, catalogue):
    resp = client.post("/staff/employees/import?dry_run=true", headers=admin,
                       data=GOOD.encode(), content_type="text/csv")
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["created"], body["rows"], body["dry_run"]) == (3, 3, True)
    assert [(c["row"], c["employee_no"], c["action"]) for c in body["changes"]] == [
        (2, "N1", "created"), (3, "N2", "created"), (4, "N3", "created")]
    assert _count(client, admin) == 0


def test_a_multipart_upload_is_accepted_and_other_types_are_415(client, admin, org, catalogue):
    data = {"file": (io.BytesIO(("\ufeff" + GOOD).encode()), "staff.csv")}
    resp = client.post("/staff/employees/import", headers=admin, data=data,
                       content_type="multipart/form-data")
    assert resp.status_code == 201
    resp = client.post("/staff/employees/import", headers=admin, json={"rows": []})
    assert resp.status_code == 415


def test_missing_columns_and_circular_managers_are_refused(client, admin, org, catalogue):
    resp = client.post("/staff/employees/import", headers=admin,
                       data=b"employee_no,name\nA1,x\n", content_type="text/csv")
    assert resp.status_code == 422
    assert {e["field"] for e in resp.get_json()["rows"]} == {"org", "position", "hire_date"}
    circle = HEADER + ("C1,甲,,SB01,CASH_TELLER,2024-03-01,,C2\n"
                       "C2,乙,,SB01,CASH_TELLER,2024-03-01,,C1\n")
    resp = client.post("/staff/employees/import", headers=admin, data=circle.encode(),
                       content_type="text/csv")
    assert resp.status_code == 422
    assert {(e["row"], e["field"]) for e in resp.get_json()["rows"]} == {(2, "manager"),
                                                                         (3, "manager")}


def test_rows_outside_the_importers_scope_are_bad_rows(client, admin, tokens, org, catalogue):
    hr = bearer(tokens.user(roles=[("hr", "BR01", "HQ/BR01")]))
    text = HEADER + ("N1,甲,,SB01,CASH_TELLER,2024-03-01,,\n"
                     "N2,乙,,SB03,CASH_TELLER,2024-03-01,,\n")
    resp = client.post("/staff/employees/import", headers=hr, data=text.encode(),
                       content_type="text/csv")
    assert resp.status_code == 422
    assert [(e["row"], e["field"]) for e in resp.get_json()["rows"]] == [(3, "org")]
    resp = client.post("/staff/employees/import", headers=hr,
                       data="\n".join(text.splitlines()[:2]).encode(), content_type="text/csv")
    assert resp.status_code == 201


def test_the_export_round_trips_through_the_import(client, admin, org, catalogue, tokens):
    client.post("/staff/employees/import", headers=admin, data=GOOD.encode(),
                content_type="text/csv")
    hire(client, admin, "Z1", "SB03", name="=HYPERLINK(\"x\")")
    resp = client.get("/staff/employees/export.csv?org=BR01", headers=admin)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["employee_no"] for r in rows] == ["N1", "N2", "N3"]
    assert rows[1]["manager"] == "N1" and rows[1]["status"] == "active"
    everything = client.get("/staff/employees/export.csv", headers=admin).data.decode("utf-8-sig")
    assert "'=HYPERLINK" in everything
    head = bearer(tokens.user(roles=[("branch_head", "SB03", "HQ/BR02/SB03")]))
    mine = client.get("/staff/employees/export.csv", headers=head).data.decode("utf-8-sig")
    assert [r["employee_no"] for r in csv.DictReader(io.StringIO(mine))] == ["Z1"]


def test_a_file_the_csv_reader_cannot_read_is_a_422_not_a_server_error(client, admin, org,
                                                                       catalogue):
    """A bare carriage return inside an unquoted field (schemathesis found it)."""
    bad = HEADER + "N1,新员工\r一,,SB01,CASH_TELLER,2024-03-01,,\n"
    resp = client.post("/staff/employees/import", headers=admin, data=bad.encode(),
                       content_type="text/csv")
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["rows.2._file"]
    assert _count(client, admin) == 0
    resp = client.post("/staff/employees/import", headers=admin,
                       data=bad.replace("\r", "").encode(), content_type="text/csv")
    assert resp.status_code == 201  # the same row, readable
