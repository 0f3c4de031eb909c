"""Input the staff service refuses outright (review findings 12 and 20) and timestamps it
always writes with an offset (finding 17); on both stores (HR_TEST_STORE=postgres)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from services.staff.schemas.fields import UTCDateTime
from tests.staff.fixtures import hire

HEADER = "employee_no,name,name_en,org,position,hire_date,work_start_date,manager\n"


@pytest.fixture
def staffed(client, admin, org, catalogue):
    assert hire(client, admin, "E1", "SB01").status_code == 201
    assert hire(client, admin, "E2", "SB01").status_code == 201


# --- finding 12: control characters in CSV cells and path parameters --------------------


@pytest.mark.parametrize("bad", ["\x00", "\u202e", "\x1f", "\x7f", "\x85"])
def test_a_csv_cell_with_a_control_character_is_a_bad_row(client, admin, org, catalogue, bad):
    text = HEADER + ("N1,好员工,,SB01,CASH_TELLER,2024-03-01,,\n"
                     f"N2,坏{bad}员工,,SB01,CASH_TELLER,2024-03-01,,\n"
                     f"{bad}N3,员工,Name{bad},SB01,CASH_TELLER,2024-03-01,,\n")
    resp = client.post("/staff/employees/import", headers=admin, data=text.encode(),
                       content_type="text/csv")
    assert resp.status_code == 422
    assert {(e["row"], e["field"]) for e in resp.get_json()["rows"]} == {
        (3, "name"), (4, "employee_no"), (4, "name_en")}
    assert client.get("/staff/employees", headers=admin).get_json()["total"] == 0
    clean = HEADER + "N1,好员工,,SB01,CASH_TELLER,2024-03-01,,\n"
    assert client.post("/staff/employees/import", headers=admin, data=clean.encode(),
                       content_type="text/csv").status_code == 201


def test_a_multipart_csv_with_a_nul_is_a_bad_row(client, admin, org, catalogue):
    text = HEADER + "N1,坏\x00员工,,SB01,CASH_TELLER,2024-03-01,,\n"
    data = {"file": (io.BytesIO(text.encode()), "staff.csv")}
    resp = client.post("/staff/employees/import", headers=admin, data=data,
                       content_type="multipart/form-data")
    assert resp.status_code == 422
    assert [(e["row"], e["field"]) for e in resp.get_json()["rows"]] == [(2, "name")]


KEYS = ["%00", "%E2%80%AE", "E1%00", "%1F", "%C2%85", "%ED%A0%80"]


@pytest.mark.parametrize(("method", "template", "body"), [
    ("get", "/staff/employees/{}", None),
    ("get", "/staff/employees/{}/chain", None),
    ("get", "/staff/employees/{}/assignments", None),
    ("get", "/staff/employees/{}/relations", None),
    ("patch", "/staff/employees/{}", {"name": "x"}),
    ("post", "/staff/employees/{}/status", {"status": "left"}),
    ("post", "/staff/employees/{}/transfer", {"org": "SB02", "effective_date": "2025-01-01"}),
    ("post", "/staff/employees/{}/relations", {"related_no": "E2", "kind": "spouse"}),
    ("get", "/staff/org-units/{}", None),
    ("get", "/staff/org-units/{}/tree", None),
    ("get", "/staff/org-units/{}/chart.svg", None),
    ("patch", "/staff/org-units/{}", {"name_zh": "x"}),
    ("post", "/staff/org-units/{}/move", {"parent": "SB02"}),
    ("get", "/staff/positions/{}", None),
    ("get", "/staff/positions/{}/history", None),
    ("patch", "/staff/positions/{}", {"name_zh": "x"}),
])
def test_a_path_parameter_with_a_control_character_is_not_found(client, admin, staffed,
                                                                method, template, body):
    """Not a 5xx from PostgreSQL refusing a NUL: 404, and the key is not echoed raw."""
    real = {"employees": "E1", "org-units": "SB01", "positions": "CASH_TELLER"}
    kind = template.split("/")[2]
    if method == "get":  # positive control: the same route with a real key
        assert client.get(template.format(real[kind]), headers=admin).status_code == 200
    for key in KEYS:
        resp = getattr(client, method)(template.format(key), headers=admin, json=body)
        assert resp.status_code == 404, (key, resp.data)
        detail = resp.get_json()["detail"]
        assert not any(ch in detail for ch in "\x00\u202e\x1f\x85"), detail


# --- finding 20: booleans are booleans, unknown query parameters are refused -------------


def _position(**extra):
    return {"code": "QA_POS", "name_zh": "测试岗", "name_en": "Test", "grade": "staff",
            "duties": [{"text_zh": "测试"}], **extra}


@pytest.mark.parametrize("value", ["yes", "true", "1", 1, 0, 1.0, None, [], {}])
def test_a_json_boolean_must_be_true_or_false(client, admin, org, catalogue, value):
    resp = client.post("/staff/positions", headers=admin, json=_position(must_cover=value))
    assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"must_cover"}
    resp = client.patch("/staff/positions/CASH_TELLER", headers=admin,
                        json={"must_cover": value})
    assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"must_cover"}
    resp = client.patch("/staff/org-units/OT01", headers=admin, json={"active": value})
    assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"active"}
    # positive controls
    created = client.post("/staff/positions", headers=admin, json=_position(must_cover=True))
    assert created.status_code == 201 and created.get_json()["must_cover"] is True
    assert client.patch("/staff/positions/QA_POS", headers=admin,
                        json={"must_cover": False}).get_json()["must_cover"] is False
    assert client.patch("/staff/org-units/OT01", headers=admin,
                        json={"active": False}).get_json()["active"] is False


@pytest.mark.parametrize("url", [
    "/staff/employees?org=SB01&subtree={}", "/staff/employees/export.csv?subtree={}",
    "/staff/org-units?active={}", "/staff/positions?must_cover={}",
])
def test_a_query_boolean_is_true_false_1_or_0(client, admin, staffed, url):
    for good in ("true", "false", "1", "0"):
        assert client.get(url.format(good), headers=admin).status_code == 200, good
    for bad in ("yes", "no", "on", "t", "True", "FALSE", "", "2"):
        resp = client.get(url.format(bad), headers=admin)
        assert resp.status_code == 422, bad


def test_a_query_boolean_means_what_it_says(client, admin, staffed):
    def count(query: str) -> int:
        return client.get(f"/staff/employees?{query}", headers=admin).get_json()["total"]

    hire(client, admin, "E3", "OT01")
    assert count("org=SB01&subtree=1") == count("org=SB01&subtree=true") == 3
    assert count("org=SB01&subtree=0") == count("org=SB01&subtree=false") == 2
    dry = client.post("/staff/employees/import?dry_run=1", headers=admin, content_type="text/csv",
                      data=(HEADER + "N1,甲,,SB01,CASH_TELLER,2024-03-01,,\n").encode())
    assert dry.status_code == 200 and dry.get_json()["dry_run"] is True
    bad = client.post("/staff/employees/import?dry_run=yes", headers=admin,
                      content_type="text/csv",
                      data=(HEADER + "N1,甲,,SB01,CASH_TELLER,2024-03-01,,\n").encode())
    assert bad.status_code == 422 and count("q=N1") == 0


@pytest.mark.parametrize(("path", "known"), [
    ("/staff/employees", "page=1"), ("/staff/employees/E1/assignments", "page=1"),
    ("/staff/employees/E1/relations", "page=1"), ("/staff/employees/export.csv", "subtree=1"),
    ("/staff/org-units", "page=1"), ("/staff/positions", "page=1"),
    ("/staff/positions/CASH_TELLER/history", "page=1"), ("/staff/audit", "page=1"),
    ("/staff/outbox", "page=1"),
])
def test_an_unknown_query_parameter_is_refused_on_every_list(client, admin, staffed, path,
                                                             known):
    assert client.get(path, headers=admin).status_code == 200
    assert client.get(f"{path}?{known}", headers=admin).status_code == 200
    assert client.get(f"{path}?{known}&bogus=1", headers=admin).status_code == 422
    resp = client.get(f"{path}?bogus=1", headers=admin)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"bogus": ["Unknown field."]}


def test_the_openapi_document_describes_the_strict_booleans(client):
    spec = client.get("/staff/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/staff/employees"]["get"]["parameters"]}
    assert params["subtree"]["schema"]["type"] == "boolean"
    assert "`1` or `0`" in params["subtree"]["description"]


# --- finding 17: every staff timestamp carries its UTC offset ---------------------------


def test_every_staff_timestamp_has_a_utc_offset(client, admin, staffed):
    client.post("/staff/employees/E1/relations", headers=admin,
                json={"related_no": "E2", "kind": "spouse"})
    client.post("/staff/org-units/OT01/move", headers=admin, json={"parent": "SB02"})
    client.patch("/staff/positions/CASH_TELLER", headers=admin, json={"name_en": "Teller"})

    def stamps(path: str, *keys: str) -> list[str]:
        items = client.get(path, headers=admin).get_json()["items"]
        assert items, path
        return [item[k] for item in items for k in keys if item.get(k) is not None]

    found = (stamps("/staff/audit", "at")
             + stamps("/staff/outbox", "created_at", "next_attempt_at", "delivered_at")
             + stamps("/staff/employees/E1/relations", "declared_at")
             + stamps("/staff/employees/E1/assignments", "recorded_at")
             + stamps("/staff/positions/CASH_TELLER/history", "at"))
    assert len(found) >= 12
    for stamp in found:
        parsed = dt.datetime.fromisoformat(stamp)
        assert parsed.utcoffset() == dt.timedelta(0), stamp
        assert stamp.endswith("+00:00"), stamp


def test_an_aware_timestamp_in_another_zone_is_written_in_utc():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    field = UTCDateTime()
    local = dt.datetime(2026, 11, 24, 0, 19, tzinfo=shanghai)
    assert field.serialize("at", {"at": local}) == "2026-11-23T16:19:00+00:00"
    naive = dt.datetime(2026, 11, 23, 16, 19)
    assert field.serialize("at", {"at": naive}) == "2026-11-23T16:19:00+00:00"
