"""Org-unit schemas."""

from __future__ import annotations

import marshmallow as ma

from services.staff.domain.org import CODE_PATTERN, UNIT_TYPES
from services.staff.schemas.fields import JSONBoolean, QueryBoolean
from shared.web import PageQuery

Code = ma.validate.Regexp(CODE_PATTERN, error="Use 1–40 of A–Z, 0–9, '_' and '-'.")


def _name(required: bool = True, allow_none: bool = False,
          example: str | None = None) -> ma.fields.String:
    return ma.fields.String(required=required, allow_none=allow_none,
                            validate=ma.validate.Length(min=1, max=200),
                            metadata={"example": example} if example else {})


class OrgUnitCreate(ma.Schema):
    code = ma.fields.String(required=True, validate=Code, metadata={"example": "SB06"})
    name_zh = _name(example="和平路支行")
    name_en = _name(required=False, allow_none=True, example="Heping Road Sub-branch")
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(UNIT_TYPES),
                            metadata={"example": "sub_branch"})
    parent = ma.fields.String(required=True, allow_none=True, validate=Code, metadata={
        "description": "The parent's code; null for a root.", "example": "BR01"})


class OrgUnitUpdate(ma.Schema):
    name_zh = _name(required=False, example="人民路支行")
    name_en = _name(required=False, allow_none=True, example="Renmin Road Sub-branch")
    active = JSONBoolean(metadata={"description": "false deactivates: 409 while the "
                                         "unit has active staff or active child units."})


class OrgUnitMove(ma.Schema):
    parent = ma.fields.String(required=True, validate=Code, metadata={"example": "BR02"})


class OrgUnitRead(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "SB01"})
    name_zh = ma.fields.String(required=True, metadata={"example": "人民路支行"})
    name_en = ma.fields.String(allow_none=True)
    type = ma.fields.String(required=True, metadata={"enum": list(UNIT_TYPES)})
    parent = ma.fields.String(attribute="parent_code", allow_none=True)
    path = ma.fields.String(required=True, metadata={"example": "HQ/BR01/SB01"})
    active = ma.fields.Boolean(required=True)


class OrgUnitTree(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "BR01"})
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(allow_none=True)
    type = ma.fields.String(required=True)
    path = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)
    children = ma.fields.List(ma.fields.Nested(lambda: OrgUnitTree()), required=True)


class OrgUnitQuery(PageQuery):
    type = ma.fields.String(validate=ma.validate.OneOf(UNIT_TYPES))
    parent = ma.fields.String(validate=Code, metadata={"description": "Direct children of."})
    under = ma.fields.String(validate=Code, metadata={"description": "The unit's subtree."})
    active = QueryBoolean()
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
