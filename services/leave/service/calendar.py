"""The working calendar as the service uses it: the official schedule (chinese-calendar)
plus HR's overrides from the store, and what a span counts on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.leave.domain.calendar import (
    CALENDAR_DAYS,
    PROVISIONAL,
    WORKING_DAYS,
    WorkingCalendar,
    days_between,
)
from services.leave.models import AuditEvent, CalendarOverride
from shared.audit import Actor, record
from shared.errors import NotFound


def working_calendar(session: Session) -> WorkingCalendar:
    """The calendar with every override HR has set (a small table: one row per exception)."""
    rows = session.execute(select(CalendarOverride.day, CalendarOverride.working)).all()
    return WorkingCalendar({day: working for day, working in rows})


def count_by_year(calendar: WorkingCalendar, start: dt.date, end: dt.date,
                  start_half: str | None, end_half: str | None,
                  unit: str) -> dict[int, Decimal]:
    """A span's days per calendar year (balances are kept per year); halves apply only to
    the span's own first and last day."""
    out: dict[int, Decimal] = {}
    for year in range(start.year, end.year + 1):
        first, last = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
        days = calendar.count_days(
            first, last, unit=unit if unit in (WORKING_DAYS, CALENDAR_DAYS) else WORKING_DAYS,
            start_half=start_half if first == start else None,  # type: ignore[arg-type]
            end_half=end_half if last == end else None)  # type: ignore[arg-type]
        out[year] = days
    return out


def year_view(session: Session, year: int) -> dict[str, Any]:
    """The year as a request will count it: which days differ from Monday–Friday and why."""
    calendar = working_calendar(session)
    overrides = {row.day: row for row in session.scalars(
        select(CalendarOverride).where(CalendarOverride.day >= dt.date(year, 1, 1),
                                       CalendarOverride.day <= dt.date(year, 12, 31)))}
    official = calendar.is_official(year)
    exceptions, working_days = [], 0
    for day in days_between(dt.date(year, 1, 1), dt.date(year, 12, 31)):
        working = calendar.is_working_day(day)
        working_days += working
        override = overrides.get(day)
        if override is not None:
            exceptions.append({"date": day, "working": working, "source": "override",
                               "note": override.note})
        elif working != (day.weekday() < 5):
            exceptions.append({"date": day, "working": working, "source": "official",
                               "note": "make-up working day (调休)" if working
                               else "statutory holiday"})
    return {"year": year, "calendar": "official" if official else PROVISIONAL,
            "working_days": working_days, "exceptions": exceptions,
            "overrides": [override_dict(o) for o in overrides.values()]}


def override_dict(row: CalendarOverride) -> dict[str, Any]:
    return {"date": row.day, "working": row.working, "note": row.note,
            "updated_by": row.updated_by, "updated_at": row.updated_at}


def set_override(*, session: Session, day: dt.date, working: bool, note: str,
                 actor: Actor) -> CalendarOverride:
    row = session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
    before = override_dict(row) if row else None
    if row is None:
        row = CalendarOverride(day=day, working=working, note=note, updated_by=actor.sub)
        session.add(row)
    else:
        row.working, row.note, row.updated_by = working, note, actor.sub
    session.flush()
    record(session, AuditEvent, actor=actor, action="calendar.override",
           target_type="calendar", target_id=day.isoformat(),
           before=_plain(before), after=_plain(override_dict(row)))
    return row


def delete_override(*, session: Session, day: dt.date, actor: Actor) -> None:
    row = session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
    if row is None:
        raise NotFound(f"No calendar override on {day}.")
    record(session, AuditEvent, actor=actor, action="calendar.override.delete",
           target_type="calendar", target_id=day.isoformat(),
           before=_plain(override_dict(row)))
    session.delete(row)
    session.flush()


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in value.items()}
