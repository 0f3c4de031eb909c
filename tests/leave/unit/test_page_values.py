"""The inbox's value writers (`service.pages.days`, `utc_text`) answer as the schema dumps,
whatever type the store hands back and whether the answer was remembered or not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.leave.service import pages


def test_a_day_count_is_written_by_its_number_whatever_its_type_or_order_of_arrival():
    pages._DAYS.clear()
    for value, expected in ((4.5, 4.5), (Decimal("4.50"), 4.5), ("4.5", 4.5),
                            (Decimal("5.0"), 5), (5, 5), (Decimal(5), 5), (0.0, 0),
                            (Decimal("0.00"), 0), (Decimal("12.5"), 12.5)):
        first, again = pages.days(value), pages.days(value)
        assert first == again == expected and type(first) is type(again) is type(expected), \
            value
        assert first == pages._days(value)  # the remembered answer is the computed one


def test_a_string_is_never_remembered_and_the_memory_stays_bounded():
    pages._DAYS.clear()
    assert pages.days("3") == 3 and "3" not in pages._DAYS
    for half_days in range(10_000):
        pages.days(Decimal(half_days) / 2)
    assert len(pages._DAYS) <= 4096
    assert pages.days(Decimal("1.5")) == 1.5


def test_a_timestamp_is_written_in_utc_with_its_offset_from_any_zone():
    utc = dt.datetime(2026, 1, 5, 2, 0, 0, 123456, tzinfo=dt.UTC)
    east = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    naive = utc.replace(tzinfo=None)
    assert {pages.utc_text(v) for v in (utc, east, naive)} == {"2026-01-05T02:00:00.123456+00:00"}
    assert pages.utc_text(utc.replace(microsecond=0)) == "2026-01-05T02:00:00+00:00"
