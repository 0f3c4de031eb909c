"""`POST /leave/requests/preview`: what filing would decide, by filing's own code, writing
nothing — the same days, calendar, anti-splitting and route as the request filed next."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from services.leave.models import db
from shared.testing import statements_sent
from tests.leave.conftest import decide, file
from tests.leave.test_routing_api import first_unpublished_year


def preview(client: Any, headers: dict[str, str], **body: Any) -> Any:
    payload = {"type": "annual", **body}
    return client.post("/leave/requests/preview", headers=headers, json=payload)


def decided(body: dict[str, Any]) -> dict[str, Any]:
    """What a preview and the filed request must agree on."""
    return {"days": body["days"], "calendar": body["calendar"],
            "routed_days": body["routed_days"], "related_requests": body["related_requests"],
            "policy_version": body["policy_version"], "org": body["org"],
            "governing_branch": body["governing_branch"],
            "steps": [(s["level"], s["role"], s["org"], s["status"], s["final"],
                       s["unassigned"]) for s in body["steps"]]}


def a_provisional_week(clock) -> tuple[str, str]:
    year = first_unpublished_year()
    clock.today = dt.date(year, 1, 1) - dt.timedelta(days=30)
    monday = dt.date(year, 3, 1) + dt.timedelta(days=(7 - dt.date(year, 3, 1).weekday()) % 7)
    return monday.isoformat(), (monday + dt.timedelta(days=8)).isoformat()


CASES = {
    "five days": ("E1", {"start_date": "2025-09-01", "end_date": "2025-09-05"}),
    "five and a half days": ("E1", {"start_date": "2025-09-01", "end_date": "2025-09-08",
                                    "end_half": "am"}),
    "six days": ("E1", {"start_date": "2025-09-01", "end_date": "2025-09-08"}),
    "after a weekend": ("E1", {"type": "personal", "start_date": "2025-09-08",
                               "end_date": "2025-09-08"}),
    "a provisional year": ("E1", {}),
    "a branch head's own leave": ("H1", {"start_date": "2025-09-01",
                                         "end_date": "2025-09-02"}),
    "an acting head's own leave": ("M1", {"start_date": "2025-09-01",
                                          "end_date": "2025-09-02"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_preview_decides_what_filing_then_decides(client, who, clock, case):
    emp, body = CASES[case]
    body = {"type": "sick", **body}
    headers = who(emp, roles=[("branch_head", "SB01")]) if emp == "M1" else who(emp)
    if case == "after a weekend":  # Mon–Fri filed: the Monday after joins it (6 days)
        assert file(client, headers, type="sick", start_date="2025-09-01",
                    end_date="2025-09-05").status_code == 201
    if case == "a provisional year":
        body["start_date"], body["end_date"] = a_provisional_week(clock)
    seen = preview(client, headers, **body)
    assert seen.status_code == 200, seen.get_json()
    filed = file(client, headers, **body)
    assert filed.status_code == 201, filed.get_json()
    assert decided(seen.get_json()) == decided(filed.get_json())
    expected = {
        "five days": (5, [("branch_head", "SB01")]),
        "five and a half days": (5.5, [("branch_head", "SB01"), ("hr", "BR01")]),
        "six days": (6, [("branch_head", "SB01"), ("hr", "BR01")]),
        "after a weekend": (6, [("branch_head", "SB01"), ("hr", "BR01")]),
        "a provisional year": (7, [("branch_head", "SB01"), ("hr", "BR01")]),
        "a branch head's own leave": (2, [("hr", "BR01")]),
        "an acting head's own leave": (2, [("branch_head", "SB01"), ("hr", "BR01")]),
    }[case]
    answer = seen.get_json()
    assert (answer["routed_days"], [(s["role"], s["org"]) for s in answer["steps"]]) == expected
    if case == "a provisional year":
        assert answer["calendar"] == "provisional"
        assert "provisional_calendar" in [w["code"] for w in answer["warnings"]]
    if case == "after a weekend":
        assert answer["days"] == 1 and len(answer["related"]) == 1
        assert answer["related"][0]["id"] == answer["related_requests"][0]
    if case == "an acting head's own leave":
        assert [(s["status"], s["skipped_because"]) for s in answer["steps"]] == [
            ("skipped", "requester_holds_role"), ("pending", None)]
    if case == "six days":
        assert [(s["org_type"], s["preliminary"], s["final"]) for s in answer["steps"]] == [
            ("sub_branch", True, False), ("branch", False, True)]


def sql_sent(app, call) -> list[Any]:
    """Every statement `call` sent, then its answer."""
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as seen:
        answer = call()
    return [*seen, answer]


def rows(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t))
                for t in db.metadata.sorted_tables}


def test_a_preview_writes_nothing_in_any_leave_table(app, client, who, posted):
    body = {"type": "annual", "start_date": "2025-09-01", "end_date": "2025-09-02",
            "stand_in": "M1", "reason": "family matters"}
    assert client.post("/leave/webhooks", headers=who("ADM", roles=[("admin", "*")]), json={
        "url": "https://hooks.example.test/leave",
        "topics": ["leave.submitted", "leave.stand_in_assigned"]}).status_code == 201
    before = rows(app)
    assert sum(before.values()) > 0  # the reference data: the count does see rows
    keyed = {**who("E4"), "Idempotency-Key": "preview-1"}
    sent = sql_sent(app, lambda: client.post("/leave/requests/preview", headers=keyed,
                                             json=body))
    answer = sent.pop()
    assert answer.status_code == 200, answer.get_json()
    # Not even a write rolled back (a lock, an allocation): only reads reach the database.
    assert sent and all(sql.lstrip().upper().startswith("SELECT") for sql in sent), sent
    assert answer.get_json()["balance"][0]["remaining_before"] == 10  # allocation computed
    assert rows(app) == before and posted == []
    # Control: filing the same body writes in those tables (request, ledger, trail, audit).
    assert file(client, keyed, **body).status_code == 201
    after = rows(app)
    grew = {name for name in before if after[name] > before[name]}
    assert {"leave_requests", "approval_steps", "balance_ledger", "leave_transitions",
            "audit_events", "employee_locks", "idempotent_answers", "outbox_events"} <= grew, grew
    assert len(posted) == 2


def test_the_balance_before_and_after_is_what_filing_leaves(client, who):
    seen = preview(client, who("E1"), start_date="2025-09-01", end_date="2025-09-03")
    assert seen.get_json()["balance"] == [
        {"year": 2025, "remaining_before": 10, "days": 3, "remaining_after": 7}]
    assert file(client, who("E1"), start_date="2025-09-01", end_date="2025-09-03").status_code \
        == 201
    balances = client.get("/leave/balances/E1?year=2025", headers=who("E1")).get_json()
    annual = next(b for b in balances["balances"] if b["type"] == "annual")
    assert annual["remaining"] == 7
    # A type without a balance has none.
    assert preview(client, who("E1"), type="sick", start_date="2025-09-08",
                   end_date="2025-09-08").get_json()["balance"] is None


def test_what_filing_refuses_later_is_reported_and_blocks(client, who):
    # A must-cover post without a stand-in: filing says 422, the preview says why.
    bare = preview(client, who("E4"), type="sick", start_date="2025-09-01",
                   end_date="2025-09-02").get_json()
    assert bare["stand_in"] == {"required": True, "given": None, "acceptable": None,
                                "problem": "This position must be covered: name a stand-in."}
    assert bare["would_file"] is False
    assert [(w["code"], w["status"], w["blocking"]) for w in bare["warnings"]] == [
        ("stand_in", 422, True)]
    covered = preview(client, who("E4"), type="sick", start_date="2025-09-01",
                      end_date="2025-09-02", stand_in="M1").get_json()
    assert covered["stand_in"]["acceptable"] is True and covered["would_file"] is True
    assert covered["warnings"] == []
    # An overlap (409) and a balance too small (409).
    first = file(client, who("E1"), type="sick", start_date="2025-09-01", end_date="2025-09-02")
    clash = preview(client, who("E1"), type="sick", start_date="2025-09-02",
                    end_date="2025-09-03").get_json()
    assert clash["overlapping"] == [first.get_json()["id"]] and clash["would_file"] is False
    long = preview(client, who("E1"), start_date="2025-10-13", end_date="2025-10-31").get_json()
    assert long["balance"][0]["remaining_after"] == -5
    assert [(w["code"], w["status"]) for w in long["warnings"]] == [("balance", 409)]


BAD_BODIES = [
    ({"type": "holiday"}, "type"),
    ({"start_date": "2025-09-05", "end_date": "2025-09-01"}, "end_date"),
    ({"start_date": "2025-09-06", "end_date": "2025-09-07"}, "end_date"),
    ({"start_half": "noon"}, "start_half"),
    ({"reason": ""}, "reason"),
    ({"surprise": 1}, "surprise"),
    ({"type": "annual", "start_date": "2025-08-01", "end_date": "2025-08-01"}, "start_date"),
    ({"type": "marriage", "start_date": "2025-10-13", "end_date": "2025-10-17"},
     "attachment_ref"),
    ({"employee_no": "ZZ"}, "employee_no"),
]


@pytest.mark.parametrize("body, field", BAD_BODIES, ids=[f for _, f in BAD_BODIES])
def test_a_preview_refuses_with_the_422_filing_gives(client, who, directory, body, field):
    payload = {"type": "sick", "start_date": "2025-09-01", "end_date": "2025-09-01",
               "reason": "x", **body}
    directory.roles["ZZ"] = []
    headers = who("HR1")
    seen = client.post("/leave/requests/preview", headers=headers, json=payload)
    filed = client.post("/leave/requests", headers=headers, json=payload)
    assert (seen.status_code, filed.status_code) == (422, 422), (seen.json, filed.json)
    assert field in seen.get_json()["errors"]
    assert seen.get_json()["errors"] == filed.get_json()["errors"]


def test_only_the_reason_may_be_left_out(client, who):
    body = {"type": "sick", "start_date": "2025-09-01", "end_date": "2025-09-01"}
    assert client.post("/leave/requests/preview", headers=who("E1"), json=body).status_code \
        == 200
    refused = client.post("/leave/requests", headers=who("E1"), json=body)
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]


def test_a_preview_needs_a_person_signed_in(client, who, tokens):
    body = {"type": "sick", "start_date": "2025-09-01", "end_date": "2025-09-01"}
    assert client.post("/leave/requests/preview", json=body).status_code == 401
    robot = {"Authorization": "Bearer " + tokens.client("c", ["leave:read"])}
    assert client.post("/leave/requests/preview", headers=robot, json=body).status_code == 403
    # In sight but without leave:file-for-others: 403, as filing.
    other = client.post("/leave/requests/preview", headers=who("H1"),
                        json={**body, "employee_no": "E1"})
    assert other.status_code == 403
    assert client.post("/leave/requests/preview", headers=who("E1"), json=body).status_code \
        == 200


def test_staff_down_is_a_503_as_for_filing(client, who, directory):
    directory.down = True
    body = {"type": "sick", "start_date": "2025-09-01", "end_date": "2025-09-01"}
    resp = client.post("/leave/requests/preview", headers=who("E1"), json=body)
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    directory.down = False
    assert client.post("/leave/requests/preview", headers=who("E1"), json=body).status_code \
        == 200


def test_a_step_nobody_holds_is_flagged_before_filing(client, who, directory):
    directory.no_holders.add(("branch_head", "SB02"))
    answer = preview(client, who("E5"), type="sick", start_date="2025-09-01",
                     end_date="2025-09-01").get_json()
    assert answer["steps"][0]["unassigned"] is True
    assert [w["code"] for w in answer["warnings"]] == ["unassigned_step"]
    assert answer["would_file"] is True  # hr resolves it; filing goes ahead


def test_an_approved_request_joins_the_preview_as_it_joins_filing(client, who):
    first = file(client, who("E1"), type="sick", start_date="2025-09-01", end_date="2025-09-05")
    assert decide(client, who("H1"), first.get_json()["id"]).status_code == 200
    answer = preview(client, who("E1"), type="personal", start_date="2025-09-08",
                     end_date="2025-09-08").get_json()
    assert answer["related"][0]["status"] == "approved" and answer["routed_days"] == 6
