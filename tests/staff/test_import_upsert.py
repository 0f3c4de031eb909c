"""Import a clerk can live with (issue 14.7): an exported file re-imports as "unchanged",
an edited one updates the employees it names (the dry run shows each difference, nothing
written), transfers honour the row's date, XLSX works like CSV both ways, and one bad row
anywhere leaves everything as it was."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.conftest import bearer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def export(client, headers, query=""):
    resp = client.get(f"/staff/employees/export.csv{query}", headers=headers)
    assert resp.status_code == 200
    return list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))


def to_csv(rows, extra=()):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*rows[0].keys(), *extra])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def send(client, headers, body, dry_run=False, content_type="text/csv"):
    return client.post(f"/staff/employees/import{'?dry_run=true' if dry_run else ''}",
                       headers=headers, data=body, content_type=content_type)


def audit_total(client, headers):
    return client.get("/staff/audit?per_page=1", headers=headers).get_json()["total"]


def test_a_reimported_export_changes_nothing_and_says_so(client, admin, staffed):
    body = to_csv(export(client, admin))
    before = audit_total(client, admin)
    for dry_run in (True, False):
        resp = send(client, admin, body, dry_run=dry_run)
        assert resp.status_code == (200 if dry_run else 201), resp.get_json()
        result = resp.get_json()
        assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 4)
    assert audit_total(client, admin) == before  # nothing was written, so nothing audited


def test_an_edited_export_updates_and_its_dry_run_shows_the_differences(client, admin,
                                                                       staffed):
    rows = {r["employee_no"]: r for r in export(client, admin)}
    rows["E1"].update(name="唐敏敏", org="SB02")  # a rename and a transfer (today)
    rows["E2"]["status"] = "suspended"
    new = {**rows["E3"], "employee_no": "N1", "name": "新人", "manager": ""}
    body = to_csv([*rows.values(), new])
    resp = send(client, admin, body, dry_run=True)
    assert resp.status_code == 200, resp.get_json()
    plan = {c["employee_no"]: c for c in resp.get_json()["changes"]}
    assert plan["E1"]["action"] == "updated" and plan["E1"]["differences"] == {
        "name": {"from": "唐敏", "to": "唐敏敏"}, "org": {"from": "SB01", "to": "SB02"}}
    assert plan["E2"]["differences"] == {"status": {"from": "active", "to": "suspended"}}
    assert plan["N1"]["action"] == "created" and plan["H1"]["action"] == "unchanged"
    e1 = client.get("/staff/employees/E1", headers=admin).get_json()
    assert (e1["name"], e1["org"]) == ("唐敏", "SB01")  # the dry run wrote nothing
    assert client.get("/staff/employees/N1", headers=admin).status_code == 404

    resp = send(client, admin, body)
    assert resp.status_code == 201, resp.get_json()
    assert (resp.get_json()["created"], resp.get_json()["updated"]) == (1, 2)
    e1 = client.get("/staff/employees/E1", headers=admin).get_json()
    assert (e1["name"], e1["org"], e1["manager"]) == ("唐敏敏", "SB02", "H1")
    assert client.get("/staff/employees/E2", headers=admin).get_json()["status"] == "suspended"
    actions = {(a["action"], a["target_id"]) for a in client.get(
        "/staff/audit?per_page=200", headers=admin).get_json()["items"]}
    assert {("employee.edited", "E1"), ("employee.transferred", "E1"),
            ("employee.status_changed", "E2"), ("employee.imported", "N1")} <= actions


def test_one_bad_row_among_updates_leaves_everything_as_it_was(client, admin, staffed):
    rows = {r["employee_no"]: r for r in export(client, admin)}
    rows["E1"]["name"] = "改名"
    rows["E3"].update(org="NOPE", hire_date="2021-01-01")
    rows["E2"]["position"] = "RETAIL_CUSTOMER_MANAGER"
    resp = send(client, admin, to_csv(list(rows.values())))
    assert resp.status_code == 422
    found = {(e["row"], e["field"]) for e in resp.get_json()["rows"]}
    line = {no: i + 2 for i, no in enumerate(rows)}
    assert found == {(line["E3"], "hire_date")}  # E3: the hire date, as it came first
    rows["E3"]["hire_date"] = "2020-07-01"
    resp = send(client, admin, to_csv(list(rows.values())))
    assert {(e["row"], e["field"]) for e in resp.get_json()["rows"]} == {(line["E3"], "org")}
    assert client.get("/staff/employees/E1", headers=admin).get_json()["name"] == "唐敏"
    assert client.get("/staff/employees/E2", headers=admin).get_json()["position"] == \
        "CASH_TELLER"


def test_a_transfer_by_import_dated_later_waits_for_its_day(client, app, admin, staffed):
    now = {"at": dt.datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)}
    app.extensions["staff_clock"] = lambda: now["at"]
    rows = {r["employee_no"]: r for r in export(client, admin)}
    rows["E1"].update(org="SB03", manager="", effective_date="2027/3/1")  # as Excel writes it
    for row in rows.values():
        row.setdefault("effective_date", "")
    resp = send(client, admin, to_csv(list(rows.values())))
    assert resp.status_code == 201, resp.get_json()
    [e1] = [c for c in resp.get_json()["changes"] if c["employee_no"] == "E1"]
    assert [(s["kind"], s["effective_date"]) for s in e1["scheduled"]] == [
        ("transfer", "2027-03-01")]
    shown = client.get("/staff/employees/E1", headers=admin).get_json()
    assert shown["org"] == "SB01" and len(shown["scheduled_changes"]) == 1
    now["at"] = dt.datetime(2027, 3, 1, 8, 0, tzinfo=SHANGHAI)
    assert client.get("/staff/employees/E1", headers=admin).get_json()["org"] == "SB03"


def test_xlsx_goes_out_and_comes_back_like_csv(client, admin, staffed):
    resp = client.get("/staff/employees/export.xlsx", headers=admin)
    assert resp.status_code == 200 and resp.mimetype == XLSX
    again = send(client, admin, resp.data, content_type=XLSX)
    assert again.status_code == 201 and again.get_json()["unchanged"] == 4
    book = load_workbook(io.BytesIO(resp.data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "E1":
            row[header.index("name")].value = "唐敏敏"
    out = io.BytesIO()
    book.save(out)
    resp = send(client, admin, out.getvalue(), content_type=XLSX)
    assert resp.status_code == 201 and resp.get_json()["updated"] == 1
    assert client.get("/staff/employees/E1", headers=admin).get_json()["name"] == "唐敏敏"


def test_an_xlsx_with_real_dates_and_numbers_imports_in_a_multipart_upload(client, admin,
                                                                          org, catalogue):
    book = Workbook()
    sheet = book.active
    sheet.append(["employee_no", "name", "org", "position", "hire_date"])
    sheet.append([1001, "数字工号", "SB01", "CASH_TELLER", dt.datetime(2024, 3, 1)])
    out = io.BytesIO()
    book.save(out)
    resp = client.post("/staff/employees/import", headers=admin, data={
        "file": (io.BytesIO(out.getvalue()), "staff.xlsx")},
        content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    shown = client.get("/staff/employees/1001", headers=admin).get_json()
    assert shown["hire_date"] == "2024-03-01"
    broken = send(client, admin, b"PK\x03\x04 not a workbook", content_type=XLSX)
    assert broken.status_code == 422 and broken.get_json()["rows"][0]["field"] == "_file"


@pytest.mark.parametrize("own_only", [True, False])
def test_a_number_outside_the_importers_sight_is_taken_not_updated(client, admin, staffed,
                                                                   tokens, own_only):
    hr = bearer(tokens.user(roles=[("hr", "BR01", "HQ/BR01")]))
    rows = export(client, hr if own_only else admin)
    resp = send(client, hr, to_csv(rows))
    if own_only:  # the positive control: their own export
        assert resp.status_code == 201 and resp.get_json()["unchanged"] == len(rows)
    else:
        assert resp.status_code == 422
        [error] = resp.get_json()["rows"]
        assert error["field"] == "employee_no" and "E3" in error["message"]


def test_an_import_cannot_place_the_disqualified_in_a_customer_manager_post(client, admin,
                                                                           staffed):
    resp = client.post("/staff/employees/E1/qualifications", headers=admin, json={
        "qualification": "customer_manager", "status": "withdrawn",
        "reason": "Confirmed incident 42.", "reference": "performance:incident:42"})
    assert resp.status_code == 201
    rows = {r["employee_no"]: r for r in export(client, admin)}
    rows["E1"]["position"] = "RETAIL_CUSTOMER_MANAGER"
    resp = send(client, admin, to_csv([rows["E1"]]))
    assert resp.status_code == 422
    [error] = resp.get_json()["rows"]
    assert error["field"] == "position" and "customer_manager" in error["message"]
    rows["E2"]["position"] = "RETAIL_CUSTOMER_MANAGER"  # the control: E2 keeps theirs
    assert send(client, admin, to_csv([rows["E2"]])).status_code == 201
