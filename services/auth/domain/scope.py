"""Scopes and validity periods of role bindings.

A binding covers its unit's subtree (materialised paths, `shared.scope.covers`) for an
inclusive date range read in the organisation's time zone; null ends are open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from shared.scope import WHOLE_ORGANISATION, covers

__all__ = ["WHOLE_ORGANISATION", "Period", "covers", "end_instant", "scopes_nest", "today_in"]


@dataclass(frozen=True)
class Period:
    """An inclusive date range; None on either side means open-ended."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, other: Period) -> bool:
        lo = max((d for d in (self.start, other.start) if d is not None), default=None)
        hi = min((d for d in (self.end, other.end) if d is not None), default=None)
        return lo is None or hi is None or lo <= hi

    def ended_before(self, day: dt.date) -> bool:
        return self.end is not None and self.end < day

    def starts_after(self, day: dt.date) -> bool:
        return self.start is not None and self.start > day


def today_in(now: dt.datetime, timezone: str) -> dt.date:
    """The organisation's calendar date at instant `now`."""
    return now.astimezone(ZoneInfo(timezone)).date()


def end_instant(valid_to: dt.date, timezone: str) -> dt.datetime:
    """The instant an inclusive `valid_to` ends: midnight after it, in the organisation's zone."""
    nxt = valid_to + dt.timedelta(days=1)
    return dt.datetime.combine(nxt, dt.time(0), tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def scopes_nest(path_a: str, path_b: str) -> bool:
    """Does either scope cover the other (the separation-of-duties conflict test)?"""
    return covers(path_a, path_b) or covers(path_b, path_a)
