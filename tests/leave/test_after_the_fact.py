"""Sick and bereavement leave may be filed after the fact, up to their type's
`max_days_back` (30 calendar days as shipped); other types not before today. A request filed
afterwards is routed and decided like any other — never approved by being late."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from services.leave.models import AuditEvent, db
from tests.leave.conftest import TODAY, decide, file
from tests.leave.test_preview import preview

ADMIN = [("admin", "*")]


def back(days: int) -> dict[str, str]:
    """A one-day request `days` calendar days before today (used: 1, 4, 30, 31 — working
    days of July 2025; 5 is a Sunday, refused for its window before its lack of work)."""
    day = (TODAY - dt.timedelta(days=days)).isoformat()
    return {"start_date": day, "end_date": day}


@pytest.mark.parametrize("kind", ["sick", "bereavement"])
def test_a_request_may_start_30_days_back_and_not_31(client, who, kind):
    assert back(30)["start_date"] == "2025-07-02"
    late = file(client, who("E1"), type=kind, **back(31))
    assert late.status_code == 422
    assert late.get_json()["errors"]["start_date"] == [
        f"{kind} leave may start at most 30 days before today (2025-07-02 at the earliest); "
        "2025-07-01 is 31 days back."]
    assert file(client, who("E1"), type=kind, **back(30)).status_code == 201


def test_the_preview_draws_the_same_line(client, who):
    refused = preview(client, who("E1"), type="sick", **back(31))
    assert refused.status_code == 422 and "30 days" in refused.get_json()["detail"]
    seen = preview(client, who("E1"), type="sick", **back(30))
    assert seen.status_code == 200 and seen.get_json()["would_file"] is True


def test_a_late_request_waits_for_its_approver_like_any_other(client, who):
    filed = file(client, who("E1"), type="sick", **back(30)).get_json()
    assert filed["status"] == "pending"
    assert [(s["role"], s["org"], s["status"]) for s in filed["steps"]] == [
        ("branch_head", "SB01", "pending")]
    assert decide(client, who("E1"), filed["id"]).status_code == 403  # not by the requester
    approved = decide(client, who("H1"), filed["id"])
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"


@pytest.mark.parametrize("kind", ["annual", "personal", "marriage", "maternity"])
def test_other_types_cannot_start_before_today(client, who, kind):
    resp = file(client, who("E1"), type=kind, attachment_ref="cert-1", **back(1))
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["start_date"] == [
        f"{kind} leave cannot start before today (2025-08-01): it is not filed after the fact."]


def test_the_types_say_how_far_back_and_hr_changes_it(app, client, who):
    types = {t["code"]: t["max_days_back"] for t in client.get(
        "/leave/types", headers=who("E1")).get_json()["items"]}
    assert types == {"annual": 0, "sick": 30, "personal": 0, "marriage": 0, "maternity": 0,
                     "bereavement": 30}
    admin = who("ADM", roles=ADMIN)
    assert file(client, who("E1"), type="personal", **back(4)).status_code == 422
    assert client.patch("/leave/types/personal", headers=who("E1"),
                        json={"max_days_back": 4}).status_code == 403
    changed = client.patch("/leave/types/personal", headers=admin,
                           json={"min_notice_days": 0, "max_days_back": 4})
    assert changed.status_code == 200 and changed.get_json()["max_days_back"] == 4
    assert file(client, who("E1"), type="personal", **back(4)).status_code == 201
    refused = file(client, who("E1"), type="personal", **back(5))
    assert refused.status_code == 422 and "at most 4 days" in refused.get_json()["detail"]
    with app.app_context():  # the change is audited, before and after
        row = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "leave_type.update")).one()
        assert (row.before["max_days_back"], row.after["max_days_back"]) == (0, 4)


@pytest.mark.parametrize(("body", "status"), [
    ({"max_days_back": 5}, 422),                         # personal needs a day's notice
    ({"max_days_back": -1}, 422), ({"max_days_back": 366}, 422),
    ({"max_days_back": 365, "min_notice_days": 0}, 200)])
def test_a_type_needs_notice_or_is_filed_afterwards_not_both(client, who, body, status):
    resp = client.patch("/leave/types/personal", headers=who("ADM", roles=ADMIN), json=body)
    assert resp.status_code == status, resp.get_json()
    if status == 422:
        assert "max_days_back" in resp.get_json()["errors"]


def test_a_new_type_carries_it_and_the_same_rule(client, who):
    admin = who("ADM", roles=ADMIN)
    body: dict[str, Any] = {"code": "home_visit", "name_zh": "探亲假", "name_en": "Home visit",
                            "counts": "calendar_days", "min_notice_days": 7}
    both = client.post("/leave/types", headers=admin, json={**body, "max_days_back": 3})
    assert both.status_code == 422 and "max_days_back" in both.get_json()["errors"]
    made = client.post("/leave/types", headers=admin, json=body)
    assert made.status_code == 201 and made.get_json()["max_days_back"] == 0
