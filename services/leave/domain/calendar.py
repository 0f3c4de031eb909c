"""The China working calendar (工作日历) that leave days are counted on.

Why a class and not bare `chinese_calendar` calls:

- HR keeps *overrides* (date → working day or not): a local holiday, a make-up day the
  library does not know yet, a correction. They are data, edited through the API, and they
  always win over the library.
- `chinese_calendar` knows only the years whose official schedule (国务院办公厅 holiday
  notice, with its 调休 make-up working days) has been published, and raises
  `NotImplementedError` for any other year. Leave is filed months ahead, so such a year must
  still count: we fall back to "Monday–Friday work" plus HR's overrides and flag the result
  *provisional* (docs/api.md: `calendar: "provisional"`). Nothing here ever raises for a date.

A request's length is counted in half days: `start_half="pm"` starts the first day at noon,
`end_half="am"` ends the last day at noon. `start_half="am"` and `end_half="pm"` name the
default (the whole first / last day) and are accepted as no-ops.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

import chinese_calendar

from services.leave.domain.errors import HalfDayConflict, InvalidSpan, PolicyError

Half = Literal["am", "pm"]
CountUnit = Literal["working_days", "calendar_days"]
CalendarKind = Literal["official", "provisional"]

WORKING_DAYS: CountUnit = "working_days"
CALENDAR_DAYS: CountUnit = "calendar_days"
OFFICIAL: CalendarKind = "official"
PROVISIONAL: CalendarKind = "provisional"

HALVES = ("am", "pm")
UNITS = (WORKING_DAYS, CALENDAR_DAYS)
ONE = Decimal(1)
HALF = Decimal("0.5")
ZERO = Decimal(0)
_DAY = timedelta(days=1)
#: The days leave can be about. A date near `datetime.date`'s own limits (year 1 or 9999)
#: would overflow the counting loop and the windows anti-splitting looks around a request,
#: and no bank's leave is there: such a span is refused as invalid, not answered with a 500.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


def check_span(start: date, end: date, start_half: Half | None, end_half: Half | None) -> None:
    """Raise unless (start, end, halves) describes some leave time.

    Shared with `spans.Span` so that a span is validated the same way wherever it is built.
    """
    if start > end:
        raise InvalidSpan(f"The leave ends ({end}) before it starts ({start}).")
    if start < EARLIEST or end > LATEST:
        raise InvalidSpan(f"Leave lies between {EARLIEST} and {LATEST}.")
    for name, value in (("start_half", start_half), ("end_half", end_half)):
        if value is not None and value not in HALVES:
            raise InvalidSpan(f"{name} must be 'am', 'pm' or absent, not {value!r}.")
    if start == end and start_half == "pm" and end_half == "am":
        raise HalfDayConflict(
            "A one-day request cannot both start at noon (start_half 'pm') and end at noon "
            "(end_half 'am').")


def days_between(start: date, end: date) -> Iterator[date]:
    """Every date from `start` to `end`, both included."""
    day = start
    while day <= end:
        yield day
        day += _DAY


class WorkingCalendar:
    """Which days are working days (工作日), from the official schedule plus HR's overrides.

    `overrides` maps a date to True (a working day, e.g. a make-up day HR learnt of before the
    library did) or False (not a working day, e.g. a local holiday). They win over the
    library in official and provisional years alike.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._official: dict[int, bool] = {}

    @property
    def overrides(self) -> Mapping[date, bool]:
        """A copy of HR's overrides (read-only: build a new calendar to change them)."""
        return dict(self._overrides)

    def is_official(self, year: int) -> bool:
        """Has the official holiday schedule of `year` been published (known to the library)?

        Asked once per year and cached: the answer cannot change while the process runs.
        """
        known = self._official.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 1, 1))
                known = True
            except NotImplementedError:
                known = False
            self._official[year] = known
        return known

    def is_working_day(self, day: date) -> bool:
        """Is `day` a working day? Overrides first; then the official schedule (调休 make-up
        days count as working days, statutory holidays do not); in an unpublished year,
        Monday to Friday."""
        override = self._overrides.get(day)
        if override is not None:
            return override
        if self.is_official(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def calendar_kind(self, start: date, end: date) -> CalendarKind:
        """`"provisional"` if any year the span touches has no published schedule."""
        if start > end:
            start, end = end, start
        years = range(start.year, end.year + 1)
        return OFFICIAL if all(self.is_official(y) for y in years) else PROVISIONAL

    def count_days(self, start: date, end: date, *, start_half: Half | None = None,
                   end_half: Half | None = None, unit: CountUnit = WORKING_DAYS) -> Decimal:
        """The length of a leave from `start` to `end` (both included), in days.

        `unit="working_days"` counts only working days; `"calendar_days"` counts every day
        (types such as maternity leave count calendar days by law). A half-day marker takes
        half of its day away; on a non-working day, under working_days, that day counts 0
        anyway. Raises `InvalidSpan` / `HalfDayConflict` for a span that cannot exist.
        """
        check_span(start, end, start_half, end_half)
        if unit not in UNITS:
            raise InvalidSpan(f"unit must be one of {', '.join(UNITS)}, not {unit!r}.")
        total = ZERO
        for day in days_between(start, end):
            if unit == WORKING_DAYS and not self.is_working_day(day):
                continue
            weight = ONE
            if day == start and start_half == "pm":
                weight -= HALF
            if day == end and end_half == "am":
                weight -= HALF
            total += weight
        return total

    def only_non_working_between(self, first: date, last: date) -> bool:
        """Are all days from `first` to `last` (both included) non-working days?

        True for an empty range (`first > last`). Stops at the first working day, so that a
        long gap costs a few look-ups, not one per day.
        """
        return not any(self.is_working_day(day) for day in days_between(first, last))


def parse_overrides(entries: Iterable[Mapping[str, Any]] | None) -> dict[date, bool]:
    """HR's overrides from reference data: `[{date: 2030-10-08, working: false, note: ...}]`.

    Dates may be `date` objects (YAML parses ISO dates) or ISO strings. A date listed twice
    is refused: which entry wins would otherwise depend on the order of a file.
    """
    overrides: dict[date, bool] = {}
    for index, entry in enumerate(entries or ()):
        raw, working = entry.get("date"), entry.get("working")
        try:
            day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError as exc:
            raise PolicyError(f"overrides[{index}].date is not a date: {raw!r}") from exc
        if not isinstance(working, bool):
            raise PolicyError(f"overrides[{index}].working must be true or false")
        if day in overrides:
            raise PolicyError(f"overrides[{index}]: {day} is listed twice")
        overrides[day] = working
    return overrides
