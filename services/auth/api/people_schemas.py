"""Schemas of `/auth/people-events` (what staff's outbox sends; unknown fields → 422)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

EVENTS = ["employee_left", "qualification_withdrawn", "qualification_restored"]
_code = validate.Length(min=1, max=64)


class PeopleEvent(ma.Schema):
    """`employee_left` names the employee; a qualification event also names the
    qualification, staff's reference (the incident), a reason and staff's `sequence`."""

    event = ma.fields.String(required=True, validate=validate.OneOf(EVENTS))
    employee_no = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))
    qualification = ma.fields.String(validate=_code,
                                     metadata={"example": "customer_manager"})
    reference = ma.fields.String(allow_none=True, validate=validate.Length(min=1, max=200),
                                 metadata={"example": "performance:incident:17"})
    reason = ma.fields.String(allow_none=True, validate=validate.Length(max=500))
    sequence = ma.fields.Integer(validate=validate.Range(min=1, max=2**62), metadata={
        "description": "Staff's record id: a later change has a larger one."})

    @ma.validates_schema
    def _qualification_fields(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("event") in ("qualification_withdrawn", "qualification_restored"):
            missing = [f for f in ("qualification", "reference", "sequence")
                       if data.get(f) is None]
            if missing:
                raise ma.ValidationError({f: ["Required for a qualification event."]
                                          for f in missing})


class PeopleEventResult(ma.Schema):
    applied = ma.fields.Boolean(required=True, metadata={
        "description": "False: nothing to do (no linked user, or delivered before)."})
    users = ma.fields.List(ma.fields.Integer(), required=True)
    bindings_ended = ma.fields.Integer(required=True)
    sessions_revoked = ma.fields.Integer(required=True)
