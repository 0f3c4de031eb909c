"""Scorecards, roll-ups, exports, the chart, and sign-off freezing a period."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.performance.models import AuditEvent, db


@pytest.fixture
def year(perf):
    """E100 in 2026: two standing incidents in Q1 (10 points; 10 points + 750.50 yuan with
    no excellence), one in May (5), one dismissed and one merely recorded (never count)."""
    perf.confirmed(rule="CM-ETH-01", occurred_on="2026-01-15")
    perf.confirmed(rule="FIR-02", occurred_on="2026-03-31", deduction_amount="750.50")
    perf.confirmed(rule="CM-ETH-02", occurred_on="2026-03-01", deduction_amount="80.25",
                   override_reason="a discretionary penalty")
    perf.confirmed(rule="CM-ETH-03", occurred_on="2026-05-02")
    dismissed = perf.recorded(rule="CM-ETH-08", occurred_on="2026-02-02")
    perf.decide("head", dismissed["id"], "dismiss")
    perf.recorded(rule="CM-ETH-08", occurred_on="2026-02-03")
    perf.confirmed("other_head", by="admin", employee_no="E300", rule="CM-BAS-01",
                   occurred_on="2026-01-20")


PERIODS = [("2026", 25, "830.75", False, 4), ("2026-Q1", 20, "830.75", False, 3),
           ("2026-01", 10, "0.00", True, 1), ("2026-Q2", 5, "0.00", True, 1),
           ("2025", 0, "0.00", True, 0)]


def test_a_scorecard_counts_the_standing_incidents_of_its_period(perf, year):
    for period, points, bonus, excellent, count in PERIODS:
        resp = perf.get("subject", f"/performance/scorecards/E100?period={period}")
        assert resp.status_code == 200, resp.get_json()
        body = json.loads(resp.get_data(as_text=True), parse_float=Decimal)
        assert body["points_deducted"] == points, period
        assert Decimal(body["bonus_deducted"]) == Decimal(bonus), period
        assert body["excellence_eligible"] is excellent and body["disqualified"] is False
        assert len(body["incidents"]) == count, period


def test_a_disqualifying_incident_shows_on_the_scorecard(perf):
    perf.confirmed(rule="CM-CRD-06", occurred_on="2026-04-01")
    body = perf.get("head", "/performance/scorecards/E100?period=2026-04").get_json()
    assert body["disqualified"] is True and body["excellence_eligible"] is False


def test_scorecards_are_read_by_the_employee_and_by_readers_of_their_unit(perf, year):
    url = "/performance/scorecards/E100?period=2026"
    assert perf.get("subject", url).status_code == 200
    assert perf.get("manager", url).status_code == 200
    assert perf.get("hr", url).status_code == 200
    assert perf.get("other_head", url).status_code == 404
    assert perf.get("subject", "/performance/scorecards/E300?period=2026").status_code == 404


def test_a_bad_period_is_a_422(perf):
    for period in ("2026-Q5", "2026-13", "26", "2026-1", "", "2026-Q0"):
        resp = perf.get("subject", f"/performance/scorecards/E100?period={period}")
        assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"period"}


def test_a_unit_rolls_up_its_subtree_exports_it_and_charts_it(perf, year):
    body = perf.get("hr", "/performance/units/BR01/scorecards?period=2026-Q1").get_json()
    assert body["employees_with_incidents"] == 2 and body["points_deducted"] == 21
    assert body["bonus_deducted"] == 830.75
    assert [i["employee_no"] for i in body["items"]] == ["E100", "E300"]
    assert body["items"][0]["excellence_eligible"] is False
    sb01 = perf.get("head", "/performance/units/SB01/scorecards?period=2026-Q1").get_json()
    assert [i["employee_no"] for i in sb01["items"]] == ["E100"]
    assert perf.get("head", "/performance/units/SB02/scorecards?period=2026").status_code == 404
    paged = perf.get("hr", "/performance/units/BR01/scorecards?period=2026&per_page=1&page=2")
    assert [i["employee_no"] for i in paged.get_json()["items"]] == ["E300"]
    beyond = perf.get("hr", "/performance/units/BR01/scorecards?period=2026&page=9").get_json()
    assert beyond["items"] == [] and beyond["total"] == 2 and beyond["points_deducted"] == 26

    # the same roll-up, exported as CSV and XLSX
    resp = perf.get("hr", "/performance/units/BR01/scorecards.csv?period=2026")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0]["employee_no"] == "E100" and rows[0]["bonus_deducted"] == "830.75"
    xlsx = perf.get("hr", "/performance/units/BR01/scorecards.xlsx?period=2026")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[2]][:4] == ["E100", "Name E100", "SB01", 25]
    assert perf.get("other_head",
                    "/performance/units/SB01/scorecards.csv?period=2026").status_code == 404

    # and its points by month as a chart
    resp = perf.get("hr", "/performance/units/SB01/chart.svg?period=2026")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    svg = resp.get_data(as_text=True)
    assert svg.count("<rect") == 12 and "2026-01: 10" in svg and "2026-05: 5" in svg


def test_a_signed_off_period_refuses_confirmations(app, perf):
    frozen = perf.recorded(rule="CM-ETH-01", occurred_on="2026-03-10")
    later = perf.recorded(rule="CM-ETH-01", occurred_on="2026-04-01")
    assert perf.post("manager", "/performance/units/SB01/sign-offs",
                     {"period": "2026-Q1"}).status_code == 403
    resp = perf.post("head", "/performance/units/SB01/sign-offs",
                     {"period": "2026-Q1", "comment": "审核 Q1"})
    assert resp.status_code == 201 and resp.get_json()["starts_on"] == "2026-01-01"
    assert perf.post("head", "/performance/units/SB01/sign-offs",
                     {"period": "2026-Q1"}).status_code == 409
    assert perf.decide("deputy", frozen["id"]).status_code == 409
    assert perf.decide("deputy", later["id"]).status_code == 200  # control: Q2 is open
    assert perf.decide("deputy", frozen["id"], "dismiss").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "period.sign_off"))
        assert event.actor == "u-e101" and event.after["period"] == "2026-Q1"
    listed = perf.get("head", "/performance/units/SB01/sign-offs").get_json()
    assert listed["total"] == 1 and listed["items"][0]["period"] == "2026-Q1"


def test_a_sign_off_above_freezes_the_units_below(perf):
    incident = perf.recorded(rule="CM-ETH-01", occurred_on="2026-06-30")
    token = perf.tokens.user(sub="u-bh", emp=None,
                             roles=[("branch_head", "BR01", "HQ/BR01")])
    resp = perf.client.post("/performance/units/BR01/sign-offs", json={"period": "2026"},
                            headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201
    assert perf.decide("head", incident["id"]).status_code == 409
