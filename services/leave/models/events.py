"""Events for other systems (outbox + webhooks) and remembered answers to idempotent POSTs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.leave.models.base import db
from shared.audit import utcnow


class OutboxEvent(db.Model):  # type: ignore[name-defined]
    """An event (`leave.submitted`, …) written with the change, delivered after commit to
    every matching webhook (one delivery row each)."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_status", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(60))
    webhook_id: Mapped[int] = mapped_column(Integer, index=True)
    payload: Mapped[Any] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Webhook(db.Model):  # type: ignore[name-defined]
    """A subscriber: events are POSTed to `url`, signed with HMAC-SHA256 under `secret`."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    topics: Mapped[Any] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IdempotentAnswer(db.Model):  # type: ignore[name-defined]
    """The answer given to a POST with an `Idempotency-Key`, replayed to the same caller's
    retry of the same request; the same key with another body is a 409."""

    __tablename__ = "idempotent_answers"
    __table_args__ = (UniqueConstraint("caller", "key", name="uq_idempotent_answers_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    caller: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
