"""Scorecard schemas: the period asked for, a scorecard, a unit roll-up, a sign-off."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from services.performance.domain.periods import Period, PeriodError, parse_period
from services.performance.schemas.fields import Money, UTCDateTime
from services.performance.schemas.incidents import IncidentRead
from shared.web import PageQuery


class PeriodField(ma.fields.String):
    """`YYYY`, `YYYY-Qn` or `YYYY-MM`, read into a `Period` (inclusive dates)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Period:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_period(text)
        except PeriodError as error:
            raise ma.ValidationError(str(error)) from error


_PERIOD_DOC = {"description": "YYYY, YYYY-Qn or YYYY-MM.", "example": "2026-Q1"}


class ScorecardQuery(ma.Schema):
    period = PeriodField(required=True, metadata=_PERIOD_DOC)


#: The chart's formats, by the `format` query parameter's value.
CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


class ChartQuery(ScorecardQuery):
    format = ma.fields.String(validate=ma.validate.OneOf(tuple(CHART_TYPES)), metadata={
        "description": "`svg` or `png`. Without it the `Accept` header chooses: `image/png` "
                       "preferred to `image/svg+xml` gives PNG; anything else SVG."})


class RollupQuery(PageQuery):
    period = PeriodField(required=True, metadata=_PERIOD_DOC)


class ScorecardRead(ma.Schema):
    employee_no = ma.fields.String(required=True, metadata={"example": "E0024"})
    period = ma.fields.String(required=True, metadata={"example": "2026"})
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    points_deducted = ma.fields.Integer(required=True, metadata={"example": 1})
    bonus_deducted = Money(required=True)
    excellence_eligible = ma.fields.Boolean(required=True, metadata={
        "description": "False when a standing incident bars year-end excellence (年终不得评优) "
                       "or disqualifies."})
    disqualified = ma.fields.Boolean(required=True)
    incidents = ma.fields.List(ma.fields.Nested(IncidentRead), required=True, metadata={
        "description": "The standing incidents (confirmed, appealed, upheld) of the period."})


class RollupItem(ma.Schema):
    employee_no = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    unit = ma.fields.String(required=True)
    points_deducted = ma.fields.Integer(required=True)
    bonus_deducted = Money(required=True)
    incidents = ma.fields.Integer(required=True)
    excellence_eligible = ma.fields.Boolean(required=True)
    disqualified = ma.fields.Boolean(required=True)


class RollupRead(ma.Schema):
    unit = ma.fields.String(required=True, metadata={"example": "SB01"})
    period = ma.fields.String(required=True, metadata={"example": "2026"})
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    employees_with_incidents = ma.fields.Integer(required=True)
    points_deducted = ma.fields.Integer(required=True)
    bonus_deducted = Money(required=True)
    disqualified = ma.fields.Integer(required=True, metadata={
        "description": "How many employees a standing incident of the period disqualifies."})
    items = ma.fields.List(ma.fields.Nested(RollupItem), required=True)
    total = ma.fields.Integer(required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)


class SignOffCreate(ma.Schema):
    period = PeriodField(required=True, metadata=_PERIOD_DOC)
    comment = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=4000),
                               metadata={"example": "审核通过"})


class SignOffRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    unit = ma.fields.String(attribute="unit_code", required=True, metadata={"example": "SB01"})
    period = ma.fields.String(required=True, metadata={"example": "2026-Q4"})
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    signed_by = ma.fields.String(required=True)
    signed_by_emp = ma.fields.String(allow_none=True)
    signed_at = UTCDateTime(required=True)
    comment = ma.fields.String(allow_none=True)
