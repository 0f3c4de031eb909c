"""The audit trail's and the outbox's query and answer schemas."""

from __future__ import annotations

import marshmallow as ma

from services.performance.schemas.fields import UTCDateTime
from shared.web import PageQuery

_SHORT = ma.validate.Length(min=1, max=200)


class AuditQuery(PageQuery):
    action = ma.fields.String(validate=_SHORT, metadata={"example": "incident.confirm"})
    target_type = ma.fields.String(validate=_SHORT, metadata={"example": "incident"})
    target_id = ma.fields.String(validate=_SHORT)
    actor = ma.fields.String(validate=_SHORT)


class OutboxQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(["pending", "delivered", "rejected"]))


class OutboxMessageRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    destination = ma.fields.String(required=True, metadata={"example": "staff"})
    path = ma.fields.String(required=True)
    payload = ma.fields.Dict(required=True)
    status = ma.fields.String(required=True, metadata={"example": "delivered"})
    attempts = ma.fields.Integer(required=True)
    created_at = UTCDateTime(required=True)
    next_attempt_at = UTCDateTime(allow_none=True)
    delivered_at = UTCDateTime(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
