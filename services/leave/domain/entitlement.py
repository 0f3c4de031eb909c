"""Annual leave entitlement 年休假天数, per 职工带薪年休假条例 (国务院令第514号) and
企业职工带薪年休假实施办法 (人社部令第1号).

The law:
- 条例 §3: cumulative working time 累计工作时间 已满1年不满10年 → 5 days; 已满10年不满20年
  → 10; 已满20年 → 15; under 1 year nothing (§2: 连续工作1年以上).
- 实施办法 §5: in the year an employee joins a new employer, the entitlement is
  (当年度在本单位剩余日历天数 ÷ 365天) × the full-year entitlement, 不足1整天的部分不享受:
  whole days, rounded down. Note the divisor is 365 in the text, also in a leap year.
- 条例 §4: no annual leave for the year (不享受当年的年休假) when (二) personal leave 事假
  累计20天以上 *and the employer did not deduct pay* (单位按照规定不扣工资), or sick leave
  病假累计 (三) 2个月以上 with 1–10 years of working time, (四) 3个月以上 with 10–20, (五) 4个月以上
  with 20+. "以上" includes the number (民法典 §1259), so the thresholds are "≥".

Our choices (the law leaves them open; each is documented where it is applied):

1. *Reference date for the tier — segmented by day.* The tier of each calendar day of the
   year is the tier reached on that day (10 years are 已满 on the 10th anniversary of
   `work_start_date`), and the year's entitlement is Σ(tier of each day this employer
   employs the person) ÷ 365, rounded down, capped at the year's highest tier. This is §5's
   own pro-rating rule applied to every reason a year is partial, so one formula covers:
   a full year at one tier (exactly that tier); the hire year (exactly §5's formula); a
   threshold crossed mid-year (each part at its tier, e.g. 10 years on 1 July: 181 days at 5
   and 184 at 10 → 7 days, neither "5 until next year" nor "10 for the whole year"); and a
   first job whose 12 months complete mid-year (counted from that day, the usual reading of
   §3 "连续工作满12个月以上").
2. *Hire day included.* 剩余日历天数 counts the hire date itself: joining on 1 January gives
   the full year.
3. *Sick-leave months in working days.* Our sick leave is counted in working days, the law
   speaks of months: one month = 20.67 working days, the national average month
   ((365 − 104 rest days − 13 statutory holidays) ÷ 12, since the 2025 holiday amendment);
   a parameter, so HR can use 21.75 (月计薪天数) or a local rule instead. The sick-leave tier
   is the one reached by 31 December (the most favourable to the employee, as the dates of the
   sick leave are not an input).
4. *Personal leave counts only without pay deduction*, as §4(二) says. Our `personal` leave
   type is unpaid (`paid: false` in leave_types.yaml), so for it the exclusion does not
   apply; the caller says whether pay was deducted and the rule follows the law either way.
Not expressible with the service's data and left out: §4(一) winter/summer vacations 寒暑假
(teachers), 实施办法 §8 (an exclusion arising after the year's leave was taken removes next
year's), gaps in working time (the service knows only `work_start_date`; HR moves it to
account for them, and for 视同工作期间 such as military service).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Literal

from services.leave.domain.errors import EntitlementError

#: 条例 §3: (years of cumulative working time completed, days), highest first.
STATUTORY_TIERS: tuple[tuple[int, int], ...] = ((20, 15), (10, 10), (1, 5))
#: 实施办法 §5: "(当年度在本单位剩余日历天数÷365天)×职工本人全年应当享受的年休假天数".
PRORATION_DIVISOR = 365
#: National average working days per month, (365 − 104 − 13) / 12 ≈ 20.67.
WORKING_DAYS_PER_MONTH = Decimal("20.67")
#: 条例 §4(二): 事假累计20天以上 (and pay not deducted) → no annual leave that year.
PERSONAL_LEAVE_LIMIT_DAYS = Decimal(20)
#: 条例 §4(三)–(五): months of sick leave that remove the year's leave, by the year's tier.
SICK_LEAVE_LIMIT_MONTHS: dict[int, int] = {5: 2, 10: 3, 15: 4}

Exclusion = Literal["personal_leave", "sick_leave"]


@dataclass(frozen=True)
class Entitlement:
    """A year's annual leave: `days` granted; `full_year_days` the statutory days of the
    tier reached by 31 December; `prorated` when part of the year counted for less (not yet
    employed, or a lower tier); `excluded_by` the §4 rule that removed it, if any."""

    year: int
    days: int
    full_year_days: int
    prorated: bool
    excluded_by: Exclusion | None = None


def anniversary(start: date, years: int) -> date:
    """The day `years` whole years after `start` are completed (已满).

    Someone who started on 29 February completes a year on 1 March of a common year (28
    February is still inside the year).
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return date(start.year + years, 3, 1)


def years_completed(work_start: date, on: date) -> int:
    """Whole years of working time completed on `on` (the anniversary day counts)."""
    years = on.year - work_start.year
    if years > 0 and anniversary(work_start, years) > on:
        years -= 1
    return max(years, 0)


def statutory_days(years: int) -> int:
    """条例 §3: the full-year entitlement for `years` of cumulative working time."""
    return next((days for minimum, days in STATUTORY_TIERS if years >= minimum), 0)


def exclusion(*, years: int, personal_leave_days: Decimal, personal_leave_pay_deducted: bool,
              sick_leave_days: Decimal,
              working_days_per_month: Decimal = WORKING_DAYS_PER_MONTH) -> Exclusion | None:
    """Which 条例 §4 rule, if any, removes the year's annual leave.

    `years` is the working time reached by 31 December; the leave days are the year's totals
    (personal and sick leave as the service counts them, in working days).
    """
    if not personal_leave_pay_deducted and personal_leave_days >= PERSONAL_LEAVE_LIMIT_DAYS:
        return "personal_leave"
    months = SICK_LEAVE_LIMIT_MONTHS.get(statutory_days(years))
    if months is not None and sick_leave_days >= months * working_days_per_month:
        return "sick_leave"
    return None


def annual_entitlement(*, year: int, hire_date: date, work_start_date: date | None = None,
                       personal_leave_days: Decimal = Decimal(0),
                       personal_leave_pay_deducted: bool,
                       sick_leave_days: Decimal = Decimal(0),
                       working_days_per_month: Decimal = WORKING_DAYS_PER_MONTH) -> Entitlement:
    """The annual leave of `year` for someone hired on `hire_date` who started working (参加
    工作) on `work_start_date` (default: the hire date).

    `personal_leave_pay_deducted` has no default on purpose: §4(二) applies only to personal
    leave *without* pay deduction, and whether that is the case is the bank's payroll rule
    (for the `personal` type: `not leave_type.paid`), not something to assume.
    """
    work_start = work_start_date or hire_date
    if work_start > hire_date:
        raise EntitlementError(
            f"Working time cannot start ({work_start}) after the hire date ({hire_date}).")
    first_of_year, last_of_year = date(year, 1, 1), date(year, 12, 31)
    full = statutory_days(years_completed(work_start, last_of_year))
    if hire_date > last_of_year:
        return Entitlement(year=year, days=0, full_year_days=full, prorated=True)
    excluded = exclusion(years=years_completed(work_start, last_of_year),
                         personal_leave_days=Decimal(personal_leave_days),
                         personal_leave_pay_deducted=personal_leave_pay_deducted,
                         sick_leave_days=Decimal(sick_leave_days),
                         working_days_per_month=Decimal(working_days_per_month))
    counted_from = max(hire_date, first_of_year)
    weight, prorated = _day_weighted_tiers(work_start, counted_from, last_of_year, full)
    prorated = prorated or counted_from > first_of_year
    days = min(int(Fraction(weight, PRORATION_DIVISOR)), full)  # 不足1整天的部分不享受
    if excluded is not None:
        days = 0
    return Entitlement(year=year, days=days, full_year_days=full, prorated=prorated,
                       excluded_by=excluded)


def _day_weighted_tiers(work_start: date, first: date, last: date, full: int
                        ) -> tuple[int, bool]:
    """Σ over the days first..last of the statutory days of the tier reached that day, and
    whether any of those days was at a tier below `full`. Walks tier segments, not days."""
    changes = sorted({anniversary(work_start, minimum) for minimum, _ in STATUTORY_TIERS}
                     | {first})
    bounds = [d for d in changes if first <= d <= last] + [last + timedelta(days=1)]
    weight, lower = 0, False
    for begin, end in pairwise(bounds):
        tier = statutory_days(years_completed(work_start, begin))
        weight += (end - begin).days * tier
        lower = lower or tier < full
    return weight, lower
