"""Balances from the ledger: entitlement, holds for pending requests, consumption, returns."""

from __future__ import annotations

import pytest

from tests.leave.conftest import decide, file


def balance(client, headers, emp="E1", year=2025):
    resp = client.get(f"/leave/balances/{emp}?year={year}", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return {b["type"]: b for b in resp.get_json()["balances"]}["annual"]


def test_annual_entitlement_follows_cumulative_working_time(client, who, directory):
    directory.hire_dates["E1"] = ("2015-03-01", "2012-07-01")  # 13 years by 2025 → 10 days
    assert balance(client, who("E1"))["entitled"] == 10
    directory.hire_dates["E5"] = ("2025-07-01", "2025-07-01")  # first job, joined mid-year
    assert balance(client, who("E5"), "E5")["entitled"] == 0
    directory.hire_dates["E2"] = ("2025-07-01", "2010-01-01")  # 15 years, new employer
    # 实施办法 §5: (184 remaining days / 365) × 10, whole days rounded down → 5.
    assert balance(client, who("E2"), "E2")["entitled"] == 5


def test_pending_requests_hold_days_so_two_cannot_overbook(client, who):
    first = file(client, who("E1"), start_date="2025-09-01", end_date="2025-09-05")  # 5 days
    assert first.status_code == 201, first.get_json()
    assert balance(client, who("E1"))["pending"] == 5
    second = file(client, who("E1"), start_date="2025-09-15", end_date="2025-09-20")  # 5 more
    assert second.status_code == 201
    third = file(client, who("E1"), start_date="2025-11-03", end_date="2025-11-03")
    assert third.status_code == 409
    assert third.get_json()["remaining"] == 0
    assert balance(client, who("E1"))["remaining"] == 0


def test_approval_uses_days_and_cancellation_returns_the_untaken_ones(client, who, clock):
    rid = file(client, who("E1"), start_date="2025-09-01", end_date="2025-09-05").get_json()["id"]
    assert decide(client, who("H1"), rid).get_json()["status"] == "approved"
    after = balance(client, who("E1"))
    assert (after["used"], after["pending"], after["remaining"]) == (5, 0, 5)
    clock.today = clock.today.replace(month=9, day=3)  # Mon, Tue taken; Wed–Fri not yet
    resp = client.post(f"/leave/requests/{rid}/cancel", headers=who("H1"), json={})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "approved" and body["end_date"] == "2025-09-02"
    assert body["days"] == 2 and body["cancelled_days"] == 3
    assert balance(client, who("E1"))["used"] == 2


def test_whole_cancellation_before_the_leave_starts_returns_every_day(client, who):
    rid = file(client, who("E1"), start_date="2025-09-01", end_date="2025-09-05").get_json()["id"]
    decide(client, who("H1"), rid)
    assert client.post(f"/leave/requests/{rid}/cancel", headers=who("E1"),
                       json={}).status_code == 403  # the requester withdraws, not cancels
    resp = client.post(f"/leave/requests/{rid}/cancel", headers=who("HR1"), json={})
    assert resp.get_json()["status"] == "cancelled"
    assert balance(client, who("E1"))["remaining"] == 10


def test_taken_days_cannot_be_cancelled(client, who, clock):
    rid = file(client, who("E1"), start_date="2025-09-01", end_date="2025-09-05").get_json()["id"]
    decide(client, who("H1"), rid)
    clock.today = clock.today.replace(month=9, day=10)
    resp = client.post(f"/leave/requests/{rid}/cancel", headers=who("H1"),
                       json={"from_date": "2025-09-03"})
    assert resp.status_code == 422 and "from_date" in resp.get_json()["errors"]


def test_rejection_and_withdrawal_release_the_hold(client, who):
    rid = file(client, who("E1"), start_date="2025-09-01", end_date="2025-09-05").get_json()["id"]
    decide(client, who("H1"), rid, "reject")
    other = file(client, who("E1"), start_date="2025-09-08", end_date="2025-09-10")
    client.post(f"/leave/requests/{other.get_json()['id']}/withdraw", headers=who("E1"), json={})
    line = balance(client, who("E1"))
    assert (line["pending"], line["used"], line["remaining"]) == (0, 0, 10)


def test_the_ledger_shows_every_movement_and_is_append_only(client, who, app):
    rid = file(client, who("E1"), start_date="2025-09-01", end_date="2025-09-02").get_json()["id"]
    decide(client, who("H1"), rid)
    rows = client.get("/leave/balances/E1/ledger?year=2025", headers=who("E1")).get_json()
    assert [(r["kind"], r["days"]) for r in rows["items"]] == [
        ("allocation", 10), ("hold", 2), ("release", 2), ("consumption", 2)]
    from sqlalchemy import text

    from services.leave.models import db
    with app.app_context():
        with pytest.raises(Exception, match="append-only"):  # the store's own refusal
            db.session.execute(text("UPDATE balance_ledger SET days = 99"))
            db.session.commit()
        db.session.rollback()


def test_balances_of_others_need_leave_read_over_their_unit(client, who):
    assert client.get("/leave/balances/E1?year=2025", headers=who("H1")).status_code == 200
    assert client.get("/leave/balances/E1?year=2025", headers=who("H2")).status_code == 404
    assert client.get("/leave/balances/E1?year=2025", headers=who("E5")).status_code == 404


def test_hr_adjusts_a_balance_with_a_note(client, who):
    resp = client.post("/leave/balances/E1/adjustments", headers=who("HR1"),
                       json={"year": 2025, "type": "annual", "days": 2.5,
                             "note": "carry-over from 2024"})
    assert resp.status_code == 201, resp.get_json()
    assert balance(client, who("E1"))["entitled"] == 12.5
    denied = client.post("/leave/balances/E1/adjustments", headers=who("H1"),
                         json={"year": 2025, "type": "annual", "days": 1, "note": "x"})
    assert denied.status_code == 403
