"""Customers, their visits and contacts (定期访客制度), compliance runs and the proposals they
made, and the versioned policy documents of visit tiers and loss shares."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.performance.models.base import Money, db
from shared.audit import utcnow


class NamedPolicy(db.Model):  # type: ignore[name-defined]
    """One version of a named policy document (`visit_tiers`, `loss_shares`), never edited in
    place: a new version is a new row and the old one stops being current, so a run or a
    loss always names the version it was judged under."""

    __tablename__ = "named_policies"
    __table_args__ = (
        UniqueConstraint("name", "version", name="uq_named_policies_name_version"),
        Index("ix_named_policies_current", "name", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    document: Mapped[Any] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by: Mapped[str] = mapped_column(String(200))
    change_reason: Mapped[str | None] = mapped_column(String(500))


class Customer(db.Model):  # type: ignore[name-defined]
    """A customer 客户 with deposits 存款 and credit 授信 in yuan, their customer manager
    客户经理 and the unit that keeps them (the manager's 网点 when the customer was taken on;
    the scope every visit and run is checked against)."""

    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("deposits >= 0", name="deposits_nonneg"),
        CheckConstraint("credit >= 0", name="credit_nonneg"),
        Index("ix_customers_unit_path", "unit_path"),
        Index("ix_customers_manager_no", "manager_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    deposits: Mapped[Decimal] = mapped_column(Money)
    credit: Mapped[Decimal] = mapped_column(Money)
    manager_no: Mapped[str] = mapped_column(String(40))
    unit_code: Mapped[str] = mapped_column(String(40))
    unit_path: Mapped[str] = mapped_column(String(1000))
    since: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class Visit(db.Model):  # type: ignore[name-defined]
    """A visit 走访 (with its report 访客报告) or a phone/SMS contact. A visit is `reported`
    until the branch head confirms it (`confirmed`); a contact is `logged` and needs none."""

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("kind IN ('visit', 'phone', 'sms')", name="kind_known"),
        Index("ix_visits_customer_on", "customer_id", "on_date"),
        Index("ix_visits_employee_no", "employee_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    employee_no: Mapped[str] = mapped_column(String(40))
    on_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    report: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_emp: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmed_by_emp: Mapped[str | None] = mapped_column(String(40))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ComplianceRun(db.Model):  # type: ignore[name-defined]
    """One compliance run over a unit's subtree for a month, with the gaps it found."""

    __tablename__ = "compliance_runs"
    __table_args__ = (Index("ix_compliance_runs_org_period", "org_code", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_code: Mapped[str] = mapped_column(String(40))
    org_path: Mapped[str] = mapped_column(String(1000))
    period: Mapped[str] = mapped_column(String(7))
    policy_version: Mapped[int] = mapped_column(Integer)
    customers_checked: Mapped[int] = mapped_column(Integer)
    proposed: Mapped[int] = mapped_column(Integer)
    run_by: Mapped[str] = mapped_column(String(200))
    run_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ComplianceGap(db.Model):  # type: ignore[name-defined]
    """A customer below its tier's quota in a run: required, done, missing."""

    __tablename__ = "compliance_gaps"
    __table_args__ = (Index("ix_compliance_gaps_run", "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("compliance_runs.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    manager_no: Mapped[str] = mapped_column(String(40))
    tier: Mapped[str] = mapped_column(String(40))
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    required: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)


class VisitProposal(db.Model):  # type: ignore[name-defined]
    """The −1 incident proposed for one missed visit: one row per (customer, window, n-th
    missing visit), whichever run found it first, so no run proposes it twice. `incident_id`
    is the recorded (not confirmed) incident; the other columns are what it says."""

    __tablename__ = "visit_proposals"
    __table_args__ = (
        UniqueConstraint("customer_id", "window_start", "window_end", "ordinal",
                         name="uq_visit_proposals_missed_visit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    ordinal: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(ForeignKey("compliance_runs.id"))
    employee_no: Mapped[str] = mapped_column(String(40))
    rule_code: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
