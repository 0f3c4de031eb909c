"""Losses and the shares of them each person bears (责任追究). Lifelong (终身): a loss is never
deleted and a share never changes — migration 0003 makes the database refuse it too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.performance.models.base import Money, db
from shared.audit import utcnow

#: A policy fraction such as 0.8000 (exact).
Fraction = Numeric(5, 4, asdecimal=True)


class Loss(db.Model):  # type: ignore[name-defined]
    """A loss found by internal audit (`audit_reference`), `recorded` and then `confirmed` by
    an auditor; the shares are fixed when it is recorded, with the policy of that day."""

    __tablename__ = "losses"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    audit_reference: Mapped[str] = mapped_column(String(100), unique=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    ordered_by: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="recorded")
    policy_version: Mapped[int] = mapped_column(Integer)
    direct_part: Mapped[Decimal] = mapped_column(Fraction)
    indirect_part: Mapped[Decimal] = mapped_column(Fraction)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_emp: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmed_by_emp: Mapped[str | None] = mapped_column(String(40))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LossShare(db.Model):  # type: ignore[name-defined]
    """What one person bears of a loss, exact to the fen, with their unit when recorded."""

    __tablename__ = "loss_shares"
    __table_args__ = (
        UniqueConstraint("loss_id", "employee_no", name="uq_loss_shares_person"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
        CheckConstraint("role IN ('direct', 'indirect')", name="role_known"),
        Index("ix_loss_shares_employee_no", "employee_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loss_id: Mapped[int] = mapped_column(ForeignKey("losses.id"))
    employee_no: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Money)
    exact: Mapped[str] = mapped_column(String(80))
    unit_code: Mapped[str] = mapped_column(String(40))
    unit_path: Mapped[str] = mapped_column(String(1000))
