"""Qualification (资格) schemas: a withdrawal or restoration in, the record out."""

from __future__ import annotations

import marshmallow as ma

from services.staff.domain.qualifications import STATUSES
from services.staff.schemas.fields import UTCDateTime
from services.staff.schemas.positions import QualificationName


class QualificationCreate(ma.Schema):
    qualification = ma.fields.String(required=True, validate=QualificationName, metadata={
        "description": "A qualification some position requires, e.g. customer_manager "
                       "(客户经理资格).", "example": "customer_manager"})
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES), metadata={
        "description": "withdrawn (取消资格) or restored (lifts a withdrawal).",
        "example": "withdrawn"})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000),
                              metadata={"example": "Confirmed incident: egregious breach of "
                                                   "the credit rules."})
    reference = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200),
                                 metadata={"description": "What caused it; unique: the same "
                                           "reference again answers the first record (200).",
                                           "example": "performance:incident:42"})


class QualificationRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    employee_no = ma.fields.String(attribute="employee.employee_no", required=True,
                                   metadata={"example": "E0024"})
    qualification = ma.fields.String(required=True, metadata={"example": "customer_manager"})
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    reason = ma.fields.String(required=True)
    reference = ma.fields.String(required=True)
    recorded_at = UTCDateTime(required=True)
    recorded_by = ma.fields.String(required=True)
