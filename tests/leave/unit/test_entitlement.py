"""Annual leave entitlement per 职工带薪年休假条例 and its 实施办法: tiers by cumulative working
time, first-year pro-rating (÷365, rounded down), thresholds crossed mid-year, §4 exclusions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.leave.domain.entitlement import (
    anniversary,
    annual_entitlement,
    statutory_days,
    years_completed,
)
from services.leave.domain.errors import EntitlementError


def entitled(year: int, hire: date, start: date | None = None, **kwargs) -> int:
    kwargs.setdefault("personal_leave_pay_deducted", True)
    return annual_entitlement(year=year, hire_date=hire, work_start_date=start, **kwargs).days


# --- tiers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("years", "days"), [
    (0, 0), (1, 5), (9, 5), (10, 10), (19, 10), (20, 15), (40, 15)])
def test_the_statutory_tiers_are_5_10_and_15_days(years, days):
    assert statutory_days(years) == days


def test_a_year_of_working_time_is_completed_on_its_anniversary():
    assert years_completed(date(2015, 7, 1), date(2025, 6, 30)) == 9
    assert years_completed(date(2015, 7, 1), date(2025, 7, 1)) == 10
    assert years_completed(date(2025, 7, 1), date(2025, 1, 1)) == 0


def test_a_29_february_start_completes_its_years_on_1_march_in_common_years():
    assert anniversary(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert years_completed(date(2024, 2, 29), date(2025, 2, 28)) == 0
    assert years_completed(date(2024, 2, 29), date(2028, 2, 29)) == 4


@pytest.mark.parametrize(("start", "days"), [
    (date(2024, 1, 1), 5),    # 1 year completed on 1 Jan 2025
    (date(2015, 1, 1), 10),   # exactly 10 years on 1 Jan 2025
    (date(2005, 1, 1), 15),   # exactly 20 years on 1 Jan 2025
    (date(1990, 5, 20), 15),
])
def test_a_whole_year_at_one_tier_gives_exactly_that_tier(start, days):
    assert entitled(2025, start) == days


def test_a_first_year_completed_on_2_january_leaves_the_year_one_day_short():
    # 1 Jan counts at tier 0, then 364 days at 5: 1820 / 365 = 4.99 → 4.
    assert entitled(2025, date(2024, 1, 2)) == 4


def test_less_than_a_year_of_working_time_gives_nothing():
    result = annual_entitlement(year=2025, hire_date=date(2025, 3, 1),
                                personal_leave_pay_deducted=True)
    assert (result.days, result.full_year_days) == (0, 0)


# --- pro-rating: the hire year and tiers crossed mid-year -------------------------------

def test_the_hire_year_is_pro_rated_by_the_remaining_calendar_days():
    # Hired 1 Jul 2025 with 15 years of working time: 184 days (1 Jul–31 Dec) × 10 / 365
    # = 5.04 → 5.
    result = annual_entitlement(year=2025, hire_date=date(2025, 7, 1),
                                work_start_date=date(2010, 3, 1),
                                personal_leave_pay_deducted=True)
    assert (result.days, result.full_year_days, result.prorated) == (5, 10, True)


@pytest.mark.parametrize(("hire", "days"), [
    (date(2025, 10, 15), 1),   # 78 days × 5 / 365 = 1.07 → 1
    (date(2025, 12, 1), 0),    # 31 days × 5 / 365 = 0.42 → 0 (不足1整天的部分不享受)
    (date(2025, 3, 15), 4),    # 292 days × 5 = 1460 = 4 × 365: an exact whole day is kept
    (date(2025, 1, 1), 5),     # the hire day counts: joining on 1 January gives the year
])
def test_hire_year_pro_rating_rounds_down_to_whole_days(hire, days):
    assert entitled(2025, hire, date(2020, 1, 1)) == days


def test_pro_rating_divides_by_365_even_in_a_leap_year():
    # Hired 2 Jan 2024 (leap): 365 days remain; 实施办法 §5 divides by 365 → 15, not 14.
    assert entitled(2024, date(2024, 1, 2), date(2000, 1, 1)) == 15
    assert entitled(2024, date(2024, 1, 1), date(2000, 1, 1)) == 15  # capped, not 15.04


def test_a_tier_crossed_mid_year_counts_each_part_of_the_year_at_its_tier():
    # 10 years on 1 Jul 2025: 181 days at 5 + 184 days at 10 = 2745 / 365 = 7.52 → 7.
    result = annual_entitlement(year=2025, hire_date=date(2015, 7, 1),
                                personal_leave_pay_deducted=True)
    assert (result.days, result.full_year_days, result.prorated) == (7, 10, True)


def test_a_first_job_counts_from_the_day_its_first_year_is_completed():
    # Started 1 Jul 2024: no leave in 2024; in 2025, 184 days at 5 → 2.52 → 2; then 5.
    assert entitled(2024, date(2024, 7, 1)) == 0
    assert entitled(2025, date(2024, 7, 1)) == 2
    assert entitled(2026, date(2024, 7, 1)) == 5


def test_a_year_before_the_hire_gives_nothing():
    assert entitled(2024, date(2025, 3, 1), date(2000, 1, 1)) == 0


def test_working_time_cannot_start_after_the_hire_date():
    with pytest.raises(EntitlementError):
        entitled(2025, date(2025, 3, 1), date(2025, 4, 1))


# --- §4 exclusions ----------------------------------------------------------------------

def test_twenty_days_of_personal_leave_without_pay_deduction_remove_the_year_s_leave():
    result = annual_entitlement(year=2025, hire_date=date(2015, 1, 1),
                                personal_leave_days=Decimal(20),
                                personal_leave_pay_deducted=False)
    assert (result.days, result.excluded_by) == (0, "personal_leave")


def test_nineteen_and_a_half_days_of_personal_leave_keep_it():
    assert entitled(2025, date(2015, 1, 1), personal_leave_days=Decimal("19.5"),
                    personal_leave_pay_deducted=False) == 10


def test_personal_leave_with_pay_deducted_never_removes_it():
    assert entitled(2025, date(2015, 1, 1), personal_leave_days=Decimal(60),
                    personal_leave_pay_deducted=True) == 10


@pytest.mark.parametrize(("start", "kept", "removed", "full"), [
    # Months of sick leave × 20.67 working days: 2 → 41.34, 3 → 62.01, 4 → 82.68.
    (date(2020, 1, 1), Decimal("41"), Decimal("41.5"), 5),
    (date(2012, 1, 1), Decimal("62"), Decimal("62.5"), 10),
    (date(2000, 1, 1), Decimal("82.5"), Decimal("83"), 15),
])
def test_sick_leave_removes_the_year_s_leave_from_2_3_or_4_months_by_working_time(
        start, kept, removed, full):
    assert entitled(2025, start, sick_leave_days=kept) == full
    result = annual_entitlement(year=2025, hire_date=start, sick_leave_days=removed,
                                personal_leave_pay_deducted=True)
    assert (result.days, result.excluded_by) == (0, "sick_leave")


def test_the_sick_leave_threshold_follows_the_tier_reached_by_the_end_of_the_year():
    # 10 years on 1 Jul 2025: the 3-month threshold applies, so 50 days of sick leave keep it.
    assert entitled(2025, date(2015, 7, 1), sick_leave_days=Decimal(50)) == 7


def test_the_month_length_for_sick_leave_is_a_parameter():
    assert entitled(2025, date(2020, 1, 1), sick_leave_days=Decimal(43),
                    working_days_per_month=Decimal("21.75")) == 5
    assert entitled(2025, date(2020, 1, 1), sick_leave_days=Decimal("43.5"),
                    working_days_per_month=Decimal("21.75")) == 0
