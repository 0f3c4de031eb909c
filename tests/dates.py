"""Dates for tests that file leave against running services, or look at the console's pages.

Leave counts China working days (leave's `WorkingCalendar`: the official schedule with its
holidays and make-up days; Monday–Friday in a year the library has no schedule for yet).
"A Monday three weeks ahead" lands in a holiday week a few times a year: the span then
holds fewer working days than the test thinks (a different route), or none at all (422).
These helpers pick spans on that calendar — or on a `working(day)` the caller passes, such
as a running stack's calendar with HR's overrides (`tests/console/browser.py`).

The console's browser runs in Asia/Shanghai while this machine's clock may be UTC: where the
page's "today" matters (the month it opens on, the period it proposes), use
`shanghai_today()`, not `date.today()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from services.leave.domain.calendar import WorkingCalendar
from services.leave.service.common import today

Working = Callable[[dt.date], bool]

_CALENDAR = WorkingCalendar()  # a stack's own: the default policy has no overrides


def shanghai_today() -> dt.date:
    """Today as the console's browser (timezone Asia/Shanghai) and the services see it."""
    return today("Asia/Shanghai")


def is_working_day(day: dt.date) -> bool:
    """Is `day` a working day on leave's calendar (no HR overrides)?"""
    return _CALENDAR.is_working_day(day)


def monday(weeks: int, *, today: dt.date | None = None) -> dt.date:
    """The Monday of the week `weeks` weeks after this one."""
    today = today or dt.date.today()
    return today + dt.timedelta(days=7 * weeks - today.weekday())


def six_working_days(working: Working = is_working_day, *,
                     today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A Monday at least three weeks ahead whose Monday-to-next-Monday span holds exactly
    six working days, both Mondays among them: more than five, so routed in two steps.
    Weeks a holiday shortens (or a make-up day lengthens) are passed over."""
    today = today or dt.date.today()
    start = today + dt.timedelta(days=21 + (7 - today.weekday()) % 7)
    for _ in range(30):
        end = start + dt.timedelta(days=7)
        span = [start + dt.timedelta(days=i) for i in range(8)]
        if sum(map(working, span)) == 6 and working(start) and working(end):
            return start, end
        start += dt.timedelta(days=7)
    raise AssertionError("no Monday-to-Monday span of six working days in 30 weeks")


def short_span(weeks: int, working: Working = is_working_day, *,
               today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Two days from the first working day on or after the Monday `weeks` weeks ahead: one
    or two working days, so routed in one (final) step, never refused as empty. Spans of
    weeks two apart never join for anti-splitting: working days lie between them
    (tests/test_dates.py checks so over years of calendar)."""
    start = monday(weeks, today=today)
    while not working(start):
        start += dt.timedelta(days=1)
    return start, start + dt.timedelta(days=1)
