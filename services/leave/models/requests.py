"""Leave requests, their approval steps and their signed trail of transitions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.leave.models.base import Days, db
from shared.audit import utcnow

#: Unit paths compare byte by byte on PostgreSQL whatever the database's collation, so that a
#: subtree is one index range (`path >= 'X/' AND path < 'X0'`); SQLite compares bytes anyway.
Path = String(400).with_variant(String(400, collation="C"), "postgresql")

STATUSES = ("pending", "approved", "rejected", "withdrawn", "cancelled")
STEP_STATUSES = ("waiting", "pending", "approved", "rejected", "skipped")


class LeaveRequest(db.Model):  # type: ignore[name-defined]
    """One request (请假申请). Units are the requester's as staff answered at filing: scope
    and routing follow where the person worked when they asked, not later transfers."""

    __tablename__ = "leave_requests"
    __table_args__ = (
        CheckConstraint("start_date <= end_date", name="span"),
        CheckConstraint("days >= 0", name="days_nonneg"),
        Index("ix_leave_requests_employee", "employee_no", "start_date"),
        Index("ix_leave_requests_unit_path", "unit_path"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(40))
    type_code: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    start_half: Mapped[str | None] = mapped_column(String(2))
    end_half: Mapped[str | None] = mapped_column(String(2))
    days: Mapped[Decimal] = mapped_column(Days)
    #: Per calendar year: {"2026": "3.5", "2027": "1"} (balances are kept per year).
    days_by_year: Mapped[Any] = mapped_column(JSON)
    calendar: Mapped[str] = mapped_column(String(12))  # official | provisional
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reason: Mapped[str] = mapped_column(String(1000))
    stand_in: Mapped[str | None] = mapped_column(String(40), index=True)
    attachment_ref: Mapped[str | None] = mapped_column(String(300))
    unit_code: Mapped[str] = mapped_column(String(40))
    unit_path: Mapped[str] = mapped_column(Path)
    governing_code: Mapped[str] = mapped_column(String(40))
    governing_path: Mapped[str] = mapped_column(Path)
    grade: Mapped[str] = mapped_column(String(20))
    #: Anti-splitting: the total routed on and the requests it joined (their ids).
    routed_days: Mapped[Decimal] = mapped_column(Days)
    related_ids: Mapped[Any] = mapped_column(JSON, default=list)
    policy_version: Mapped[int] = mapped_column(Integer)
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_by_emp: Mapped[str | None] = mapped_column(String(40))
    #: Days returned by partial cancellations (the span shrinks; this keeps what it was).
    cancelled_days: Mapped[Decimal] = mapped_column(Days, default=Decimal(0))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Optimistic concurrency: every transition bumps it; a stale writer gets 409.
    version: Mapped[int] = mapped_column(Integer, default=1)

    steps: Mapped[list[ApprovalStep]] = relationship(
        back_populates="request", order_by="ApprovalStep.level", lazy="selectin")

    # Every UPDATE says `WHERE version = <read>` and bumps it: a writer that read an older
    # version updates nothing and gets StaleDataError (→ 409), never a lost update.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ApprovalStep(db.Model):  # type: ignore[name-defined]
    """One approval step (审批环节): one role over one unit; one accountable decider."""

    __tablename__ = "approval_steps"
    __table_args__ = (
        UniqueConstraint("request_id", "level", name="uq_approval_steps_level"),
        # The inbox: pending steps by role, then the unit's path (a subtree is a path range).
        Index("ix_approval_steps_inbox", "status", "role", "org_path"),
        # hr's inbox also shows the steps nobody holds in its governing branches: their own
        # small index, a path range too (migrations 0003, 0004)
        Index("ix_approval_steps_unassigned", "status", "governing_path",
              postgresql_where=text("unassigned IS TRUE"), sqlite_where=text("unassigned IS 1")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("leave_requests.id"))
    level: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(40))
    org: Mapped[str] = mapped_column(String(40))
    org_path: Mapped[str] = mapped_column(Path)
    #: The request's governing branch (管辖行), carried on the step so that hr's inbox finds
    #: the steps nobody holds in its branches by one index range (migration 0004).
    governing_path: Mapped[str] = mapped_column(Path)
    final: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(12))
    #: Nobody held the role there when the step was routed: shown to the governing hr.
    unassigned: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_by_emp: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(String(1000))

    request: Mapped[LeaveRequest] = relationship(back_populates="steps")


class Transition(db.Model):  # type: ignore[name-defined]
    """One signed row of a request's trail (谁签字谁负责): who did what, when, why, and the
    hash of the row before, so that an edited or removed row is detected (shared.trail)."""

    __tablename__ = "leave_transitions"
    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_leave_transitions_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("leave_requests.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    content: Mapped[Any] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
