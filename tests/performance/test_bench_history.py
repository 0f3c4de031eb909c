"""The bench's demerit history (`bench.performance_data`) is data the service reads as its own:
loaded straight into a fresh store, its scorecards and roll-ups add up to the rows written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bench import performance_data, staff_data
from services.performance.domain.scorecards import STANDING
from services.performance.models import db

#: A small catalogue: every head post the generator uses, and two ordinary ones.
POSITIONS = {code: (n, grade, []) for n, (code, grade) in enumerate((
    ("HQ_PRESIDENT", "head"), ("BRANCH_PRESIDENT", "head"), ("SUB_BRANCH_HEAD", "head"),
    ("DEPT_MANAGER", "mid"), ("GENERAL_BUSINESS_DEPT_MANAGER", "mid"),
    ("ADMIN_DEPT_MANAGER", "mid"), ("CREDIT_DEPT_MANAGER", "mid"), ("TELLER", "staff"),
    ("CUSTOMER_MANAGER", "staff")), start=1)}
INCIDENTS = 3_000


@pytest.fixture
def history(app):
    """A 120-unit, 1,200-employee organisation (two branches: BR01's path is the fake
    staff's HQ/BR01) with INCIDENTS incidents loaded; (plan, the rows written)."""
    org = staff_data.build(120, 1_200, positions=POSITIONS, branches=2)
    grades = {pid: grade for pid, grade, _kinds in POSITIONS.values()}
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    rules, policy_version = performance_data.read_rules(url)
    plan = performance_data.build(org, grades, rules, policy_version, INCIDENTS)
    written = list(performance_data.rows(plan))
    plan.statuses.clear()
    performance_data.load(url, plan)
    return plan, written, url


def _standing(rows, year: int, *, employee_no=None, under=None):
    col = performance_data.INCIDENT_COLUMNS.index
    out = []
    for row in rows:
        if row[col("status")] not in STANDING or row[col("occurred_on")].year != year:
            continue
        if employee_no is not None and row[col("employee_no")] != employee_no:
            continue
        path = row[col("unit_path")]
        if under is not None and not (path == under or path.startswith(under + "/")):
            continue
        out.append(row)
    return out


def test_the_loaded_history_is_mostly_confirmed_and_read_back_whole(history):
    plan, written, url = history
    assert performance_data.count_incidents(url) == INCIDENTS == len(written)
    assert plan.statuses["confirmed"] / INCIDENTS > 0.7
    assert set(plan.statuses) <= {"recorded", "confirmed", "dismissed", "appealed", "upheld",
                                  "overturned"}


def test_an_employees_scorecard_adds_up_to_the_incidents_written(history, client, tokens):
    _plan, written, _url = history
    col = performance_data.INCIDENT_COLUMNS.index
    busiest = max({r[col("employee_no")] for r in _standing(written, 2025)},
                  key=lambda no: len(_standing(written, 2025, employee_no=no)))
    mine = _standing(written, 2025, employee_no=busiest)
    token = tokens.user(sub="bench-self", emp=busiest, roles=[])
    card = client.get(f"/performance/scorecards/{busiest}?period=2025",
                      headers={"Authorization": f"Bearer {token}"})
    assert card.status_code == 200, card.get_json()
    body = card.get_json()
    assert len(body["incidents"]) == len(mine) > 1
    assert body["points_deducted"] == sum(r[col("points")] or 0 for r in mine)
    assert Decimal(str(body["bonus_deducted"])) == sum(
        (r[col("deduction_amount")] or Decimal(0) for r in mine), Decimal(0))


def test_a_branch_roll_up_adds_up_to_the_incidents_written(history, client, tokens):
    _plan, written, _url = history
    col = performance_data.INCIDENT_COLUMNS.index
    branch = _standing(written, 2025, under="HQ/BR01")
    token = tokens.user(sub="bench-hr", emp="E000001", roles=[("hr", "BR01", "HQ/BR01")])
    resp = client.get("/performance/units/BR01/scorecards?period=2025&per_page=200",
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["employees_with_incidents"] == len({r[col("employee_no")] for r in branch}) > 0
    assert body["points_deducted"] == sum(r[col("points")] or 0 for r in branch)
