"""The inbox's one-statement page (`service.pages`, answered with orjson) gives the same
bytes as the ORM entities dumped through `LeaveRequestRead`, for many callers and pages."""

from __future__ import annotations

import datetime as dt

import pytest

from services.leave.api import approvals
from services.leave.api.plain_query import plain_page_query
from services.leave.models import db
from shared.testing import statements_sent
from tests.leave.conftest import decide, file

#: Reasons and comments that JSON must escape or keep as they are.
ODD = ['家里有事 "急"', "it's \\ a back\\slash", "emoji 🙂 and 中文，全角标点。", "tab\there"]

#: (who, roles) — None: the roles `BINDINGS` gives them.
CALLERS = [
    ("H1", None), ("H2", None), ("OH", None), ("HR1", None), ("HR2", None), ("E1", None),
    ("K1M", None), ("X1", [("admin", "*")]), ("X2", [("hr", "*")]),
    ("X3", [("branch_head", "BR01")]), ("X4", [("admin", "BR01")]),
    ("H1", [("branch_head", "SB01"), ("hr", "BR02")]), (None, [("hr", "BR01")]),
]
QUERIES = ["", "?page=1&per_page=50", "?per_page=1", "?page=2&per_page=1", "?page=3&per_page=2",
           "?page=2&per_page=200", "?page=9&per_page=5", "?page=1&per_page=200", "?per_page=3"]


@pytest.fixture
def history(client, who, directory):
    """Pending requests at either step, some decided with odd comments, half days, CJK and
    quotes, a step nobody holds, and requests that are not pending any more."""
    directory.no_holders.add(("branch_head", "SB02"))
    ids = []
    spans = [("2025-09-01", "2025-09-02", None, None), ("2025-09-15", "2025-09-24", "pm", None),
             ("2025-10-13", "2025-10-14", None, "am"), ("2025-11-03", "2025-11-12", "pm", "am")]
    for n, emp in enumerate(["E1", "M1", "E2", "E5", "E3", "R1", "K1", "H1"]):
        for i, (start, end, first, last) in enumerate(spans):
            body = {"start_half": first, "end_half": last} if first or last else {}
            resp = file(client, who(emp), type="sick", start_date=start, end_date=end,
                        reason=ODD[(n + i) % len(ODD)], **body)
            assert resp.status_code == 201, resp.get_json()
            ids.append(resp.get_json()["id"])
    boss = who("X9", roles=[("admin", "*")])
    for rid in ids[1::3]:  # some move on (to hr, or approved), with a comment
        assert decide(client, boss, rid, comment=ODD[rid % len(ODD)]).status_code == 200
    assert decide(client, boss, ids[2], "reject").status_code == 200
    assert client.post(f"/leave/requests/{ids[0]}/withdraw", headers=who("E1"),
                       json={}).status_code == 200
    return ids


def test_the_fast_inbox_answers_the_same_bytes_as_the_schema_dump(client, who, history,
                                                                  monkeypatch):
    compared = non_empty = 0
    for emp, roles in CALLERS:
        headers = who(emp, roles=roles, sub=f"user-{emp}-{len(roles or ())}")
        for query in QUERIES:
            monkeypatch.setattr(approvals, "FAST_PATH", True)
            fast = client.get("/leave/approvals" + query, headers=headers)
            monkeypatch.setattr(approvals, "FAST_PATH", False)
            slow = client.get("/leave/approvals" + query, headers=headers)
            assert slow.status_code == 200, slow.get_json()
            assert (fast.status_code, fast.headers["Content-Type"], fast.data) == \
                (slow.status_code, slow.headers["Content-Type"], slow.data), (emp, roles, query)
            compared += 1
            non_empty += bool(slow.get_json()["items"])
    assert non_empty > len(CALLERS) * 2 and compared - non_empty > len(CALLERS)
    # What the history is meant to hold did reach some inbox.
    everything = client.get("/leave/approvals?per_page=200",
                            headers=who("X1", roles=[("admin", "*")])).get_json()["items"]
    steps = [s for r in everything for s in r["steps"]]
    assert any(s.get("comment") for s in steps) and any(s["unassigned"] for s in steps)
    assert any(r["start_half"] for r in everything) and any(r["end_half"] for r in everything)
    assert any(isinstance(r["days"], float) for r in everything)


def test_a_client_token_and_a_caller_without_approval_grants_see_empty_inboxes(client, who,
                                                                              tokens, history):
    for headers in (who("E1"), {"Authorization": "Bearer " + tokens.client("c", ["leave:read"])}):
        body = client.get("/leave/approvals", headers=headers).get_json()
        assert body == {"items": [], "total": 0, "page": 1, "per_page": 50}
    assert client.get("/leave/approvals", headers=who("H1")).get_json()["total"] > 0  # control


def statements(app, call) -> list[str]:
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as seen:
        resp = call()
    assert resp.status_code == 200, resp.get_json()
    return seen


def test_an_inbox_page_is_one_statement_and_past_the_end_two(app, client, who, history):
    headers = who("H1")
    one = statements(app, lambda: client.get("/leave/approvals?per_page=2", headers=headers))
    assert len(one) == 1 and "OVER ()" in one[0]
    past = statements(app, lambda: client.get("/leave/approvals?page=50", headers=headers))
    assert len(past) == 2
    empty = statements(app, lambda: client.get("/leave/approvals", headers=who("E1")))
    assert len(empty) == 1


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"page": 1, "per_page": 50}),
    ({"page": ["3"], "per_page": ["200"]}, {"page": 3, "per_page": 200}),
    ({"per_page": ["201"]}, None), ({"page": ["0"]}, None), ({"page": ["01"]}, None),
    ({"page": ["+1"]}, None), ({"page": ["1", "2"]}, None), ({"sort": ["id"]}, None),
    ({"page": ["2147483648"]}, None), ({"page": ["2147483647"]}, {"page": 2147483647,
                                                                 "per_page": 50}),
])
def test_only_a_plain_page_query_skips_the_schema(query, expected):
    from werkzeug.datastructures import MultiDict

    args = MultiDict([(k, v) for k, values in query.items() for v in values])
    assert plain_page_query(args) == expected


def test_a_query_the_plain_reader_leaves_to_the_schema_is_still_judged_by_it(client, who):
    assert client.get("/leave/approvals?per_page=201", headers=who("H1")).status_code == 422
    assert client.get("/leave/approvals?page=abc", headers=who("H1")).status_code == 422
    assert client.get("/leave/approvals?page=01", headers=who("H1")).status_code == 200


def test_a_step_is_pending_exactly_while_its_request_is(app, client, who, history):
    """The inbox's page is chosen on the steps alone (`service.pages`): it relies on this.
    After filing, decisions at either step, a rejection, a withdrawal and a cancellation,
    every pending request has exactly one pending step and no other request has any."""
    from sqlalchemy import select

    from services.leave.models import ApprovalStep, LeaveRequest

    boss = who("X9", roles=[("admin", "*")])
    approved = next(r for r in client.get("/leave/requests?status=approved&per_page=200",
                                          headers=boss).get_json()["items"])
    assert client.post(f"/leave/requests/{approved['id']}/cancel", headers=boss,
                       json={"comment": "plans changed"}).status_code == 200
    with app.app_context():
        rows = db.session.execute(select(LeaveRequest.id, LeaveRequest.status,
                                         ApprovalStep.status)
                                  .join(ApprovalStep, ApprovalStep.request_id == LeaveRequest.id)
                                  ).all()
    pending_steps: dict[int, int] = {}
    statuses = {}
    for request_id, request_status, step_status in rows:
        statuses[request_id] = request_status
        pending_steps[request_id] = pending_steps.get(request_id, 0) + (step_status == "pending")
    assert {"pending", "approved", "rejected", "withdrawn", "cancelled"} <= set(statuses.values())
    for request_id, status in statuses.items():
        assert pending_steps[request_id] == (1 if status == "pending" else 0), request_id


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
    dt.datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
    dt.datetime(2026, 7, 1, 8, 0, 0, 120000, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    None,
])
def test_the_database_writes_timestamps_and_dates_as_the_api_does(app, value):
    """`pages.iso_utc`/`iso_date` (computed by the store) give `utc_text`/`isoformat`."""
    from sqlalchemy import Date, DateTime, bindparam, select

    from services.leave.service.pages import iso_date, iso_utc, utc_text

    day = None if value is None else value.date()
    with app.app_context():
        if value is not None and value.utcoffset() and db.engine.dialect.name == "sqlite":
            value = value.astimezone(dt.UTC)  # what the app stores there (`utcnow`)
        got = db.session.execute(select(
            iso_utc(bindparam("v", value, type_=DateTime(timezone=True))),
            iso_date(bindparam("d", day, type_=Date())))).one()
    assert tuple(got) == (None if value is None else utc_text(value),
                          None if day is None else day.isoformat())
