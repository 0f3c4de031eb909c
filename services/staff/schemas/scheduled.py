"""Scheduled (dated) change schemas: a pending hire, transfer or status change, its cancel."""

from __future__ import annotations

import marshmallow as ma

from services.staff.schemas.fields import UTCDateTime
from shared.web import PageQuery

KINDS = ("hire", "transfer", "status")
STATES = ("scheduled", "applied", "cancelled", "failed")


class ScheduledChangeRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(KINDS), "example": "transfer"})
    employee_no = ma.fields.String(required=True, metadata={"example": "E0019"})
    effective_date = ma.fields.Date(required=True, metadata={
        "description": "The day it takes effect (local midnight starting it)."})
    org = ma.fields.String(required=True, metadata={
        "description": "The unit it concerns: the new one for a hire or transfer, the "
                       "employee's for a status change."})
    details = ma.fields.Dict(required=True, metadata={
        "description": "What was asked: the transfer's or hire's body, or {status, reason}."})
    state = ma.fields.String(required=True, metadata={"enum": list(STATES)})
    outcome = ma.fields.String(allow_none=True, metadata={
        "description": "Why it failed on its date, or why it was cancelled."})
    created_by = ma.fields.String(required=True)
    created_at = UTCDateTime(required=True)
    resolved_by = ma.fields.String(allow_none=True)
    resolved_at = UTCDateTime(allow_none=True)


EXAMPLE = {"id": 7, "kind": "transfer", "employee_no": "E0019", "effective_date": "2027-03-01",
           "org": "SB02", "details": {"org": "SB02", "effective_date": "2027-03-01"},
           "state": "scheduled", "outcome": None, "created_by": "hr-zheng",
           "created_at": "2026-12-04T08:00:00+00:00", "resolved_by": None,
           "resolved_at": None}


class ScheduledChangeQuery(PageQuery):
    state = ma.fields.String(validate=ma.validate.OneOf(STATES))
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    employee_no = ma.fields.String(validate=ma.validate.Length(min=1, max=40))


class ScheduledChangeCancel(ma.Schema):
    reason = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
