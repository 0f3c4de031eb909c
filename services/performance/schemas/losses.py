"""Loss accountability schemas (责任追究): the recording body, the loss with its shares, the
share policy."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma

from services.performance.schemas.fields import Money, UTCDateTime
from shared.web import PageQuery

_NO = ma.validate.Length(min=1, max=40)
LOSS_STATUSES = ("recorded", "confirmed")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


class LossCreate(ma.Schema):
    amount = Money(required=True, validate=ma.validate.Range(
        min=Decimal("0.01"), max=Decimal("9999999999.99")), metadata={"example": 50000,
        "description": "The loss in yuan (> 0, at most 2 decimals)."})
    audit_reference = ma.fields.String(required=True, validate=[
        ma.validate.Length(min=1, max=100), _not_blank], metadata={
        "description": "Internal audit's finding 稽核编号; one loss per finding."})
    occurred_on = ma.fields.Date(required=True, metadata={"example": "2026-05-20"})
    description = ma.fields.String(required=True, validate=[
        ma.validate.Length(min=1, max=4000), _not_blank])
    direct = ma.fields.List(ma.fields.String(validate=_NO), required=True,
                            validate=ma.validate.Length(min=1, max=20), metadata={
        "example": ["E0027"],
        "description": "Direct parties 直接责任人 (who committed the violation)."})
    indirect = ma.fields.List(ma.fields.String(validate=_NO), load_default=list,
                              validate=ma.validate.Length(max=20), metadata={
        "example": ["E0028"],
        "description": "Indirect parties 间接责任人 (who signed without catching it)."})
    ordered_by = ma.fields.String(allow_none=True, validate=_NO, metadata={
        "description": "A superior who ordered the violation: then the direct party, and "
                       "the `direct` list become indirect parties."})


class ShareRead(ma.Schema):
    employee_no = ma.fields.String(required=True, metadata={"example": "E0027"})
    role = ma.fields.String(required=True, metadata={"enum": ["direct", "indirect"]})
    amount = Money(required=True, metadata={"example": 40000})
    unit = ma.fields.String(required=True, metadata={
        "description": "The person's unit when the loss was recorded."})


class LossRead(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 1})
    amount = Money(required=True, metadata={"example": 50000})
    audit_reference = ma.fields.String(required=True)
    occurred_on = ma.fields.Date(required=True)
    description = ma.fields.String(required=True)
    ordered_by = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True,
                              metadata={"example": "recorded", "enum": list(LOSS_STATUSES)})
    policy_version = ma.fields.Integer(required=True)
    direct_part = ma.fields.Decimal(required=True, places=4, as_string=True, metadata={
        "description": "The direct parties' fraction, e.g. \"0.8000\" (exact)."})
    indirect_part = ma.fields.Decimal(required=True, places=4, as_string=True)
    recorded_by = ma.fields.String(required=True)
    recorded_at = UTCDateTime(required=True)
    confirmed_by = ma.fields.String(allow_none=True)
    confirmed_at = UTCDateTime(allow_none=True)
    shares = ma.fields.List(ma.fields.Nested(ShareRead), required=True, metadata={
        "description": "Each person's share, exact to the fen; they sum to `amount`."})


class LossQuery(PageQuery):
    employee_no = ma.fields.String(validate=_NO)
    status = ma.fields.String(validate=ma.validate.OneOf(LOSS_STATUSES))


class LossPolicyUpdate(ma.Schema):
    direct = ma.fields.String(required=True, metadata={
        "description": "Fraction of 1 as a decimal string, e.g. \"0.80\"."})
    indirect = ma.fields.String(required=True, metadata={"example": "0.2"})
    reason = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=500),
                                                       _not_blank],
                              metadata={"example": "internal audit's review of 2026"})


class LossPolicyRead(ma.Schema):
    version = ma.fields.Integer(required=True, metadata={"example": 1})
    direct = ma.fields.String(required=True, metadata={"example": "0.8"})
    indirect = ma.fields.String(required=True, metadata={"example": "0.2"})
    published_at = UTCDateTime(required=True)
    published_by = ma.fields.String(required=True)
    change_reason = ma.fields.String(allow_none=True)
