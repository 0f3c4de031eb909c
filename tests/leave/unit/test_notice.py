"""The window a request's first day must fall in: notice ahead, or how far back a type may
be filed after the fact — and a type cannot ask for both."""

from __future__ import annotations

from datetime import date

import pytest

from services.leave.domain.notice import (
    InconsistentWindow,
    StartOutOfWindow,
    check_start,
    check_window,
)

TODAY = date(2025, 8, 1)


def start(day: date, notice: int = 0, back: int = 0) -> None:
    check_start(type_code="sick", start=day, today=TODAY, min_notice_days=notice,
                max_days_back=back)


def test_a_type_filed_afterwards_reaches_back_exactly_its_days():
    start(date(2025, 7, 2), back=30)
    start(TODAY, back=30)
    with pytest.raises(StartOutOfWindow, match=r"at most 30 days.*2025-07-01 is 31 days"):
        start(date(2025, 7, 1), back=30)


def test_a_type_not_filed_afterwards_starts_today_at_the_earliest():
    start(TODAY)
    with pytest.raises(StartOutOfWindow, match="cannot start before today"):
        start(date(2025, 7, 31))


def test_notice_counts_calendar_days_ahead():
    start(date(2025, 8, 4), notice=3)
    with pytest.raises(StartOutOfWindow, match="needs 3 days' notice"):
        start(date(2025, 8, 3), notice=3)


def test_a_type_needs_notice_or_is_filed_afterwards_not_both():
    check_window(3, 0)
    check_window(0, 30)
    with pytest.raises(InconsistentWindow):
        check_window(1, 1)
