"""Audit-trail and outbox schemas."""

from __future__ import annotations

import marshmallow as ma

from services.staff.schemas.fields import UTCDateTime
from shared.web import PageQuery


class AuditQuery(PageQuery):
    action = ma.fields.String()
    target_type = ma.fields.String()
    target_id = ma.fields.String()
    actor = ma.fields.String()


class OutboxQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(["pending", "delivered", "rejected"]))


class OutboxEventRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    destination = ma.fields.String(required=True, metadata={"example": "auth"})
    path = ma.fields.String(required=True, metadata={"example": "/auth/org-events"})
    payload = ma.fields.Dict(required=True)
    status = ma.fields.String(required=True)
    attempts = ma.fields.Integer(required=True)
    created_at = UTCDateTime(required=True)
    next_attempt_at = UTCDateTime(allow_none=True)
    delivered_at = UTCDateTime(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
