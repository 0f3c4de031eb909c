"""Scorecard periods (考核期): a year `YYYY`, a quarter `YYYY-Qn` or a month `YYYY-MM`.

Dates are the organisation's calendar dates (an incident's `occurred_on`), so a period is an
inclusive range of dates, never of instants.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")


class PeriodError(ValueError):
    """Not a period this service knows."""


@dataclass(frozen=True)
class Period:
    code: str
    starts_on: dt.date
    ends_on: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def months(self) -> list[str]:
        """The months (`YYYY-MM`) the period spans, in order."""
        out, year, month = [], self.starts_on.year, self.starts_on.month
        while (year, month) <= (self.ends_on.year, self.ends_on.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return first_next - dt.timedelta(days=1)


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text or "")
    if not match:
        raise PeriodError("A period is YYYY, YYYY-Qn (n 1–4) or YYYY-MM.")
    year = int(match.group(1))
    if year < 1900 or year > 9998:
        raise PeriodError("The year is out of range.")
    if match.group(2):
        quarter = int(match.group(2))
        first = 3 * quarter - 2
        return Period(text, dt.date(year, first, 1), _month_end(year, first + 2))
    if match.group(3):
        month = int(match.group(3))
        return Period(text, dt.date(year, month, 1), _month_end(year, month))
    return Period(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
