"""The rules a request must meet before it is routed: anti-splitting, stand-ins, notice,
attachments, who may file for whom, and a staff service that cannot be reached."""

from __future__ import annotations

from sqlalchemy import func, select

from services.leave.models import LeaveRequest, LedgerEntry, db
from tests.leave.conftest import file


def test_a_split_absence_across_a_weekend_is_routed_as_a_whole(client, who):
    first = file(client, who("E1"), type="sick", start_date="2025-09-01", end_date="2025-09-05")
    assert [s["role"] for s in first.get_json()["steps"]] == ["branch_head"]
    # Monday after the weekend: 1 more day, but 6 together → preliminary review + hr.
    second = file(client, who("E1"), type="personal", start_date="2025-09-08",
                  end_date="2025-09-08")
    body = second.get_json()
    assert body["days"] == 1 and body["routed_days"] == 6
    assert body["related_requests"] == [first.get_json()["id"]]
    assert [s["role"] for s in body["steps"]] == ["branch_head", "hr"]


def test_a_working_day_between_two_requests_keeps_them_apart(client, who):
    file(client, who("E1"), type="sick", start_date="2025-09-01", end_date="2025-09-04")
    apart = file(client, who("E1"), type="sick", start_date="2025-09-08", end_date="2025-09-09")
    assert apart.get_json()["routed_days"] == 2 and apart.get_json()["related_requests"] == []


def test_a_must_cover_position_needs_an_available_colleague_as_stand_in(client, who):
    missing = file(client, who("E4"), type="sick", start_date="2025-09-01",
                   end_date="2025-09-02")
    assert missing.status_code == 422 and "stand_in" in missing.get_json()["errors"]
    other_unit = file(client, who("E4"), type="sick", start_date="2025-09-01",
                      end_date="2025-09-02", stand_in="E5")
    assert other_unit.status_code == 422
    file(client, who("E1"), type="sick", start_date="2025-09-02", end_date="2025-09-02")
    away = file(client, who("E4"), type="sick", start_date="2025-09-01", end_date="2025-09-02",
                stand_in="E1")
    assert away.status_code == 422  # why: only to the unit's head (test_stand_in_privacy.py)
    assert away.get_json()["errors"]["stand_in"] == ["E1 cannot stand in over those dates."]
    ok = file(client, who("E4"), type="sick", start_date="2025-09-01", end_date="2025-09-02",
              stand_in="M1")
    assert ok.status_code == 201 and ok.get_json()["stand_in"] == "M1"
    # The stand-in is told (their list) and can read the request.
    mine = client.get("/leave/requests?stand_in=true", headers=who("M1")).get_json()
    assert [r["id"] for r in mine["items"]] == [ok.get_json()["id"]]
    assert client.get(f"/leave/requests/{ok.get_json()['id']}",
                      headers=who("M1")).status_code == 200


def test_notice_and_attachments_follow_the_type(client, who, clock):
    late = file(client, who("E1"), type="annual", start_date=clock.today.isoformat(),
                end_date=clock.today.isoformat())
    assert late.status_code == 422 and "start_date" in late.get_json()["errors"]
    no_paper = file(client, who("E1"), type="marriage", start_date="2025-10-13",
                    end_date="2025-10-17")
    assert no_paper.status_code == 422 and "attachment_ref" in no_paper.get_json()["errors"]
    ok = file(client, who("E1"), type="marriage", start_date="2025-10-13",
              end_date="2025-10-17", attachment_ref="marriage-cert-42")
    assert ok.status_code == 201


def test_filing_for_someone_else_needs_the_permission_over_their_unit(client, who, directory):
    body = {"type": "sick", "start_date": "2025-09-01", "end_date": "2025-09-01",
            "employee_no": "E1"}
    assert file(client, who("H1"), **body).status_code == 403  # sees E1, may not file
    assert file(client, who("HR2"), **body).status_code == 422  # E1 is out of sight
    directory.roles["E1"] = []
    resp = file(client, who("HR1"), **body)
    assert resp.status_code == 201 and resp.get_json()["filed_by"] == "user-HR1"


def test_staff_down_is_a_503_with_nothing_written_and_a_retry_succeeds(client, who, directory,
                                                                      app):
    directory.down = True
    resp = file(client, who("E1"), start_date="2025-09-01", end_date="2025-09-02")
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LeaveRequest)) == 0
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    directory.down = False
    assert file(client, who("E1"), start_date="2025-09-01",
                end_date="2025-09-02").status_code == 201


def test_bad_input_is_a_422_naming_the_field(client, who):
    for body, field in (({"type": "holiday"}, "type"),
                        ({"start_date": "2025-09-05", "end_date": "2025-09-01"}, "end_date"),
                        ({"start_date": "2025-09-06", "end_date": "2025-09-07"}, "end_date"),
                        ({"start_half": "noon"}, "start_half"),
                        ({"reason": ""}, "reason"),
                        ({"surprise": 1}, "surprise")):
        payload = {"type": "sick", "start_date": "2025-09-01", "end_date": "2025-09-01",
                   **body}
        resp = file(client, who("E1"), **payload)
        assert resp.status_code == 422, (body, resp.get_json())
        assert field in resp.get_json()["errors"], (body, resp.get_json())


def test_unknown_employee_and_a_leaver_cannot_file(client, who, directory):
    assert file(client, who("ZZ"), type="sick", start_date="2025-09-01",
                end_date="2025-09-01").status_code == 422
    directory.status["E3"] = "left"
    assert file(client, who("E3"), type="sick", start_date="2025-09-01",
                end_date="2025-09-01").status_code == 422


def test_a_date_no_leave_can_be_on_is_a_422_in_filing_preview_and_stand_ins(client, who):
    far = {"type": "sick", "start_date": "9999-12-31", "end_date": "9999-12-31"}
    for path in ("/leave/requests", "/leave/requests/preview"):
        resp = client.post(path, headers=who("E1"), json={**far, "reason": "x"})
        assert resp.status_code == 422 and "end_date" in resp.get_json()["errors"], path
    resp = client.get("/leave/stand-ins?start_date=9999-12-31&end_date=9999-12-31",
                      headers=who("E1"))
    assert resp.status_code == 422 and "end_date" in resp.get_json()["errors"]
    # The control: a date in range files.
    assert file(client, who("E1"), **{**far, "start_date": "2025-09-01",
                                     "end_date": "2025-09-01"}).status_code == 201
