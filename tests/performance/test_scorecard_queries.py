"""A scorecard and a roll-up cost the same few SQL statements whatever the data size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from services.performance.models import Incident, Rule, db
from shared.testing import statements_sent


def _add(app, count: int, employee_no: str = "E100") -> None:
    with app.app_context():
        rule = db.session.scalar(select(Rule).where(Rule.code == "FIR-01"))
        for n in range(count):
            db.session.add(Incident(
                employee_no=employee_no, unit_code="SB01", unit_path="HQ/BR01/SB01",
                governing_code="BR01", governing_path="HQ/BR01", rule_id=rule.id,
                rule_code=rule.code, rule_version=1,
                occurred_on=dt.date(2026, 1 + n % 12, 1 + n % 28), description="seeded",
                severity="normal", points=None, deduction_amount=Decimal("500.00"),
                consequence="no_excellence", status="confirmed", recorded_by="seed",
                policy_version=1))
        db.session.commit()


def _statements(app, send):
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as statements:
        resp = send()
    assert resp.status_code == 200, resp.get_json()
    return [s for s in statements if s.strip().upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}]


def test_a_scorecard_costs_a_constant_number_of_statements(app, perf):
    def card(who):
        return lambda: perf.get(who, "/performance/scorecards/E100?period=2026")

    _add(app, 1)
    small_own, small_head = _statements(app, card("subject")), _statements(app, card("head"))
    _add(app, 60)
    _add(app, 40, employee_no="E300")
    big = perf.get("subject", "/performance/scorecards/E100?period=2026").get_json()
    assert len(big["incidents"]) == 61 and big["bonus_deducted"] == 30500
    big_own, big_head = _statements(app, card("subject")), _statements(app, card("head"))
    assert len(small_own) == len(big_own) == len(small_head) == len(big_head) <= 2, big_own


def test_a_roll_up_costs_a_constant_number_of_statements(app, perf):
    def rollup():
        return perf.get("hr", "/performance/units/BR01/scorecards?period=2026")

    _add(app, 1)
    small = _statements(app, rollup)
    _add(app, 50, employee_no="E300")
    _add(app, 50, employee_no="E101")
    assert rollup().get_json()["employees_with_incidents"] == 3
    assert len(_statements(app, rollup)) == len(small) <= 2
