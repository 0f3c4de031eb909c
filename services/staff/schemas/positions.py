"""Position (岗位) and duty (职责) schemas."""

from __future__ import annotations

import marshmallow as ma

from services.staff.domain.org import UNIT_TYPES
from services.staff.schemas.fields import JSONBoolean, QueryBoolean, UTCDateTime
from shared.web import PageQuery

GRADES = ("head", "mid", "staff")
CATEGORIES = ("customer", "credit", "compliance", "management", "service", "operations",
              "risk", "marketing", "administration")
PositionCode = ma.validate.Regexp(r"^[A-Z0-9_-]{1,60}$",
                                  error="Use 1–60 of A–Z, 0–9, '_' and '-'.")
Text = ma.validate.Length(min=1, max=2000)
QualificationName = ma.validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$",
                                       error="Use 1–40 of a–z, 0–9 and '_', a letter first.")


def _qualification() -> ma.fields.String:
    """`requires_qualification` in a position body (a new field object per schema)."""
    return ma.fields.String(
        allow_none=True, validate=QualificationName,
        metadata={"description": "A qualification the holder must keep, e.g. "
                  "customer_manager (客户经理资格); null for none. Staff refuses to place an "
                  "employee whose qualification is withdrawn."})


_SOURCE = "The title of the source document it came from (null: not from one)."
_SOURCE_EXAMPLE = "商业中心各个岗位职责表"


class DutyIn(ma.Schema):
    text_zh = ma.fields.String(required=True, validate=Text, metadata={
        "example": "热情、文明地对进出营业室的客户迎来送往,从客户进门时起,大堂经理应主动迎接客户,"
                   "询问客户需求,对客户进行相应的业务引导。"})
    text_en = ma.fields.String(allow_none=True, validate=Text, metadata={
        "example": "Greets and sees off customers warmly and courteously; from the moment a "
                   "customer comes in, welcomes them, asks what they need and guides them to "
                   "the right service."})
    category = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(CATEGORIES),
                                metadata={"example": "service"})
    source = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=200),
                              metadata={"description": _SOURCE, "example": _SOURCE_EXAMPLE})


class _PositionFields(ma.Schema):
    name_zh = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200),
                               metadata={"example": "大堂经理"})
    name_en = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200),
                               metadata={"example": "Lobby Manager"})
    grade = ma.fields.String(required=True, validate=ma.validate.OneOf(GRADES),
                             metadata={"example": "staff"})
    must_cover = JSONBoolean(metadata={"description": "A stand-in is required on leave."})
    unit_types = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(UNIT_TYPES)),
                                metadata={"example": ["department", "sub_branch", "outlet"]})
    source = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=200),
                              metadata={"description": _SOURCE, "example": _SOURCE_EXAMPLE})
    requires_qualification = _qualification()
    duties = ma.fields.List(ma.fields.Nested(DutyIn), required=True,
                            validate=ma.validate.Length(min=1, max=200))


class PositionCreate(_PositionFields):
    code = ma.fields.String(required=True, validate=PositionCode,
                            metadata={"example": "LOBBY_MANAGER"})


class PositionReplace(_PositionFields):
    """PUT: the whole position (the code may be repeated, not changed)."""

    code = ma.fields.String(validate=PositionCode)


class PositionPatch(ma.Schema):
    """PATCH: only the fields given change (a duties list replaces the whole list)."""

    name_zh = ma.fields.String(validate=ma.validate.Length(min=1, max=200),
                               metadata={"example": "大堂经理"})
    name_en = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    grade = ma.fields.String(validate=ma.validate.OneOf(GRADES))
    must_cover = JSONBoolean(metadata={"example": True})
    unit_types = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(UNIT_TYPES)))
    source = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=200))
    requires_qualification = _qualification()
    duties = ma.fields.List(ma.fields.Nested(DutyIn), validate=ma.validate.Length(min=1, max=200))


class DutyRead(ma.Schema):
    no = ma.fields.Integer(attribute="seq", required=True)
    text_zh = ma.fields.String(required=True)
    text_en = ma.fields.String(allow_none=True)
    category = ma.fields.String(allow_none=True)
    source = ma.fields.String(allow_none=True, metadata={"example": _SOURCE_EXAMPLE})


class PositionRead(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "LOBBY_MANAGER"})
    name_zh = ma.fields.String(required=True, metadata={"example": "大堂经理"})
    name_en = ma.fields.String(required=True)
    grade = ma.fields.String(required=True, metadata={"enum": list(GRADES)})
    must_cover = ma.fields.Boolean(required=True)
    unit_types = ma.fields.List(ma.fields.String(), required=True)
    source = ma.fields.String(allow_none=True)
    requires_qualification = ma.fields.String(allow_none=True, required=True)
    version = ma.fields.Integer(required=True)
    duties = ma.fields.List(ma.fields.Nested(DutyRead), required=True)


class PositionVersionRead(ma.Schema):
    version = ma.fields.Integer(required=True, metadata={"example": 2})
    at = UTCDateTime(required=True)
    actor = ma.fields.String(required=True)
    changes = ma.fields.Dict(required=True, metadata={
        "description": "field → {before, after} for every field this version changed."})
    position = ma.fields.Dict(attribute="snapshot", required=True)


class PositionQuery(PageQuery):
    grade = ma.fields.String(validate=ma.validate.OneOf(GRADES))
    unit_type = ma.fields.String(validate=ma.validate.OneOf(UNIT_TYPES))
    must_cover = QueryBoolean()
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
