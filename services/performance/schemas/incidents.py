"""Incident schemas: the recording body (docs/api.md), decisions, appeals, the answer, the trail."""

from __future__ import annotations

import marshmallow as ma

from services.performance.schemas.fields import Money, UTCDateTime
from services.performance.schemas.rules import SEVERITIES
from shared.web import PageQuery

STATUSES = ("recorded", "confirmed", "dismissed", "appealed", "upheld", "overturned")
ACTIONS = ("confirm", "dismiss", "appeal", "uphold", "overturn")
_TEXT = ma.validate.Length(min=1, max=4000)
_NO = ma.validate.Length(min=1, max=40)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


class IncidentCreate(ma.Schema):
    employee_no = ma.fields.String(required=True, validate=_NO, metadata={"example": "E0024"})
    rule = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40),
                            metadata={"example": "FIR-02",
                                      "description": "A rule code, e.g. CM-ETH-01."})
    occurred_on = ma.fields.Date(required=True, metadata={"example": "2026-03-02",
        "description": "The day it happened (organisation's calendar); not in the future."})
    description = ma.fields.String(required=True, validate=[_TEXT, _not_blank], metadata={
        "example": "A verified customer complaint",
        "description": "What happened."})
    severity = ma.fields.String(load_default="normal",
                                validate=ma.validate.OneOf(SEVERITIES))
    deduction_amount = Money(allow_none=True, metadata={"example": 500,
        "description": "Yuan. Required within the rule's range for a rule with one; "
                       "optional (discretionary, capped per role) for a rule without."})
    points_override = ma.fields.Integer(allow_none=True, strict=True, metadata={
        "description": "Aggravated only: the points this case costs (more than the rule's)."})
    override_reason = ma.fields.String(allow_none=True, validate=_TEXT, metadata={
        "description": "Required with a points override (aggravated) and with a "
                       "discretionary amount (the reason reported, 报告原因)."})


class IncidentRead(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 1})
    employee_no = ma.fields.String(required=True, metadata={"example": "E0024"})
    employee_name = ma.fields.String(allow_none=True)
    unit = ma.fields.String(attribute="unit_code", required=True)
    governing_branch = ma.fields.String(attribute="governing_code", required=True)
    rule = ma.fields.String(attribute="rule_code", required=True, metadata={"example": "FIR-02"})
    rule_version = ma.fields.Integer(required=True, metadata={
        "description": "The rule version the incident was judged under (kept forever)."})
    occurred_on = ma.fields.Date(required=True)
    description = ma.fields.String(required=True)
    severity = ma.fields.String(required=True)
    status = ma.fields.String(required=True,
                              metadata={"example": "recorded", "enum": list(STATUSES)})
    points = ma.fields.Integer(required=True, allow_none=True)
    points_override = ma.fields.Integer(allow_none=True)
    override_reason = ma.fields.String(allow_none=True)
    deduction_amount = Money(required=True, allow_none=True)
    discretionary = ma.fields.Boolean(required=True, metadata={
        "description": "A discretionary amount (the rule has no range)."})
    recorder_cap = Money(allow_none=True, metadata={
        "description": "The recorder's authority cap for a discretionary amount."})
    over_cap = ma.fields.Boolean(required=True, metadata={
        "description": "Above the recorder's cap: only hr of the governing branch decides."})
    consequence = ma.fields.String(allow_none=True)
    recorded_by = ma.fields.String(required=True)
    recorded_by_emp = ma.fields.String(allow_none=True)
    recorded_at = UTCDateTime(required=True)
    decided_by = ma.fields.String(allow_none=True)
    decided_at = UTCDateTime(allow_none=True)
    appeal_deadline = ma.fields.Date(allow_none=True)
    closed_by = ma.fields.String(allow_none=True)
    closed_at = UTCDateTime(allow_none=True)
    policy_version = ma.fields.Integer(required=True)


class IncidentDetailRead(IncidentRead):
    """One incident as its page reads it: the list's fields and what the caller may do."""

    actions = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(ACTIONS)),
                             required=True, metadata={
        "example": ["confirm", "dismiss"],
        "description": "What the caller may send now, by the endpoints' own rules: "
                       "`confirm`/`dismiss` (`/decision`), `appeal` (`/appeal`), "
                       "`uphold`/`overturn` (`/appeal/decision`). The moment of the read: "
                       "the endpoint still decides. Empty when none."})


class IncidentQuery(PageQuery):
    org = ma.fields.String(validate=ma.validate.Length(min=1, max=40), metadata={
        "description": "Only incidents about employees of this unit's subtree (as recorded)."})
    employee_no = ma.fields.String(validate=_NO)
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    rule = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    occurred_from = ma.fields.Date()
    occurred_to = ma.fields.Date()
    awaiting = ma.fields.String(validate=ma.validate.OneOf(("me",)), metadata={
        "description": "`me`: only the recorded incidents the caller may confirm or dismiss "
                       "and the appealed ones whose appeal the caller may decide, now — the "
                       "decision endpoints' own rules; `total` counts them.",
        "example": "me"})


class IncidentDecision(ma.Schema):
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(("confirm", "dismiss")),
                                metadata={"example": "confirm"})
    comment = ma.fields.String(allow_none=True, validate=_TEXT,
                               metadata={"example": "the complaint was verified"})


class AppealCreate(ma.Schema):
    reason = ma.fields.String(required=True, validate=[_TEXT, _not_blank],
                              metadata={"example": "the complaint concerned another counter"})


class AppealDecision(ma.Schema):
    decision = ma.fields.String(required=True,
                                validate=ma.validate.OneOf(("uphold", "overturn")))
    comment = ma.fields.String(allow_none=True, validate=_TEXT,
                               metadata={"example": "the recording shows another counter"})


class StepRead(ma.Schema):
    seq = ma.fields.Integer(required=True)
    action = ma.fields.String(required=True, metadata={"example": "confirm"})
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(required=True)
    actor = ma.fields.String(required=True)
    actor_emp = ma.fields.String(allow_none=True)
    at = ma.fields.String(required=True, metadata={"format": "date-time"})
    comment = ma.fields.String(allow_none=True)
    facts = ma.fields.Dict(required=True)
    prev_hash = ma.fields.String(required=True)
    hash = ma.fields.String(required=True)


class TrailRead(ma.Schema):
    incident_id = ma.fields.Integer(required=True, metadata={"example": 1})
    valid = ma.fields.Boolean(required=True, metadata={"example": True,
        "description": "Every hash re-computed from the stored rows, and the incident "
                       "still as signed."})
    broken_at = ma.fields.Integer(allow_none=True, metadata={
        "description": "The first step (0-based) that does not verify."})
    reason = ma.fields.String(allow_none=True)
    steps = ma.fields.List(ma.fields.Nested(StepRead), required=True)
