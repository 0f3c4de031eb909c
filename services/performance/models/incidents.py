"""Incidents (过错记录), their signed trail, period sign-offs and the outbox to staff."""

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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.performance.models.base import Money, db
from shared.audit import utcnow


class Incident(db.Model):  # type: ignore[name-defined]
    """One recorded breach of a rule by one employee, with the numbers it was judged with.

    The subject's unit, grade and governing branch (管辖行) are copied from staff when the
    incident is recorded: scope checks and scorecards never ask staff again, and a later
    transfer does not move an old incident. `rule_id` names the exact rule version; `points`,
    `deduction_amount` and `consequence` are what this incident costs, frozen at recording.
    """

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint("points IS NULL OR points >= 0", name="points_nonneg"),
        CheckConstraint("deduction_amount IS NULL OR deduction_amount > 0",
                        name="deduction_positive"),
        Index("ix_incidents_employee_occurred", "employee_no", "occurred_on"),
        # Byte-wise operator class on PostgreSQL: a roll-up's `unit_path LIKE 'HQ/BR01/%'`
        # walks the index, whatever the database's collation (migration 0004).
        Index("ix_incidents_unit_path_occurred", "unit_path", "occurred_on",
              postgresql_ops={"unit_path": "varchar_pattern_ops"}),
        Index("ix_incidents_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(40))
    employee_name: Mapped[str | None] = mapped_column(String(200))
    unit_code: Mapped[str] = mapped_column(String(40))
    unit_path: Mapped[str] = mapped_column(String(1000))
    grade: Mapped[str | None] = mapped_column(String(20))
    governing_code: Mapped[str] = mapped_column(String(40))
    governing_path: Mapped[str] = mapped_column(String(1000))
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"))
    rule_code: Mapped[str] = mapped_column(String(40))
    rule_version: Mapped[int] = mapped_column(Integer)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(20))
    points: Mapped[int | None] = mapped_column(Integer)
    points_override: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str | None] = mapped_column(Text)
    deduction_amount: Mapped[Decimal | None] = mapped_column(Money)
    discretionary: Mapped[bool] = mapped_column(Boolean, default=False)
    consequence: Mapped[str | None] = mapped_column(String(40))
    recorder_cap: Mapped[Decimal | None] = mapped_column(Money)
    over_cap: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="recorded")
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_emp: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_by_emp: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    appeal_deadline: Mapped[dt.date | None] = mapped_column(Date)
    appealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    policy_version: Mapped[int] = mapped_column(Integer)


class IncidentStep(db.Model):  # type: ignore[name-defined]
    """One transition of an incident (谁签字谁负责), hash-chained with `shared.trail`:
    `hash` covers this row's content and `prev_hash`, so an edited row shows."""

    __tablename__ = "incident_steps"
    __table_args__ = (UniqueConstraint("incident_id", "seq", name="uq_incident_steps_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    actor_emp: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
    facts: Mapped[Any] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class SignOff(db.Model):  # type: ignore[name-defined]
    """A branch head's sign-off (审核) of a unit's period: from then on the period is frozen
    for that unit's subtree (no confirmation of an incident that occurred in it)."""

    __tablename__ = "sign_offs"
    __table_args__ = (
        UniqueConstraint("unit_code", "period", name="uq_sign_offs_unit_period"),
        Index("ix_sign_offs_dates", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(40))
    unit_path: Mapped[str] = mapped_column(String(1000))
    period: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    signed_by: Mapped[str] = mapped_column(String(200))
    signed_by_emp: Mapped[str | None] = mapped_column(String(40))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    """A message for another service (staff), written in the transaction of the change that
    owes it and delivered after commit, retried until delivered (at least once)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    destination: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(200))
    payload: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    last_error: Mapped[str | None] = mapped_column(String(500))
