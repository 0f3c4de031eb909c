"""The leave spans the running-stack tests file (tests/dates.py) hold the working days those
tests expect, whatever day the suite runs on: holiday weeks are passed over."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from services.leave.domain.calendar import WorkingCalendar
from services.leave.domain.spans import Span, related_requests
from tests.dates import shanghai_today, short_span, six_working_days

CALENDAR = WorkingCalendar()
#: Every day of three years as "today": official years and (today) a provisional one.
DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(3 * 365)]


def test_six_working_days_is_a_monday_to_monday_of_six_working_days_on_any_day():
    for today in DAYS:
        start, end = six_working_days(today=today)
        assert start.weekday() == 0 and end == start + dt.timedelta(days=7), today
        assert start >= today + dt.timedelta(days=21), today
        assert CALENDAR.count_days(start, end) == 6, today


def test_six_working_days_passes_over_national_day():
    # From 10 September 2026 the first Monday three weeks ahead is 5 October, inside the
    # National Day holiday (1–7 October): that week holds four working days (the make-up
    # Saturday of 10 October included), so the next one is taken.
    assert CALENDAR.count_days(dt.date(2026, 10, 5), dt.date(2026, 10, 12)) == 4
    assert six_working_days(today=dt.date(2026, 9, 10)) == (dt.date(2026, 10, 12),
                                                            dt.date(2026, 10, 19))


def test_short_spans_hold_a_working_day_and_stay_apart_on_any_day():
    for today in DAYS:
        spans = [short_span(weeks, today=today) for weeks in (5, 7, 9, 11, 13)]
        for start, end in spans:
            assert 1 <= CALENDAR.count_days(start, end) <= 2, (today, start)
        for (a_start, a_end), (b_start, b_end) in pairwise(spans):
            # Not one absence for anti-splitting: each is routed on its own days.
            assert related_requests(Span(b_start, b_end), [Span(a_start, a_end)],
                                    CALENDAR) == [], (today, a_start, b_start)


def test_short_span_starts_after_a_holiday_week():
    # Monday 4 May 2026 and Monday 5 October 2026 are holidays (as is 16 February, inside
    # the Spring Festival break): a Monday–Tuesday span there holds no working day at all.
    for day, first_working in ((dt.date(2026, 2, 16), dt.date(2026, 2, 24)),
                               (dt.date(2026, 5, 4), dt.date(2026, 5, 6)),
                               (dt.date(2026, 10, 5), dt.date(2026, 10, 8))):
        assert CALENDAR.count_days(day, day + dt.timedelta(days=1)) == 0
        assert short_span(0, today=day) == (first_working,
                                            first_working + dt.timedelta(days=1))


def test_shanghai_today_is_utc_plus_eight_hours():
    now = dt.datetime.now(dt.UTC)
    assert shanghai_today() in {(now + dt.timedelta(hours=8)).date(),
                                (now + dt.timedelta(hours=8, minutes=1)).date()}
