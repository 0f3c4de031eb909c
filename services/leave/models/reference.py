"""Reference data HR edits: leave types, calendar overrides and versions of the policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.leave.models.base import db
from shared.audit import utcnow


class LeaveType(db.Model):  # type: ignore[name-defined]
    """A kind of leave (请假类型); `counts` says whether working or calendar days count."""

    __tablename__ = "leave_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    counts: Mapped[str] = mapped_column(String(20))  # "working_days" | "calendar_days"
    paid: Mapped[bool] = mapped_column(Boolean, default=True)
    has_balance: Mapped[bool] = mapped_column(Boolean, default=False)
    #: An attachment reference (a medical certificate, a marriage certificate) is required.
    needs_attachment: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Calendar days between filing and the first day of leave (0: may start today).
    min_notice_days: Mapped[int] = mapped_column(Integer, default=0)
    #: Calendar days before today a request may start: filed after the fact, as sick and
    #: bereavement leave are (0: not before today). domain/notice.py.
    max_days_back: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CalendarOverride(db.Model):  # type: ignore[name-defined]
    """HR's word on one date (工作日历调整): working or not, winning over the official
    schedule; in a year the library does not know, what makes the provisional calendar right."""

    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PolicyVersion(db.Model):  # type: ignore[name-defined]
    """One version of the routing policy document; the highest is in force. Requests keep
    the version they were routed under, so a new version never re-routes a filed request."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    document: Mapped[Any] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")
