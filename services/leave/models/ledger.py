"""The balance ledger (假期台账): append-only rows, one per movement of days.

A balance is never a stored number that a bug can overwrite: it is the sum of its ledger.
`allocation` grants the year's entitlement; `hold` reserves a pending request's days and
`release` gives them back (rejected, withdrawn, or turned into consumption); `consumption`
takes approved days; `reversal` returns cancelled ones.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.leave.models.base import Days, db
from shared.audit import utcnow

KINDS = ("allocation", "hold", "release", "consumption", "reversal", "adjustment")


class LedgerEntry(db.Model):  # type: ignore[name-defined]
    __tablename__ = "balance_ledger"
    __table_args__ = (Index("ix_balance_ledger_account", "employee_no", "year", "type_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    type_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    days: Mapped[Decimal] = mapped_column(Days)
    request_id: Mapped[int | None] = mapped_column(Integer, index=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EmployeeLock(db.Model):  # type: ignore[name-defined]
    """One row per employee, updated first by every write about their leave, so that two
    requests (or two decisions) for the same person run one after the other on every store:
    the overlap and balance checks then see each other's rows."""

    __tablename__ = "employee_locks"

    employee_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    writes: Mapped[int] = mapped_column(Integer, default=0)
