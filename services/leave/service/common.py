"""Helpers every leave use case needs: the per-employee write lock, today, rule errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.leave.domain.errors import LeaveRuleError
from services.leave.models import EmployeeLock
from shared.errors import ValidationFailed


def today(timezone: str) -> dt.date:
    """Today in the organisation's time zone (HR_TIMEZONE): dates are read there."""
    return dt.datetime.now(ZoneInfo(timezone)).date()


def lock_employee(session: Session, employee_no: str) -> None:
    """Take the employee's write lock before reading anything the write depends on.

    One statement: the row is created if missing, else updated (`ON CONFLICT DO UPDATE`, so
    two first requests cannot collide). On PostgreSQL either way leaves the row locked, which
    queues the next writer for the same employee until this transaction ends (a conflicting
    insert waits for the row's holder, then updates it); on SQLite the write takes the
    database's write lock. Either way the overlap and balance checks that follow see every
    committed request.
    """
    dialect = session.get_bind().dialect.name
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(EmployeeLock)
    session.execute(insert.values(employee_no=employee_no, writes=1).on_conflict_do_update(
        index_elements=["employee_no"], set_={"writes": EmployeeLock.writes + 1}))


@contextmanager
def rule_errors(field: str = "_schema") -> Iterator[None]:
    """A broken leave rule (the pure domain's `LeaveRuleError`) → 422 on `field`."""
    try:
        yield
    except LeaveRuleError as exc:
        raise ValidationFailed(str(exc), errors={field: [str(exc)]}) from exc


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})
