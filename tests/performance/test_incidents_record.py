"""`POST /performance/incidents`: scope, the rule's severities and ranges, authority caps."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from services.performance.models import AuditEvent, Incident, IncidentStep, db


def test_a_department_manager_records_an_incident_about_their_unit(perf, staff):
    resp = perf.record(rule="CM-ETH-01")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "recorded" and body["points"] == 10
    assert body["deduction_amount"] is None and body["rule"] == "CM-ETH-01"
    assert body["rule_version"] == 1 and body["unit"] == "SB01"
    assert body["governing_branch"] == "BR01" and body["recorded_by_emp"] == "E103"
    assert "chain E100" in staff.calls


def test_recording_is_audited_and_signed(app, perf):
    incident = perf.recorded()
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "incident.record"))
        assert event.actor == "u-e103" and event.target_id == str(incident["id"])
        assert event.token_jti and event.after["rule_code"] == "CM-ETH-07"
        step = db.session.scalar(select(IncidentStep))
        assert step.action == "record" and step.to_status == "recorded"


def test_an_employee_outside_the_recorders_scope_answers_like_an_unknown_one(perf):
    outside = perf.record(employee_no="E300")
    unknown = perf.record(employee_no="E999")
    assert outside.status_code == unknown.status_code == 422
    assert outside.get_json()["errors"] == {"employee_no": ["No employee E300."]}
    assert perf.record("other_head", employee_no="E300").status_code == 201  # control


def test_recording_needs_the_record_permission(perf):
    assert perf.record("subject").status_code == 403
    assert perf.record("manager").status_code == 201


def test_staff_down_is_a_503_and_nothing_is_written(app, perf, staff):
    staff.down = True
    resp = perf.record()
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Incident)) == 0
        assert db.session.scalar(select(func.count()).select_from(IncidentStep)) == 0


@pytest.mark.parametrize(("rule", "severity", "allowed"), [
    ("CM-ETH-01", "egregious", True), ("CM-ETH-03", "egregious", False),
    ("CM-ETH-07", "aggravated", False), ("CM-BAS-01", "egregious", False)])
def test_a_severity_must_be_one_the_rule_allows(perf, rule, severity, allowed):
    extra = {"points_override": 30, "override_reason": "x"} if severity == "aggravated" else {}
    resp = perf.record(rule=rule, severity=severity, **extra)
    assert resp.status_code == (201 if allowed else 422), resp.get_json()
    if not allowed:
        assert set(resp.get_json()["errors"]) == {"severity"}


def test_egregious_brings_the_rules_escalation(perf):
    body = perf.recorded(rule="CM-ETH-02", severity="egregious")
    assert body["consequence"] == "disqualification" and body["points"] == 10
    assert perf.recorded(rule="CM-ETH-02")["consequence"] is None


def test_aggravated_needs_a_larger_points_override_and_a_reason(perf):
    base = {"rule": "CM-ETH-03", "severity": "aggravated"}
    assert set(perf.record(**base).get_json()["errors"]) == {"points_override"}
    no_reason = perf.record(**base, points_override=8)
    assert set(no_reason.get_json()["errors"]) == {"override_reason"}
    not_more = perf.record(**base, points_override=5, override_reason="repeated")
    assert set(not_more.get_json()["errors"]) == {"points_override"}
    ok = perf.recorded(**base, points_override=8, override_reason="repeated in one month")
    assert ok["points"] == 8 and ok["points_override"] == 8 and ok["severity"] == "aggravated"


def test_a_points_override_without_aggravation_is_refused(perf):
    resp = perf.record(rule="CM-ETH-01", points_override=12, override_reason="why")
    assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"points_override"}


@pytest.mark.parametrize(("amount", "status"), [
    (None, 422), ("499.99", 422), ("500.00", 201), (1234.5, 201), (2000, 201),
    ("2000.01", 422)])
def test_a_first_inquiry_deduction_lies_within_500_to_2000_whoever_records(perf, amount,
                                                                          status):
    body = {"rule": "FIR-02"} | ({} if amount is None else {"deduction_amount": amount})
    for who in ("manager", "hr"):
        resp = perf.record(who, **body)
        assert resp.status_code == status, (who, resp.get_json())
        if status == 201:
            assert resp.get_json()["over_cap"] is False
            assert resp.get_json()["discretionary"] is False


def test_money_is_exact_in_the_store_and_a_number_on_the_wire(app, perf):
    resp = perf.record(rule="FIR-01", deduction_amount="1999.99")
    raw = json.loads(resp.get_data(as_text=True), parse_float=Decimal)
    assert raw["deduction_amount"] == Decimal("1999.99")
    with app.app_context():
        stored = db.session.scalar(select(Incident.deduction_amount))
        assert isinstance(stored, Decimal) and stored == Decimal("1999.99")
    assert perf.record(rule="FIR-01", deduction_amount="1000.005").status_code == 422


@pytest.mark.parametrize(("who", "amount", "over"), [
    ("manager", "99.99", False), ("manager", "100.00", False), ("manager", "100.01", True),
    ("head", "499.99", False), ("head", "500", False), ("head", "500.01", True),
    ("hr", "1.00", True)])
def test_a_discretionary_amount_above_the_recorders_cap_goes_one_level_up(perf, who, amount,
                                                                         over):
    body = perf.recorded(who, rule="CM-ETH-01", deduction_amount=amount,
                         override_reason="reported reason")
    assert body["discretionary"] is True and body["over_cap"] is over
    assert body["deduction_amount"] == float(amount)


def test_a_deduction_must_be_positive(perf):
    for amount in (0, -5):
        resp = perf.record(rule="CM-ETH-01", deduction_amount=amount, override_reason="r")
        assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"deduction_amount"}


def test_unknown_rules_future_dates_and_blank_descriptions_are_refused(perf):
    assert set(perf.record(rule="NOPE").get_json()["errors"]) == {"rule"}
    assert set(perf.record(occurred_on="2999-01-01").get_json()["errors"]) == {"occurred_on"}
    assert set(perf.record(description="  ").get_json()["errors"]) == {"description"}
    assert set(perf.record(extra=1).get_json()["errors"]) == {"extra"}


def test_a_discretionary_amount_needs_its_reported_reason(perf):
    resp = perf.record(rule="CM-ETH-01", deduction_amount="50")
    assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"override_reason"}
    blank = perf.record(rule="CM-ETH-01", deduction_amount="50", override_reason=" ")
    assert blank.status_code == 422
    assert perf.record(rule="CM-ETH-01", deduction_amount="50",
                       override_reason="late file twice").status_code == 201
