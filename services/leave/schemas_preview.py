"""Schemas of the two questions asked before filing: what would filing decide (the preview)
and who could stand in. Apart from `schemas.py` only to keep each module short."""

from __future__ import annotations

import marshmallow as ma

from services.leave.schemas import HALVES, Days, LeaveRequestCreate

STAND_IN_REASONS = ("not_active", "on_leave", "leave_pending")
WARNINGS = ("overlap", "stand_in", "balance", "provisional_calendar", "unassigned_step")


class LeaveRequestPreviewIn(LeaveRequestCreate):
    """The body of `POST /leave/requests`, `reason` optional."""

    reason = ma.fields.String(validate=ma.validate.Length(min=1, max=1000),
                              metadata={"example": "family matters"})


class PreviewStep(ma.Schema):
    level = ma.fields.Integer(required=True, metadata={"example": 1})
    role = ma.fields.String(required=True, metadata={"example": "branch_head"})
    org = ma.fields.String(required=True, metadata={"example": "SB01"})
    org_path = ma.fields.String(required=True, metadata={"example": "HQ/BR01/SB01"})
    org_type = ma.fields.String(allow_none=True, metadata={
        "example": "sub_branch", "description": "The unit's type (null: the whole "
                                                "organisation, `admin`'s last resort)."})
    final = ma.fields.Boolean(required=True)
    preliminary = ma.fields.Boolean(required=True, metadata={
        "description": "An active step before the final one (初审)."})
    status = ma.fields.String(required=True, metadata={"enum": ["pending", "waiting",
                                                                "skipped"]})
    skipped_because = ma.fields.String(allow_none=True, metadata={
        "enum": ["requester_holds_role"],
        "description": "Why a skipped step is skipped: the requester holds its role there "
                       "and nobody decides their own leave."})
    unassigned = ma.fields.Boolean(required=True, metadata={
        "description": "Nobody holds the role over the unit today (auth says so)."})


class PreviewRelated(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 12})
    type = ma.fields.String(required=True, metadata={"example": "sick"})
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    days = Days(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["pending", "approved"]})


class PreviewBalance(ma.Schema):
    year = ma.fields.Integer(required=True, metadata={"example": 2026})
    remaining_before = Days(required=True, metadata={"example": 10})
    days = Days(required=True, metadata={"example": 6})
    remaining_after = Days(required=True, metadata={
        "example": 4, "description": "Negative: filing would be refused (409)."})


class PreviewStandIn(ma.Schema):
    required = ma.fields.Boolean(required=True, metadata={
        "description": "The requester's position must be covered (不得空岗)."})
    given = ma.fields.String(allow_none=True, metadata={"example": "E0020"})
    acceptable = ma.fields.Boolean(allow_none=True, metadata={
        "description": "The given stand-in would be accepted (null: none given)."})
    problem = ma.fields.String(allow_none=True, metadata={
        "description": "Why filing would refuse the stand-in (422), if it would. Whether "
                       "the colleague is on leave or not active is said only to a caller "
                       "holding leave:read or leave:approve over the unit."})


class PreviewWarning(ma.Schema):
    code = ma.fields.String(required=True, metadata={"enum": list(WARNINGS)})
    blocking = ma.fields.Boolean(required=True, metadata={
        "description": "Filing would be refused (`status` says how)."})
    status = ma.fields.Integer(allow_none=True, metadata={"example": 409})
    message = ma.fields.String(required=True)


class LeaveRequestPreview(ma.Schema):
    employee_no = ma.fields.String(required=True, metadata={"example": "E0019"})
    type = ma.fields.String(required=True, metadata={"example": "personal"})
    counts = ma.fields.String(required=True, metadata={"enum": ["working_days",
                                                                "calendar_days"]})
    start_date = ma.fields.Date(required=True, metadata={"example": "2027-03-01"})
    end_date = ma.fields.Date(required=True, metadata={"example": "2027-03-08"})
    start_half = ma.fields.String(allow_none=True, metadata={"enum": list(HALVES)})
    end_half = ma.fields.String(allow_none=True, metadata={"enum": list(HALVES)})
    days = Days(required=True, metadata={"example": 6})
    days_by_year = ma.fields.Dict(keys=ma.fields.String(), values=Days(), required=True,
                                  metadata={"example": {"2027": 6}})
    calendar = ma.fields.String(required=True, metadata={"enum": ["official", "provisional"]})
    org = ma.fields.String(required=True, metadata={"example": "SB01_HALL"})
    governing_branch = ma.fields.String(required=True, metadata={"example": "BR01"})
    policy_version = ma.fields.Integer(required=True, metadata={"example": 1})
    routed_days = Days(required=True, metadata={
        "example": 6, "description": "This request's days plus those of the requests it "
                                     "forms one absence with (anti-splitting)."})
    related_requests = ma.fields.List(ma.fields.Integer(), required=True)
    related = ma.fields.List(ma.fields.Nested(PreviewRelated), required=True)
    steps = ma.fields.List(ma.fields.Nested(PreviewStep), required=True)
    balance = ma.fields.List(ma.fields.Nested(PreviewBalance), allow_none=True, metadata={
        "description": "Per calendar year; null for a type without a balance."})
    stand_in = ma.fields.Nested(PreviewStandIn, required=True)
    overlapping = ma.fields.List(ma.fields.Integer(), required=True, metadata={
        "description": "Pending or approved requests of the employee it overlaps (409)."})
    warnings = ma.fields.List(ma.fields.Nested(PreviewWarning), required=True)
    would_file = ma.fields.Boolean(required=True, metadata={
        "description": "Filing now would succeed (no blocking warning)."})


class StandInQuery(ma.Schema):
    start_date = ma.fields.Date(required=True, metadata={"example": "2027-03-01"})
    end_date = ma.fields.Date(required=True, metadata={"example": "2027-03-08"})
    start_half = ma.fields.String(validate=ma.validate.OneOf(HALVES))
    end_half = ma.fields.String(validate=ma.validate.OneOf(HALVES))


class StandInRead(ma.Schema):
    employee_no = ma.fields.String(required=True, metadata={"example": "E0020"})
    name = ma.fields.String(required=True, metadata={"example": "许文博"})
    name_en = ma.fields.String(allow_none=True)
    position = ma.fields.String(required=True, metadata={"example": "CASH_TELLER"})
    available = ma.fields.Boolean(required=True)
    reason = ma.fields.String(allow_none=True, metadata={
        "enum": list(STAND_IN_REASONS),
        "description": "Why not available: not active, approved leave or pending leave "
                       "over those dates (null: available). Only for a caller holding "
                       "leave:read or leave:approve over the unit (its head, its hr); "
                       "absent for anyone else, who learns only `available`."})


class StandInsRead(ma.Schema):
    employee_no = ma.fields.String(required=True, metadata={"example": "E0019"})
    org = ma.fields.String(required=True, metadata={"example": "SB01_HALL"})
    must_cover = ma.fields.Boolean(required=True, metadata={
        "description": "The caller's position must be covered: filing needs a stand-in."})
    items = ma.fields.List(ma.fields.Nested(StandInRead), required=True)
