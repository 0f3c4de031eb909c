"""Tables the staff service owns.

Org units keep a materialised `path` (indexed with pattern ops on PostgreSQL so that
`path LIKE 'X/%'` uses the index); positions keep their duties as ordered rows and every
edit as a `PositionVersion` snapshot; employees keep their assignment history; moves that
auth must hear about wait in `OutboxEvent` until delivered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.audit import make_audit_model, utcnow
from shared.db import make_db

db = make_db()
AuditEvent = make_audit_model(db)


class OrgUnit(db.Model):  # type: ignore[name-defined]
    """A unit of the branch network (总行/分行/支行/网点/部门) with its materialised path."""

    __tablename__ = "org_units"
    __table_args__ = (
        Index("ix_org_units_path", "path", unique=True,
              postgresql_ops={"path": "varchar_pattern_ops"}),
        Index("ix_org_units_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    path: Mapped[str] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], lazy="joined",
                                                  join_depth=1)

    @property
    def parent_code(self) -> str | None:
        return self.parent.code if self.parent is not None else None


class Position(db.Model):  # type: ignore[name-defined]
    """A post (岗位) of the catalogue; `version` counts its edits."""

    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str] = mapped_column(String(10))
    must_cover: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String(200))
    #: A qualification the holder must keep (e.g. "customer_manager", 客户经理资格): staff
    #: refuses to place an employee whose qualification is withdrawn here (migration 0004).
    requires_qualification: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    duties: Mapped[list[Duty]] = relationship(
        back_populates="position", order_by="Duty.seq", cascade="all, delete-orphan",
        lazy="selectin")


class Duty(db.Model):  # type: ignore[name-defined]
    """One numbered duty (职责) of a position, in the documents' order."""

    __tablename__ = "duties"
    __table_args__ = (UniqueConstraint("position_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(String(200))

    position: Mapped[Position] = relationship(back_populates="duties")


class PositionVersion(db.Model):  # type: ignore[name-defined]
    """Who changed a position, when, what changed, and the whole position afterwards."""

    __tablename__ = "position_versions"
    __table_args__ = (UniqueConstraint("position_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class Employee(db.Model):  # type: ignore[name-defined]
    """A member of staff; `grade` is the position's unless `grade_override` is set."""

    __tablename__ = "employees"
    __table_args__ = (
        Index("ix_employees_unit_id", "unit_id"),
        Index("ix_employees_name", "name"),
        # A listing's page walks employees in number order and keeps those of its units:
        # with the unit beside the number, that walk never reads the table (migration 0002).
        Index("ix_employees_employee_no_unit_id", "employee_no", "unit_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id"))
    grade_override: Mapped[str | None] = mapped_column(String(10))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    hire_date: Mapped[dt.date] = mapped_column(Date)
    work_start_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    position: Mapped[Position] = relationship(lazy="joined")
    manager: Mapped[Employee | None] = relationship(remote_side=[id], lazy="joined",
                                                    join_depth=1)

    @property
    def grade(self) -> str:
        return self.grade_override or self.position.grade

    @property
    def org(self) -> str:
        return self.unit.code

    @property
    def manager_no(self) -> str | None:
        return self.manager.employee_no if self.manager is not None else None


class UnitHeadcount(db.Model):  # type: ignore[name-defined]
    """How many employees a unit holds in each status, beside the unit's path.

    Kept by database triggers (migration 0002, in the writing statement's own transaction,
    on both stores): on `employees`, every insert, delete, and change of `unit_id` or
    `status`; on `org_units`, every path change (a move re-paths a subtree). Whatever
    writes (API, CSV import, loaders, SQL) keeps it exact, and the application never writes
    it. A listing's exact total over a subtree is then a sum over this table's path index
    (a few rows per unit) instead of a count over the subtree's employees.
    """

    __tablename__ = "unit_headcounts"
    __table_args__ = (
        Index("ix_unit_headcounts_path", "path", "status", "employees",
              postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    path: Mapped[str] = mapped_column(String(1000))
    employees: Mapped[int] = mapped_column(Integer, default=0)


class Assignment(db.Model):  # type: ignore[name-defined]
    """One stretch of an employee in a unit and position (hire, then each transfer)."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_employee_id", "employee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    org: Mapped[str] = mapped_column(String(40))
    org_path: Mapped[str] = mapped_column(String(1000))
    position: Mapped[str] = mapped_column(String(60))
    manager: Mapped[str | None] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))  # "hire" | "transfer"
    handover_supervisor: Mapped[str | None] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Relation(db.Model):  # type: ignore[name-defined]
    """A declared relation between two employees (for recusal: 回避)."""

    __tablename__ = "employee_relations"
    __table_args__ = (UniqueConstraint("employee_id", "related_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    related_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    kind: Mapped[str] = mapped_column(String(40))
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id], lazy="joined")
    related: Mapped[Employee] = relationship(foreign_keys=[related_id], lazy="joined")


class OutboxEvent(db.Model):  # type: ignore[name-defined]
    """An event for another service, written in the same transaction as the change.

    Delivered after commit; a failed delivery stays here (`delivered_at` null) and is
    retried on later writes and by `python -m services.staff deliver-events`.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_status", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    destination: Mapped[str] = mapped_column(String(40))  # "auth"
    path: Mapped[str] = mapped_column(String(200))  # "/auth/org-events"
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    last_error: Mapped[str | None] = mapped_column(String(500))


class QualificationRecord(db.Model):  # type: ignore[name-defined]
    """One withdrawal or restoration of an employee's qualification (取消客户经理资格).

    Append-only: the current state of a qualification is its latest record's `status`.
    `reference` names the event that caused it (`performance:incident:42`) and is unique,
    so a caller that retries (performance's outbox) gets the first record back instead of
    a second one. Not read by listings or chains, so it does not raise the read generation.
    """

    __tablename__ = "qualification_records"
    __table_args__ = (
        Index("ix_qualification_records_employee_id", "employee_id", "qualification"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    qualification: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # withdrawn | restored
    reason: Mapped[str] = mapped_column(String(1000))
    reference: Mapped[str] = mapped_column(String(200), unique=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200))

    employee: Mapped[Employee] = relationship(lazy="joined")


class ScheduledChange(db.Model):  # type: ignore[name-defined]
    """A hire, transfer or status change dated after today (migration 0005).

    Why a table and not effective dating in every query: listings, chains, scope and
    routing all read the employee row. So a dated change waits here and is *applied* — a
    write to `employees` like any other — by the due-changes step
    (`service.scheduled.apply_due`: on the first request of each day in every process, and
    `python -m services.staff apply-scheduled` for cron). `pending` is 1 while the change is
    scheduled and NULL afterwards, so the unique constraint allows one pending change of a
    kind per employee (NULLs are distinct on both stores) and keeps any number resolved.
    """

    __tablename__ = "scheduled_changes"
    __table_args__ = (
        UniqueConstraint("employee_no", "kind", "pending"),
        Index("ix_scheduled_changes_due", "pending", "effective_date"),
        Index("ix_scheduled_changes_employee_no", "employee_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # hire | transfer | status
    employee_no: Mapped[str] = mapped_column(String(40))
    effective_date: Mapped[dt.date] = mapped_column(Date)
    #: The target unit (the new one for a hire or transfer; the current one for a status).
    org: Mapped[str] = mapped_column(String(40))
    org_path: Mapped[str] = mapped_column(String(1000))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default="scheduled")
    pending: Mapped[int | None] = mapped_column(Integer, default=1)
    outcome: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
