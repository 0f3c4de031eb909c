"""The anti-splitting rule: which of the requester's requests form one absence with a new one
(touching, or separated only by non-working days, transitively)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.leave.domain.calendar import WorkingCalendar
from services.leave.domain.errors import HalfDayConflict, InvalidSpan
from services.leave.domain.spans import Span, related_days, related_requests

CAL = WorkingCalendar()


def test_a_request_across_a_weekend_from_an_earlier_one_is_related():
    earlier = Span(date(2025, 3, 5), date(2025, 3, 7), ref="wed-fri")  # Wed–Fri
    new = Span(date(2025, 3, 10), date(2025, 3, 12))  # Mon–Wed
    assert related_requests(new, [earlier], CAL) == [earlier]


def test_a_later_request_across_a_weekend_is_related_too():
    later = Span(date(2025, 3, 10), date(2025, 3, 12))
    new = Span(date(2025, 3, 5), date(2025, 3, 7))
    assert related_requests(new, [later], CAL) == [later]


def test_a_request_separated_by_one_working_day_is_not_related():
    earlier = Span(date(2025, 3, 3), date(2025, 3, 5))  # Mon–Wed; Thu 6 is worked
    new = Span(date(2025, 3, 7), date(2025, 3, 11))
    assert related_requests(new, [earlier], CAL) == []


def test_requests_on_either_side_of_the_2025_national_day_holiday_are_related():
    before = Span(date(2025, 9, 29), date(2025, 9, 30))
    new = Span(date(2025, 10, 9), date(2025, 10, 10))
    assert related_requests(new, [before], CAL) == [before]


def test_a_chain_of_adjacent_requests_counts_as_one_absence():
    first = Span(date(2025, 3, 3), date(2025, 3, 5))  # Mon–Wed, joins only via `second`
    second = Span(date(2025, 3, 6), date(2025, 3, 7))  # Thu–Fri
    far = Span(date(2025, 3, 17), date(2025, 3, 18))  # a week apart: not part of it
    new = Span(date(2025, 3, 10), date(2025, 3, 11))
    assert related_requests(new, [far, second, first], CAL) == [first, second]


def test_a_chain_continues_after_the_new_request():
    new = Span(date(2025, 3, 3), date(2025, 3, 4))
    third = Span(date(2025, 3, 7), date(2025, 3, 7))
    second = Span(date(2025, 3, 5), date(2025, 3, 6))
    assert related_requests(new, [third, second], CAL) == [second, third]


def test_a_request_ending_friday_at_noon_is_apart_from_one_starting_monday():
    earlier = Span(date(2025, 3, 3), date(2025, 3, 7), end_half="am")  # Fri pm is worked
    new = Span(date(2025, 3, 10), date(2025, 3, 11))
    assert related_requests(new, [earlier], CAL) == []


def test_a_request_starting_monday_afternoon_is_apart_from_one_ending_friday():
    earlier = Span(date(2025, 3, 3), date(2025, 3, 7))
    new = Span(date(2025, 3, 10), date(2025, 3, 11), start_half="pm")  # Mon am is worked
    assert related_requests(new, [earlier], CAL) == []


def test_a_morning_and_the_same_day_s_afternoon_touch():
    morning = Span(date(2025, 3, 4), date(2025, 3, 4), end_half="am")
    afternoon = Span(date(2025, 3, 4), date(2025, 3, 5), start_half="pm")
    assert related_requests(afternoon, [morning], CAL) == [morning]


def test_a_half_day_gap_on_a_holiday_does_not_separate():
    # Ends at noon on Fri 3 Oct 2025 (a holiday): the afternoon off is not worked either.
    earlier = Span(date(2025, 9, 29), date(2025, 10, 3), end_half="am")
    new = Span(date(2025, 10, 9), date(2025, 10, 10))
    assert related_requests(new, [earlier], CAL) == [earlier]


def test_an_hr_working_day_override_separates_requests():
    calendar = WorkingCalendar({date(2025, 3, 8): True})  # Saturday made a working day
    earlier = Span(date(2025, 3, 5), date(2025, 3, 7))
    new = Span(date(2025, 3, 10), date(2025, 3, 12))
    assert related_requests(new, [earlier], calendar) == []


def test_related_days_add_up_the_stored_days_of_the_related_requests():
    earlier = Span(date(2025, 3, 5), date(2025, 3, 7), days=Decimal(3))
    half = Span(date(2025, 3, 4), date(2025, 3, 4), start_half="pm", days=Decimal("0.5"))
    new = Span(date(2025, 3, 10), date(2025, 3, 12))
    assert related_days(new, [earlier, half], CAL) == Decimal("3.5")


def test_related_days_count_working_days_when_none_are_stored():
    earlier = Span(date(2025, 3, 5), date(2025, 3, 7), start_half="pm")
    new = Span(date(2025, 3, 10), date(2025, 3, 12))
    assert related_days(new, [earlier], CAL) == Decimal("2.5")


def test_a_span_that_cannot_exist_is_refused_when_built():
    with pytest.raises(InvalidSpan):
        Span(date(2025, 3, 7), date(2025, 3, 5))
    with pytest.raises(HalfDayConflict):
        Span(date(2025, 3, 7), date(2025, 3, 7), start_half="pm", end_half="am")
