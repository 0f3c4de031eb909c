"""Schemas named by purpose: what comes in, what goes out."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from services.leave.service.events import TOPICS
from shared.fields import JSONBoolean, QueryBoolean, UTCDateTime
from shared.web import PageQuery

HALVES = ("am", "pm")
STATUSES = ("pending", "approved", "rejected", "withdrawn", "cancelled")
STEP_STATUSES = ("waiting", "pending", "approved", "rejected", "skipped")
Code = ma.validate.Regexp(r"^[A-Za-z0-9_.-]{1,40}$", error="Letters, digits, _ . - (1–40).")
TypeCode = ma.validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$",
                              error="Lower-case letters, digits and _ (1–40).")


class Days(ma.fields.Decimal):
    """Days, exact to the half day: a `Decimal` inside, a JSON number outside."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=1, as_string=False, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        number = super()._serialize(value, attr, obj, **kwargs)
        if number is None:
            return None
        return int(number) if number == number.to_integral_value() else float(number)


class Year(ma.fields.Integer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=ma.validate.Range(min=1990, max=2100), **kwargs)


# --- leave types ----------------------------------------------------------------------------

class LeaveTypeRead(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "annual"})
    name_zh = ma.fields.String(required=True, metadata={"example": "年休假"})
    name_en = ma.fields.String(required=True, metadata={"example": "Annual leave"})
    counts = ma.fields.String(required=True, metadata={"enum": ["working_days", "calendar_days"]})
    paid = ma.fields.Boolean(required=True)
    has_balance = ma.fields.Boolean(required=True)
    needs_attachment = ma.fields.Boolean(required=True)
    min_notice_days = ma.fields.Integer(required=True, metadata={
        "example": 3, "description": "Calendar days between filing and the first day."})
    max_days_back = ma.fields.Integer(required=True, metadata={
        "example": 0, "description": "Calendar days before today the first day may lie "
        "(filed after the fact: sick and bereavement 30); 0: not before today."})
    active = ma.fields.Boolean(required=True)


class LeaveTypePatch(ma.Schema):
    name_zh = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    name_en = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    counts = ma.fields.String(validate=ma.validate.OneOf(["working_days", "calendar_days"]))
    paid = JSONBoolean()
    has_balance = JSONBoolean()
    needs_attachment = JSONBoolean()
    min_notice_days = ma.fields.Integer(validate=ma.validate.Range(min=0, max=365),
                                        metadata={"example": 3})
    max_days_back = ma.fields.Integer(validate=ma.validate.Range(min=0, max=365), metadata={
        "example": 0, "description": "How far back (calendar days before today) a request "
        "may start; only for a type needing no notice (min_notice_days 0)."})
    active = JSONBoolean()


class LeaveTypeCreate(LeaveTypePatch):
    code = ma.fields.String(required=True, validate=TypeCode, metadata={"example": "home_visit"})
    name_zh = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    name_en = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    counts = ma.fields.String(required=True,
                              validate=ma.validate.OneOf(["working_days", "calendar_days"]))


class LeaveTypeQuery(PageQuery):
    include_inactive = QueryBoolean(load_default=False)


# --- requests -------------------------------------------------------------------------------

class LeaveRequestCreate(ma.Schema):
    type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40),
                            metadata={"example": "personal"})
    start_date = ma.fields.Date(required=True, metadata={"example": "2027-03-01"})
    end_date = ma.fields.Date(required=True, metadata={"example": "2027-03-08"})
    start_half = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(HALVES),
                                  metadata={"description": "`pm`: the first day starts at noon."})
    end_half = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(HALVES),
                                metadata={"description": "`am`: the last day ends at noon."})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000),
                              metadata={"example": "family matters"})
    stand_in = ma.fields.String(allow_none=True, validate=Code,
                                metadata={"description": "Employee number of the stand-in "
                                          "(顶岗); required for `must_cover` positions.",
                                          "example": "E0020"})
    employee_no = ma.fields.String(validate=Code, metadata={
        "description": "Whose leave: only with leave:file-for-others over their unit."})
    attachment_ref = ma.fields.String(allow_none=True,
                                      validate=ma.validate.Length(min=1, max=300))


class StepRead(ma.Schema):
    level = ma.fields.Integer(required=True, metadata={"example": 1})
    role = ma.fields.String(required=True, metadata={"example": "branch_head"})
    org = ma.fields.String(required=True, metadata={"example": "SB01"})
    org_path = ma.fields.String(required=True)
    final = ma.fields.Boolean(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(STEP_STATUSES)})
    unassigned = ma.fields.Boolean(required=True, metadata={
        "description": "Nobody held the role over the unit when the request was filed; the "
                       "governing branch's hr sees the request in their inbox."})
    decided_by = ma.fields.String()
    decided_by_employee = ma.fields.String(allow_none=True)
    decided_at = UTCDateTime()
    comment = ma.fields.String()


class LeaveRequestRead(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 1})
    employee_no = ma.fields.String(required=True, metadata={"example": "E0019"})
    type = ma.fields.String(required=True, metadata={"example": "personal"})
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    start_half = ma.fields.String(allow_none=True)
    end_half = ma.fields.String(allow_none=True)
    days = Days(required=True)
    calendar = ma.fields.String(required=True, metadata={"enum": ["official", "provisional"]})
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    reason = ma.fields.String(required=True)
    stand_in = ma.fields.String(allow_none=True)
    attachment_ref = ma.fields.String(allow_none=True)
    org = ma.fields.String(required=True)
    governing_branch = ma.fields.String(required=True)
    routed_days = Days(required=True, metadata={
        "description": "The days routing counted: this request plus the pending and approved "
                       "requests that form one absence with it (anti-splitting)."})
    related_requests = ma.fields.List(ma.fields.Integer(), required=True)
    policy_version = ma.fields.Integer(required=True)
    cancelled_days = Days(required=True)
    filed_by = ma.fields.String(required=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
    version = ma.fields.Integer(required=True)
    steps = ma.fields.List(ma.fields.Nested(StepRead), required=True)


class LeaveRequestQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    employee_no = ma.fields.String(validate=Code)
    type = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    from_date = ma.fields.Date(metadata={"description": "Requests ending on or after."})
    to_date = ma.fields.Date(metadata={"description": "Requests starting on or before."})
    mine = QueryBoolean(load_default=False, metadata={
        "description": "Only the caller's own requests (and those they stand in for)."})
    stand_in = QueryBoolean(load_default=False, metadata={
        "description": "Only requests naming the caller as stand-in."})


class ExportQuery(LeaveRequestQuery):
    pass


class DecisionIn(ma.Schema):
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(["approve", "reject"]),
                                metadata={"example": "approve"})
    comment = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=1000),
                               metadata={"example": "初审同意"})
    version = ma.fields.Integer(metadata={
        "description": "The version the decider read; another one → 409 (optional)."})


class WithdrawIn(ma.Schema):
    comment = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=1000),
                               metadata={"example": "plans changed"})


class CancelIn(WithdrawIn):
    from_date = ma.fields.Date(metadata={
        "description": "First day to cancel (default: the first day not yet begun); later "
                       "than the first day cancels only the rest (partial cancellation)."})


class TrailEntry(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    seq = ma.fields.Integer(required=True)
    at = ma.fields.String(required=True)
    action = ma.fields.String(required=True)
    actor = ma.fields.String(required=True)
    hash = ma.fields.String(required=True)
    prev_hash = ma.fields.String(required=True)


class TrailRead(ma.Schema):
    request_id = ma.fields.Integer(required=True, metadata={"example": 1})
    valid = ma.fields.Boolean(required=True, metadata={
        "description": "Every row's hash recomputed from its content and the row before."})
    rows = ma.fields.Integer(required=True)
    broken_at = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    entries = ma.fields.List(ma.fields.Dict(), required=True)


# --- balances -------------------------------------------------------------------------------

class BalanceQuery(ma.Schema):
    year = Year()


class BalanceLine(ma.Schema):
    type = ma.fields.String(required=True, metadata={"example": "annual"})
    entitled = Days(required=True, metadata={"example": 5})
    used = Days(required=True)
    pending = Days(required=True)
    remaining = Days(required=True)


class BalanceRead(ma.Schema):
    employee_no = ma.fields.String(required=True, metadata={"example": "E0019"})
    year = ma.fields.Integer(required=True, metadata={"example": 2026})
    balances = ma.fields.List(ma.fields.Nested(BalanceLine), required=True)


class LedgerQuery(PageQuery):
    year = Year()


class LedgerEntryRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    type_code = ma.fields.String(required=True, data_key="type", metadata={"example": "annual"})
    kind = ma.fields.String(required=True)
    days = Days(required=True)
    request_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(required=True)
    actor = ma.fields.String(required=True)
    at = UTCDateTime(required=True)


class AdjustmentIn(ma.Schema):
    year = Year(required=True, metadata={"example": 2026})
    type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40),
                            metadata={"example": "annual"})
    days = ma.fields.Decimal(required=True, places=1, as_string=False, allow_nan=False,
                             validate=lambda d: abs(d) <= 366,
                             metadata={"minimum": -366, "maximum": 366,
                                       "description": "Days to add (negative: remove)."})
    note = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300),
                            metadata={"example": "carried over from 2025"})


# --- calendar and policy --------------------------------------------------------------------

class CalendarQuery(ma.Schema):
    year = Year()


class CalendarDay(ma.Schema):
    date = ma.fields.Date(required=True)
    working = ma.fields.Boolean(required=True)
    source = ma.fields.String(required=True, metadata={"enum": ["official", "override"]})
    note = ma.fields.String(required=True)


class OverrideRead(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"example": "2026-10-10"})
    working = ma.fields.Boolean(required=True)
    note = ma.fields.String(required=True)
    updated_by = ma.fields.String(required=True)
    updated_at = UTCDateTime(required=True)


class CalendarRead(ma.Schema):
    year = ma.fields.Integer(required=True, metadata={"example": 2026})
    calendar = ma.fields.String(required=True, metadata={"enum": ["official", "provisional"]})
    working_days = ma.fields.Integer(required=True)
    exceptions = ma.fields.List(ma.fields.Nested(CalendarDay), required=True, metadata={
        "description": "Every day that differs from Monday–Friday work, and why."})
    overrides = ma.fields.List(ma.fields.Nested(OverrideRead), required=True)


class OverrideIn(ma.Schema):
    working = JSONBoolean(required=True, metadata={"example": False})
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=200),
                            metadata={"example": "branch closed for the move"})


class OverrideResult(OverrideRead):
    recounted = ma.fields.List(ma.fields.Dict(), required=True, metadata={
        "description": "Pending requests whose days changed: {id, before, after}."})


class PolicyRead(ma.Schema):
    version = ma.fields.Integer(required=True, metadata={"example": 2})
    document = ma.fields.Dict(required=True)
    created_by = ma.fields.String(required=True)
    created_at = UTCDateTime(required=True)
    note = ma.fields.String(required=True)


class PolicyIn(ma.Schema):
    document = ma.fields.Dict(required=True, metadata={
        "description": "The whole policy document (version 1 format, as GET shows)."})
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=500),
                            metadata={"example": "department managers approve one day"})


# --- webhooks -------------------------------------------------------------------------------

class WebhookCreate(ma.Schema):
    url = ma.fields.Url(required=True, schemes={"http", "https"},
                        validate=ma.validate.Length(max=500))
    topics = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(TOPICS)),
                            required=True, validate=ma.validate.Length(min=1),
                            metadata={"example": ["leave.approved", "leave.cancelled"]})


class WebhookRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True, metadata={"example": "https://hr-events.example/leave"})
    topics = ma.fields.List(ma.fields.String(), required=True,
                            metadata={"example": ["leave.approved", "leave.cancelled"]})
    active = ma.fields.Boolean(required=True)
    created_by = ma.fields.String(required=True)
    created_at = UTCDateTime(required=True)


class WebhookCreated(WebhookRead):
    secret = ma.fields.String(required=True, metadata={
        "description": "HMAC-SHA256 signing secret; shown once."})


class FeedQuery(ma.Schema):
    since = ma.fields.Date(metadata={"description": "Events ending on or after (default: "
                                                    "90 days ago)."})
