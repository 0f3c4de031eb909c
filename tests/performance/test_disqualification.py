"""A confirmed disqualification (取消客户经理资格) reaches staff, at least once, even when
staff was down at the time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from services.performance import app as app_module
from services.performance.models import OutboxMessage, db


def test_confirming_a_disqualifying_incident_tells_staff(perf, staff):
    incident = perf.confirmed(rule="CM-ETH-05")
    assert incident["consequence"] == "disqualification"
    assert len(staff.sent) == 1
    destination, path, payload = staff.sent[0]
    assert destination == "staff" and path == "/staff/employees/E100/qualifications"
    assert payload["qualification"] == "customer_manager"
    assert payload["status"] == "withdrawn"
    assert payload["reference"] == f"performance:incident:{incident['id']}"
    assert payload["reason"]


def test_an_egregious_case_disqualifies_and_a_normal_one_does_not(perf, staff):
    perf.confirmed(rule="CM-ETH-01")
    assert staff.sent == []
    perf.confirmed(rule="CM-ETH-01", severity="egregious")
    assert [p["status"] for _, _, p in staff.sent] == ["withdrawn"]


def test_a_dismissed_disqualification_tells_staff_nothing(perf, staff):
    incident = perf.recorded(rule="CM-CRD-06")
    assert perf.decide("head", incident["id"], "dismiss").status_code == 200
    assert staff.sent == []


def test_staff_down_neither_fails_the_confirmation_nor_loses_the_message(app, perf, staff):
    incident = perf.recorded(rule="CM-ETH-06")
    staff.refuse_sends = True
    resp = perf.decide("head", incident["id"])
    assert resp.status_code == 200 and resp.get_json()["status"] == "confirmed"
    assert staff.sent == [] and "send /staff/employees/E100/qualifications" in staff.calls
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == "pending" and message.attempts == 1
    staff.refuse_sends = False
    counts = app_module.deliver_messages(app.extensions["hr_settings"], staff)
    assert counts == {"delivered": 1, "rejected": 0, "failed": 0}
    assert staff.sent[0][2]["reference"] == f"performance:incident:{incident['id']}"
    assert app_module.deliver_messages(app.extensions["hr_settings"], staff)["delivered"] == 0


def test_the_message_commits_with_the_confirmation_or_not_at_all(app, perf, staff):
    incident = perf.recorded(rule="CM-ETH-05", occurred_on="2026-02-10")
    staff.down = True  # relations cannot be read: the confirmation fails, nothing is owed
    assert perf.decide("head", incident["id"]).status_code == 503
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_overturning_on_appeal_restores_the_qualification(perf, staff):
    incident = perf.confirmed(rule="CM-ETH-05")
    perf.post("subject", f"/performance/incidents/{incident['id']}/appeal", {"reason": "no"})
    resp = perf.post("hr", f"/performance/incidents/{incident['id']}/appeal/decision",
                     {"decision": "overturn"})
    assert resp.status_code == 200
    assert [p["status"] for _, _, p in staff.sent] == ["withdrawn", "restored"]


def test_an_undelivered_message_goes_out_after_a_later_write_once_due(app, perf, staff):
    incident = perf.recorded(rule="CM-ETH-05")
    staff.refuse_sends = True
    assert perf.decide("head", incident["id"]).status_code == 200
    staff.refuse_sends = False
    perf.recorded(rule="CM-ETH-07")  # a write before the backoff has passed: not yet
    assert staff.sent == []
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(
            next_attempt_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
        db.session.commit()
    perf.recorded(rule="CM-ETH-07")  # the next write after it is due delivers it
    assert [p["reference"] for _, _, p in staff.sent] == [f"performance:incident:{incident['id']}"]
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == "delivered" and message.attempts == 2
