"""Schemas named by purpose: what comes in, what goes out."""

import marshmallow as ma

from shared.web import PageQuery


class LeaveTypeRead(ma.Schema):
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    counts = ma.fields.String(required=True, metadata={"enum": ["working_days", "calendar_days"]})
    paid = ma.fields.Boolean(required=True)
    has_balance = ma.fields.Boolean(required=True)


class LeaveTypeQuery(PageQuery):
    pass
