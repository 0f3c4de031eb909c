"""Day counting on the China working calendar: official 2025/2026 schedules (the State
Council General Office's holiday notices 国务院办公厅关于2025年/2026年部分节假日安排的通知, as
encoded by chinese_calendar; the dates below were checked against it), weekends, half days,
calendar-day types, HR overrides, and a year whose schedule is not yet published."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar
import pytest

from services.leave.domain.calendar import WorkingCalendar, parse_overrides
from services.leave.domain.errors import HalfDayConflict, InvalidSpan, PolicyError

CAL = WorkingCalendar()


def days(start: date, end: date, **kwargs) -> Decimal:
    return CAL.count_days(start, end, **kwargs)


# --- the official schedules -------------------------------------------------------------

def test_the_2025_national_day_and_mid_autumn_holiday_has_no_working_days():
    # 10月1日(周三)至8日(周三)放假调休,共8天
    assert days(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert days(date(2025, 10, 1), date(2025, 10, 8), unit="calendar_days") == 8


def test_the_2025_make_up_sunday_and_saturday_around_national_day_are_working_days():
    # 9月28日(周日)、10月11日(周六)上班
    assert CAL.is_working_day(date(2025, 9, 28))
    assert CAL.is_working_day(date(2025, 10, 11))
    assert days(date(2025, 9, 28), date(2025, 9, 28)) == 1


def test_a_leave_around_national_day_2025_counts_only_the_days_worked_around_it():
    # Mon 29 Sep, Tue 30 Sep, Thu 9 Oct, Fri 10 Oct.
    assert days(date(2025, 9, 29), date(2025, 10, 10)) == 4
    # Widened to the weekend on each side: the make-up Sun 28 Sep and Sat 11 Oct now count.
    assert days(date(2025, 9, 27), date(2025, 10, 12)) == 6


def test_the_2026_spring_festival_leaves_eleven_working_days_in_three_weeks():
    # 2月15日至23日放假调休,共9天;2月14日(周六)、2月28日(周六)上班
    # Feb 9–13 (5) + Sat 14 (1) + Feb 24–27 (4) + Sat 28 (1).
    assert days(date(2026, 2, 9), date(2026, 2, 28)) == 11


def test_the_2026_mid_autumn_and_national_day_holidays_are_apart_with_make_up_days():
    # Sep 21–24 (4), Mid-Autumn Sep 25–27 off, Sep 28–30 (3), Oct 1–7 off, Oct 8–9 (2),
    # Sat Oct 10 make-up (1); Sun Sep 20 make-up is outside the span.
    assert days(date(2026, 9, 21), date(2026, 10, 11)) == 10
    assert CAL.is_working_day(date(2026, 9, 20))


def test_the_2025_new_year_holiday_is_one_day_only():
    assert not CAL.is_working_day(date(2025, 1, 1))
    assert days(date(2024, 12, 30), date(2025, 1, 3)) == 4


# --- weekends and calendar-day types ----------------------------------------------------

def test_an_ordinary_week_has_five_working_days_and_seven_calendar_days():
    assert days(date(2025, 3, 3), date(2025, 3, 9)) == 5
    assert days(date(2025, 3, 3), date(2025, 3, 9), unit="calendar_days") == 7


def test_a_weekend_alone_is_zero_working_days():
    assert days(date(2025, 3, 8), date(2025, 3, 9)) == 0


def test_calendar_day_types_count_holidays_and_weekends_too():
    # Maternity leave 158 days from 1 Sep 2025 runs through National Day.
    end = date(2025, 9, 1) + timedelta(days=157)
    assert days(date(2025, 9, 1), end, unit="calendar_days") == 158


def test_an_unknown_counting_unit_is_refused():
    with pytest.raises(InvalidSpan):
        days(date(2025, 3, 3), date(2025, 3, 4), unit="hours")


# --- half days --------------------------------------------------------------------------

def test_starting_at_noon_and_ending_at_noon_take_half_a_day_off_each_end():
    assert days(date(2025, 3, 3), date(2025, 3, 7), start_half="pm", end_half="am") == 4


def test_a_morning_or_an_afternoon_alone_is_half_a_day():
    assert days(date(2025, 3, 4), date(2025, 3, 4), end_half="am") == Decimal("0.5")
    assert days(date(2025, 3, 4), date(2025, 3, 4), start_half="pm") == Decimal("0.5")


def test_am_start_and_pm_end_mean_the_whole_day():
    assert days(date(2025, 3, 4), date(2025, 3, 5), start_half="am", end_half="pm") == 2


def test_a_half_day_marker_on_a_non_working_day_counts_nothing_for_working_days():
    # Sat 8 Mar pm to Fri 14 Mar: the Saturday counts 0, not -0.5 or 0.5.
    assert days(date(2025, 3, 8), date(2025, 3, 14), start_half="pm") == 5
    # Starting at noon on the last holiday of National Day 2025 (Wed 8 Oct) changes nothing.
    assert days(date(2025, 10, 8), date(2025, 10, 9), start_half="pm") == 1


def test_a_half_day_marker_counts_half_for_calendar_days_even_on_a_weekend():
    assert days(date(2025, 3, 8), date(2025, 3, 9), start_half="pm",
                unit="calendar_days") == Decimal("1.5")


def test_a_one_day_request_cannot_start_and_end_at_noon():
    with pytest.raises(HalfDayConflict) as caught:
        days(date(2025, 3, 4), date(2025, 3, 4), start_half="pm", end_half="am")
    assert isinstance(caught.value, ValueError)


def test_a_two_day_request_may_start_and_end_at_noon():
    assert days(date(2025, 3, 4), date(2025, 3, 5), start_half="pm", end_half="am") == 1


def test_a_leave_ending_before_it_starts_is_refused():
    with pytest.raises(InvalidSpan):
        days(date(2025, 3, 5), date(2025, 3, 4))


def test_an_unknown_half_day_marker_is_refused():
    with pytest.raises(InvalidSpan):
        days(date(2025, 3, 4), date(2025, 3, 5), start_half="noon")


# --- HR overrides -----------------------------------------------------------------------

def test_hr_overrides_win_over_the_official_schedule():
    calendar = WorkingCalendar({date(2025, 10, 8): True, date(2025, 3, 4): False})
    assert calendar.count_days(date(2025, 10, 1), date(2025, 10, 8)) == 1
    assert calendar.count_days(date(2025, 3, 3), date(2025, 3, 7)) == 4
    assert calendar.calendar_kind(date(2025, 1, 1), date(2025, 12, 31)) == "official"


def test_the_overrides_a_calendar_holds_cannot_be_changed_from_outside():
    source = {date(2025, 3, 4): False}
    calendar = WorkingCalendar(source)
    source[date(2025, 3, 5)] = False
    calendar.overrides[date(2025, 3, 6)] = False  # a copy
    assert calendar.count_days(date(2025, 3, 3), date(2025, 3, 7)) == 4


def test_overrides_parse_from_reference_data_entries():
    parsed = parse_overrides([{"date": date(2030, 10, 1), "working": False},
                              {"date": "2030-09-29", "working": True, "note": "调休"}])
    assert parsed == {date(2030, 10, 1): False, date(2030, 9, 29): True}


@pytest.mark.parametrize("entries", [
    [{"date": "2030-13-01", "working": False}],
    [{"date": "2030-10-01", "working": "no"}],
    [{"date": "2030-10-01", "working": False}, {"date": "2030-10-01", "working": True}],
])
def test_malformed_or_duplicate_overrides_are_refused(entries):
    with pytest.raises(PolicyError):
        parse_overrides(entries)


# --- a year whose schedule is not yet published -----------------------------------------

def test_chinese_calendar_still_has_no_schedule_for_2030():
    # The provisional tests below rely on it; if this fails, pick a later year.
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2030, 10, 1))


def test_an_unpublished_year_is_provisional_and_counts_weekdays():
    assert not CAL.is_official(2030)
    assert CAL.is_official(2025)
    assert CAL.calendar_kind(date(2030, 9, 30), date(2030, 10, 11)) == "provisional"
    # Mon 30 Sep – Fri 11 Oct 2030: ten weekdays, National Day unknown to the library.
    assert days(date(2030, 9, 30), date(2030, 10, 11)) == 10


def test_hr_overrides_give_an_unpublished_year_its_holidays_and_make_up_days():
    overrides = {date(2030, 10, 1) + timedelta(days=n): False for n in range(7)}
    overrides[date(2030, 10, 12)] = True  # an expected make-up Saturday
    calendar = WorkingCalendar(overrides)
    # Mon 30 Sep (1), Oct 1–7 off, Tue 8 – Fri 11 Oct (4), Sat 12 Oct (1).
    assert calendar.count_days(date(2030, 9, 30), date(2030, 10, 12)) == 6
    assert calendar.calendar_kind(date(2030, 9, 30), date(2030, 10, 12)) == "provisional"


def test_a_span_reaching_into_an_unpublished_year_is_provisional():
    assert CAL.calendar_kind(date(2026, 12, 28), date(2027, 1, 5)) == "provisional"
    assert CAL.calendar_kind(date(2025, 12, 29), date(2026, 1, 5)) == "official"


def test_a_year_before_the_library_s_data_is_provisional_too():
    assert CAL.calendar_kind(date(2003, 5, 1), date(2003, 5, 7)) == "provisional"
    assert days(date(2003, 5, 1), date(2003, 5, 7)) == 5


def test_a_span_near_the_limits_of_dates_is_refused_and_one_inside_counts():
    # Year 9999 overflowed the counting loop (a 500); year 1 the anti-splitting window.
    for start, end in ((date(9999, 12, 31), date(9999, 12, 31)),
                       (date(3000, 1, 1), date(3000, 1, 2)),
                       (date(1, 1, 1), date(1, 1, 2)),
                       (date(1899, 12, 31), date(1900, 1, 2))):
        with pytest.raises(InvalidSpan):
            days(start, end, unit="calendar_days")
    assert days(date(2999, 12, 30), date(2999, 12, 31), unit="calendar_days") == 2
    assert days(date(1900, 1, 1), date(1900, 1, 2), unit="calendar_days") == 2
