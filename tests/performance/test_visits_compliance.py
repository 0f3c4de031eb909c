"""Compliance runs on a constructed month (May 2026) and half year (Jan–Jun 2026): each tier
at, below and above its quota; phone/SMS counting only where the tier allows; the −1
incidents proposed as `recorded` (a person still decides) and never proposed twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.performance.models import db
from services.performance.models.visits import Customer, Visit
from tests.performance.visits_helpers import contact, run

FIVE_M, ONE_M = "5000000.00", "1000000.00"


@pytest.fixture
def may(perf, app):
    """Customers of E100 at SB01 and their contacts in May 2026 (and the half year), written
    straight to the store (the routes that write them are tested in test_visits.py)."""
    customers = {
        "K-AT": (FIVE_M, "0"),  # key tier: 2 confirmed visits a month
        "K-BELOW": (ONE_M, FIVE_M),  # credit alone decides
        "K-ABOVE": ("9000000", "0"), "K-NONE": (FIVE_M, "0"),
        "M-AT": (ONE_M, "0"),  # major tier: 1 confirmed visit a month
        "M-BELOW": ("0", "4999999.99"), "M-ABOVE": (ONE_M, "0"),
        "S-PHONE": ("10", "0"),  # standard: 1 contact a half year, phone/SMS count
        "S-SMS": ("0", "999999.99"), "S-NONE": ("0", "0"), "S-UNCONFIRMED": ("0", "0"),
        "K-LATE": (FIVE_M, "0"),  # taken on mid-month: not checked for May
    }
    contacts = [  # (customer, day, kind, confirmed)
        ("K-AT", "05-04", "visit", True), ("K-AT", "05-20", "visit", True),
        ("K-BELOW", "05-04", "visit", True), ("K-BELOW", "05-05", "visit", False),
        ("K-BELOW", "05-06", "phone", False),
        ("K-ABOVE", "05-01", "visit", True), ("K-ABOVE", "05-15", "visit", True),
        ("K-ABOVE", "05-31", "visit", True),
        ("K-NONE", "04-30", "visit", True),  # the month before
        ("M-AT", "05-31", "visit", True),
        ("M-BELOW", "05-02", "sms", False), ("M-BELOW", "05-03", "phone", False),
        ("M-ABOVE", "05-10", "visit", True), ("M-ABOVE", "05-11", "visit", True),
        ("S-PHONE", "02-01", "phone", False), ("S-SMS", "06-30", "sms", False),
        ("S-UNCONFIRMED", "03-03", "visit", False),
    ]
    with app.app_context():
        rows = {code: Customer(code=code, name=f"Customer {code}", deposits=Decimal(d),
                               credit=Decimal(c), manager_no="E100", unit_code="SB01",
                               unit_path="HQ/BR01/SB01", created_by="fixture",
                               since=dt.date(2026, 5, 2) if code == "K-LATE"
                               else dt.date(2026, 1, 1))
                for code, (d, c) in customers.items()}
        db.session.add_all(rows.values())
        db.session.flush()
        for code, day, kind, confirmed in contacts:
            db.session.add(Visit(
                customer_id=rows[code].id, employee_no="E100",
                on_date=dt.date.fromisoformat(f"2026-{day}"), kind=kind, report="r",
                status="confirmed" if confirmed else "reported" if kind == "visit" else "logged",
                recorded_by="fixture"))
        db.session.commit()
    return perf


def _gaps(answer):
    return {g["customer"]: (g["tier"], g["required"], g["done"], g["missing"])
            for g in answer["gaps"]}


def test_a_month_lists_each_monthly_tier_below_its_quota_and_nobody_at_or_above_it(may):
    resp = run(may)
    assert resp.status_code == 201, resp.get_json()
    answer = resp.get_json()
    assert _gaps(answer) == {"K-BELOW": ("key", 2, 1, 1), "K-NONE": ("key", 2, 0, 2),
                             "M-BELOW": ("major", 1, 0, 1)}
    assert answer["customers_checked"] == 7  # monthly tiers only; K-LATE not yet
    assert answer["proposed"] == 4 and answer["policy_version"] == 1
    gap = next(g for g in answer["gaps"] if g["customer"] == "K-NONE")
    assert (gap["manager"], gap["window_start"], gap["window_end"]) == (
        "E100", "2026-05-01", "2026-05-31")


def test_june_also_closes_the_half_year_where_phone_and_sms_count(may):
    answer = run(may, period="2026-06").get_json()
    half = {c: g for c, g in _gaps(answer).items() if g[0] == "standard"}
    assert half == {"S-NONE": ("standard", 1, 0, 1), "S-UNCONFIRMED": ("standard", 1, 0, 1)}
    gap = next(g for g in answer["gaps"] if g["customer"] == "S-NONE")
    assert (gap["window_start"], gap["window_end"]) == ("2026-01-01", "2026-06-30")


def test_each_missed_visit_is_proposed_as_a_recorded_minus_one_incident(may):
    answer = run(may).get_json()
    ids = [i for g in answer["gaps"] for i in g["incidents"]]
    assert len(ids) == 4
    for incident_id in ids:
        incident = may.get("deputy", f"/performance/incidents/{incident_id}").get_json()
        assert (incident["status"], incident["rule"], incident["employee_no"],
                incident["points"], incident["occurred_on"]) == (
            "recorded", "CM-BAS-01", "E100", 1, "2026-05-31")
    # A person still decides: someone other than the runner confirms or dismisses it.
    assert may.decide("head", ids[0]).status_code == 403
    assert may.decide("deputy", ids[0]).get_json()["status"] == "confirmed"
    assert may.decide("deputy", ids[1], "dismiss").get_json()["status"] == "dismissed"


def test_running_the_month_again_proposes_nothing_twice(may):
    first = run(may).get_json()
    again = run(may).get_json()
    above = run(may, org="BR01", who="hr").get_json()
    assert again["id"] != first["id"] and again["proposed"] == above["proposed"] == 0
    assert _gaps(again) == _gaps(first) == _gaps(above)
    assert [g["incidents"] for g in again["gaps"]] == [g["incidents"] for g in first["gaps"]]
    assert all(g["newly_proposed"] == 0 for g in again["gaps"])
    listed = may.get("deputy", "/performance/incidents?per_page=200").get_json()
    assert listed["total"] == 4
    assert may.get("head", f"/performance/compliance-runs/{first['id']}").get_json() == first
    assert may.get("other_head", f"/performance/compliance-runs/{first['id']}").status_code == 404
    listed = may.get("head", "/performance/compliance-runs?period=2026-05").get_json()
    assert [r["id"] for r in listed["items"]] == [again["id"], first["id"]]  # not BR01's
    assert listed["items"][1]["proposed"] == 4 and "gaps" not in listed["items"][1]
    assert may.get("other_head", "/performance/compliance-runs").get_json()["total"] == 0
    assert may.get("hr", "/performance/compliance-runs?org=BR01").get_json()["total"] == 1


def test_a_visit_confirmed_late_closes_the_gap_on_the_next_run_but_keeps_the_proposal(may):
    first = run(may).get_json()
    contact(may, "M-BELOW", "2026-05-30")
    again = run(may).get_json()
    assert "M-BELOW" not in _gaps(again) and again["proposed"] == 0
    assert len([g for g in first["gaps"] if g["customer"] == "M-BELOW"]) == 1


def test_only_a_recorder_over_the_unit_runs_it_and_only_for_a_month_that_is_over(perf):
    assert run(perf, who="subject").status_code == 403
    assert run(perf, who="other_head").status_code == 422  # SB01 is outside their scope
    assert run(perf, org="NOPE").status_code == 422
    assert run(perf, who="other_head", org="SB02").status_code == 201
    for period in ("2999-01", "2026-13", "May"):
        resp = run(perf, period=period)
        assert resp.status_code == 422 and "period" in resp.get_json()["errors"]
    assert run(perf).status_code == 201


def test_a_missed_visit_the_runner_may_not_record_is_listed_as_unproposed(may, app):
    with app.app_context():  # the manager of K-NONE has moved to SB02 since
        db.session.query(Customer).filter_by(code="K-NONE").update({"manager_no": "E300"})
        db.session.commit()
    answer = run(may).get_json()
    gap = next(g for g in answer["gaps"] if g["customer"] == "K-NONE")
    assert (gap["manager"], gap["incidents"], gap["unproposed"]) == ("E300", [], 2)
    assert answer["proposed"] == 2  # K-BELOW and M-BELOW still proposed
    above = run(may, org="BR01", who="hr").get_json()  # hr of the branch covers E300
    gap = next(g for g in above["gaps"] if g["customer"] == "K-NONE")
    assert (len(gap["incidents"]), gap["unproposed"], above["proposed"]) == (2, 0, 2)
