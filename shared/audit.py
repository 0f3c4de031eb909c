"""Append-only audit trail: who did what, to what, when, from which token, in which request.

Each service keeps its own `audit_events` table (it owns its database); the model and the
writer live here so every trail has the same columns. Rows are never updated or deleted: the
ORM refuses it here, and PostgreSQL refuses it by trigger (see `APPEND_ONLY_TRIGGER_SQL`,
installed by each service's first migration).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column


@dataclass(frozen=True)
class Actor:
    """Who acts: the token's subject, its kind, its `jti`, the request id and address."""

    sub: str
    kind: str = "user"
    emp: str | None = None
    jti: str | None = None
    request_id: str | None = None
    remote_addr: str | None = None

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(sub=what, kind="system")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes for what was stored as UTC: put the offset back."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def make_audit_model(db: SQLAlchemy) -> type:
    class AuditEvent(db.Model):  # type: ignore[name-defined]
        __tablename__ = "audit_events"
        __table_args__ = (
            Index("ix_audit_events_at", "at"),
            Index("ix_audit_events_target", "target_type", "target_id"),
            Index("ix_audit_events_actor", "actor"),
            Index("ix_audit_events_action", "action"),
        )

        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
        actor: Mapped[str] = mapped_column(String(200))
        actor_kind: Mapped[str] = mapped_column(String(20))
        token_jti: Mapped[str | None] = mapped_column(String(64))
        request_id: Mapped[str | None] = mapped_column(String(128))
        remote_addr: Mapped[str | None] = mapped_column(String(64))
        action: Mapped[str] = mapped_column(String(100))
        target_type: Mapped[str] = mapped_column(String(50))
        target_id: Mapped[str | None] = mapped_column(String(200))
        before: Mapped[Any] = mapped_column(JSON, nullable=True)
        after: Mapped[Any] = mapped_column(JSON, nullable=True)

        def to_dict(self) -> dict[str, Any]:
            return {
                "id": self.id, "at": as_utc(self.at).isoformat() if self.at else None,
                "actor": self.actor, "actor_kind": self.actor_kind,
                "token_jti": self.token_jti, "request_id": self.request_id,
                "remote_addr": self.remote_addr, "action": self.action,
                "target_type": self.target_type, "target_id": self.target_id,
                "before": self.before, "after": self.after,
            }

    @event.listens_for(Session, "before_flush")
    def _append_only(session: Session, _ctx: Any, _instances: Any) -> None:
        for obj in list(session.dirty) + list(session.deleted):
            if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
                raise PermissionError("audit events are append-only")

    return AuditEvent


def record(session: Session, model: type, *, actor: Actor, action: str, target_type: str,
           target_id: str | None, before: Any = None, after: Any = None) -> Any:
    """Add one audit event to the session; it commits with the change it describes."""
    event_row = model(
        actor=actor.sub, actor_kind=actor.kind, token_jti=actor.jti,
        request_id=actor.request_id, remote_addr=actor.remote_addr, action=action,
        target_type=target_type, target_id=None if target_id is None else str(target_id),
        before=before, after=after,
    )
    session.add(event_row)
    return event_row


def append_only_sql(table: str) -> tuple[str, list[str]]:
    """The PostgreSQL and SQLite triggers that refuse UPDATE and DELETE on `table`."""
    postgresql = f"""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{table} is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""
    sqlite = [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    ]
    return postgresql, sqlite


APPEND_ONLY_TRIGGER_SQL, SQLITE_APPEND_ONLY_TRIGGER_SQL = append_only_sql("audit_events")


def install_append_only(op: Any, table: str) -> None:
    """Make `table` append-only in the database itself (call from a migration's upgrade())."""
    postgresql, sqlite = append_only_sql(table)
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(postgresql)
    elif dialect == "sqlite":
        for stmt in sqlite:
            op.execute(stmt)


def install_append_only_trigger(op: Any) -> None:
    """Call from a migration's upgrade() after creating `audit_events`."""
    install_append_only(op, "audit_events")


class AuditEventRead(ma.Schema):
    """One audit event as every service answers it (dump `AuditEvent.to_dict()`)."""

    id = ma.fields.Integer(required=True)
    at = ma.fields.String(required=True, metadata={
        "format": "date-time", "description": "When, in UTC with its offset."})
    actor = ma.fields.String(required=True)
    actor_kind = ma.fields.String(required=True)
    token_jti = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    remote_addr = ma.fields.String(allow_none=True)
    action = ma.fields.String(required=True, metadata={"example": "binding.added"})
    target_type = ma.fields.String(required=True, metadata={"example": "user"})
    target_id = ma.fields.String(allow_none=True, metadata={"example": "42"})
    before = ma.fields.Raw(allow_none=True)
    after = ma.fields.Raw(allow_none=True)


def actor_from_request() -> Actor:
    """The Flask-side bridge: build the `Actor` from `g.principal` and the request."""
    from flask import g, request

    principal = getattr(g, "principal", None)
    rid = getattr(g, "request_id", None)
    if principal is None:
        return Actor(sub="anonymous", kind="anonymous", request_id=rid,
                     remote_addr=request.remote_addr)
    return Actor(sub=principal.sub, kind=principal.kind, emp=principal.emp, jti=principal.jti,
                 request_id=rid, remote_addr=request.remote_addr)
