"""The rulebook's schemas: rules as read, their versions, and a new version's body."""

from __future__ import annotations

import marshmallow as ma

from services.performance.schemas.fields import Money
from shared.web import PageQuery

SEVERITIES = ("normal", "aggravated", "egregious")


class RuleRead(ma.Schema):
    code = ma.fields.String(required=True)
    rulebook = ma.fields.String(required=True)
    category = ma.fields.String(required=True, metadata={
        "description": "e.g. ethics, basic_management, credit_operations, first_inquiry"})
    title_zh = ma.fields.String(required=True)
    title_en = ma.fields.String(required=True)
    points = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Demerit points one occurrence costs (positive), or null."})
    deduction_min = Money(required=True, allow_none=True)
    deduction_max = Money(required=True, allow_none=True)
    consequence = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "e.g. disqualification, no_excellence; null when none."})
    severities = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(SEVERITIES[1:])), required=True,
        metadata={"description": "Severities the rule allows beyond `normal`."})
    severity_consequences = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), required=True,
        metadata={"description": "What a severity brings, e.g. {\"egregious\": "
                                 "\"disqualification\"}."})
    source = ma.fields.String(required=True, metadata={"description": "Where the rule comes from."})


class RuleQuery(PageQuery):
    category = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
