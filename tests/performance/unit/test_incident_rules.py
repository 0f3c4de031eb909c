"""The pure rules of judging an incident, periods and scorecard totals (no HTTP, no store)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from services.performance.domain.incidents import IncidentRuleError, RuleTerms, judge, recorder_cap
from services.performance.domain.periods import PeriodError, parse_period
from services.performance.domain.scorecards import totals
from services.performance.service import read_rulebooks

D = Decimal
ETH01 = RuleTerms("CM-ETH-01", 10, None, None, None, ("aggravated", "egregious"),
                  {"egregious": "disqualification"})
FIR01 = RuleTerms("FIR-01", None, D("500.00"), D("2000.00"), "no_excellence", (), {})
CAPS = {"dept_manager": D("100.00"), "branch_head": D("500.00")}

#: The source documents by title (docs/domain.md, "Source documents": 001 and 000).
CM_RULES = "银行客户经理工作制度"
FIRST_INQUIRY = "银行支行客户经理职责"

#: Every rule docs/domain.md §4 lists: code → (points, min, max, consequence, severities, source)
SEED_RULES = {
    "CM-ETH-01": (10, None, None, None, ["aggravated", "egregious"], CM_RULES),
    "CM-ETH-02": (10, None, None, None, ["aggravated", "egregious"], CM_RULES),
    "CM-ETH-03": (5, None, None, None, ["aggravated"], CM_RULES),
    "CM-ETH-04": (10, None, None, None, ["aggravated"], CM_RULES),
    "CM-ETH-05": (None, None, None, "disqualification", [], CM_RULES),
    "CM-ETH-06": (None, None, None, "disqualification", [], CM_RULES),
    "CM-ETH-07": (5, None, None, None, [], CM_RULES),
    "CM-ETH-08": (20, None, None, None, [], CM_RULES),
    "CM-ETH-09": (10, None, None, None, [], CM_RULES),
    "CM-BAS-01": (1, None, None, None, [], CM_RULES),
    "CM-BAS-02": (1, None, None, None, [], CM_RULES),
    "CM-BAS-03": (2, None, None, None, [], CM_RULES),
    "CM-BAS-04": (2, None, None, None, [], CM_RULES),
    "CM-CRD-01": (2, None, None, None, ["aggravated"], CM_RULES),
    "CM-CRD-02": (5, None, None, None, ["aggravated"], CM_RULES),
    "CM-CRD-03": (10, None, None, None, ["aggravated"], CM_RULES),
    "CM-CRD-04": (5, None, None, None, [], CM_RULES),
    "CM-CRD-05": (10, None, None, None, ["aggravated"], CM_RULES),
    "CM-CRD-06": (None, None, None, "disqualification", [], CM_RULES),
    **{f"FIR-0{n}": (None, D("500.00"), D("2000.00"), "no_excellence", [], FIRST_INQUIRY)
       for n in range(1, 5)},
}


def test_every_seed_rule_is_in_the_rulebook_with_its_numbers_and_source():
    rows = {r["code"]: r for r in read_rulebooks()}
    assert set(rows) == set(SEED_RULES)
    for code, (points, low, high, consequence, severities, seed) in SEED_RULES.items():
        row = rows[code]
        assert (row["points"], row["deduction_min"], row["deduction_max"],
                row["consequence"], row["severities"]) == \
            (points, low, high, consequence, severities), code
        assert row["source"].startswith(f"《{seed}》"), code  # cited by title, as the catalogue
        assert row["title_zh"] and row["title_en"]


def judged(rule=ETH01, severity="normal", amount=None, override=None, reason=None, cap=None):
    return judge(rule, severity=severity, deduction_amount=amount, points_override=override,
                 override_reason=reason, cap=cap)


def test_a_normal_case_costs_the_rules_points():
    result = judged()
    assert (result.points, result.deduction_amount, result.consequence) == (10, None, None)


def test_egregious_escalates_and_aggravated_overrides():
    assert judged(severity="egregious").consequence == "disqualification"
    assert judged(severity="aggravated", override=15, reason="twice").points == 15
    with pytest.raises(IncidentRuleError) as error:
        judged(severity="aggravated", override=10, reason="not more")
    assert error.value.field == "points_override"


@pytest.mark.parametrize(("amount", "ok"), [(D("499.99"), False), (D("500.00"), True),
                                            (D("2000.00"), True), (D("2000.01"), False),
                                            (None, False)])
def test_a_range_binds_whatever_the_cap(amount, ok):
    if ok:
        result = judged(FIR01, amount=amount, cap=D("0"))
        assert not result.over_cap and not result.discretionary
    else:
        with pytest.raises(IncidentRuleError):
            judged(FIR01, amount=amount, cap=D("1000000"))


@pytest.mark.parametrize(("amount", "cap", "over"), [
    (D("100.00"), D("100.00"), False), (D("99.99"), D("100.00"), False),
    (D("100.01"), D("100.00"), True), (D("0.01"), None, True)])
def test_caps_are_inclusive_and_no_cap_means_one_level_up(amount, cap, over):
    result = judged(amount=amount, cap=cap, reason="reported")
    assert result.discretionary and result.over_cap is over


def test_the_recorders_cap_is_the_largest_of_their_roles_over_the_subject():
    def grant(role, path):
        return SimpleNamespace(role=role, path=path, permissions={"performance:record"})

    grants = [grant("dept_manager", "HQ/BR01/SB01"), grant("branch_head", "HQ/BR01/SB02")]
    assert recorder_cap(grants, CAPS, "HQ/BR01/SB01/D1") == D("100.00")
    assert recorder_cap(grants, CAPS, "HQ/BR01/SB02") == D("500.00")
    assert recorder_cap([grant("hr", "HQ")], CAPS, "HQ/BR01") is None


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026", "2026-01-01", "2026-12-31"), ("2026-Q1", "2026-01-01", "2026-03-31"),
    ("2026-Q4", "2026-10-01", "2026-12-31"), ("2024-02", "2024-02-01", "2024-02-29"),
    ("2026-12", "2026-12-01", "2026-12-31")])
def test_periods_are_inclusive_date_ranges(text, start, end):
    period = parse_period(text)
    assert (period.starts_on.isoformat(), period.ends_on.isoformat()) == (start, end)


@pytest.mark.parametrize("text", ["2026-Q0", "2026-00", "2026-13", "20261", "0000", "x"])
def test_other_periods_are_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_totals_count_standing_incidents_exactly():
    def incident(status, points, amount, consequence=None):
        return SimpleNamespace(status=status, points=points, deduction_amount=amount,
                               consequence=consequence, occurred_on=dt.date(2026, 1, 1))

    result = totals([incident("confirmed", 10, D("0.10")), incident("appealed", None, D("0.20")),
                     incident("upheld", 2, None, "no_excellence"),
                     incident("overturned", 50, D("9"), "disqualification"),
                     incident("recorded", 5, D("1")), incident("dismissed", 5, D("1"))])
    assert result.points_deducted == 12 and result.bonus_deducted == D("0.30")
    assert isinstance(result.bonus_deducted, Decimal)
    assert result.excellence_eligible is False and result.disqualified is False


def test_a_discretionary_amount_without_a_reason_is_refused():
    with pytest.raises(IncidentRuleError) as error:
        judged(amount=D("10.00"), cap=D("100.00"))
    assert error.value.field == "override_reason"
