"""Customer-visit schemas (定期访客制度): customers, visits and contacts, the tier policy and
compliance runs."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma

from services.performance.domain.visits import KINDS, WINDOWS
from services.performance.schemas.fields import Money, UTCDateTime
from shared.web import PageQuery

_CODE = ma.validate.Length(min=1, max=40)
#: NUMERIC(12, 2): the largest amount the store keeps.
_AMOUNT = ma.validate.Range(min=Decimal("0"), max=Decimal("9999999999.99"))
VISIT_STATUSES = ("reported", "confirmed", "logged")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


class CustomerCreate(ma.Schema):
    code = ma.fields.String(required=True, validate=[_CODE, ma.validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._-]*$", error="Letters, digits, '.', '_' and '-'.")],
                            metadata={"description": "Customer number 客户号, unique."})
    name = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=200),
                                                     _not_blank])
    deposits = Money(required=True, validate=_AMOUNT, metadata={"example": 6000000,
        "description": "Deposits 存款, yuan. The larger of deposits and credit decides the tier."})
    credit = Money(required=True, validate=_AMOUNT,
                   metadata={"example": 0, "description": "Credit 授信, yuan."})
    manager = ma.fields.String(required=True, validate=_CODE, metadata={"example": "E0024",
        "description": "The customer manager's employee number; the customer is kept by the "
                       "manager's 网点 (else the manager's unit)."})
    since = ma.fields.Date(metadata={
        "description": "When the relationship began (default today); a customer is first "
                       "checked in the first whole window after it."})


class CustomerUpdate(ma.Schema):
    deposits = Money(validate=_AMOUNT, metadata={"example": 1200000})
    credit = Money(validate=_AMOUNT)
    manager = ma.fields.String(validate=_CODE, metadata={
        "description": "A new manager: the customer moves to their 网点."})

    @ma.validates_schema
    def _something(self, data: dict, **_: object) -> None:
        if not data:
            raise ma.ValidationError("Change at least one of deposits, credit, manager.")


class CustomerRead(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True, metadata={"example": "和平商贸有限公司"})
    deposits = Money(required=True, metadata={"example": 6000000})
    credit = Money(required=True)
    manager = ma.fields.String(required=True, metadata={"example": "E0024"})
    unit = ma.fields.String(required=True, metadata={"description": "The unit keeping it."})
    since = ma.fields.Date(required=True)
    created_at = UTCDateTime(required=True)
    created_by = ma.fields.String(required=True)


class CustomerQuery(PageQuery):
    manager = ma.fields.String(validate=_CODE)


class VisitCreate(ma.Schema):
    customer = ma.fields.String(required=True, validate=_CODE)
    employee_no = ma.fields.String(validate=_CODE, metadata={
        "description": "Who made the contact (default: the caller)."})
    on = ma.fields.Date(required=True, metadata={
        "example": "2026-11-12", "description": "The day; not in the future."})
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS), metadata={
        "description": "visit 走访 (its report is confirmed by the branch head), phone or sms "
                       "(no confirmation; counts only for tiers that allow it)."})
    report = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=4000),
                                                       _not_blank],
                              metadata={"example": "Reviewed the company's deposit plans.",
                                        "description": "The visit report 访客报告 or a note."})


class VisitRead(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 1})
    customer = ma.fields.String(required=True)
    employee_no = ma.fields.String(required=True, metadata={"example": "E0024"})
    on = ma.fields.Date(required=True, metadata={"example": "2026-11-12"})
    kind = ma.fields.String(required=True, metadata={"enum": list(KINDS)})
    report = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={
        "enum": list(VISIT_STATUSES),
        "description": "reported (a visit awaiting confirmation), confirmed, or logged (a "
                       "phone/SMS contact)."})
    recorded_by = ma.fields.String(required=True)
    recorded_at = UTCDateTime(required=True)
    confirmed_by = ma.fields.String(allow_none=True)
    confirmed_at = UTCDateTime(allow_none=True)


class VisitQuery(PageQuery):
    customer = ma.fields.String(validate=_CODE)
    employee_no = ma.fields.String(validate=_CODE)
    status = ma.fields.String(validate=ma.validate.OneOf(VISIT_STATUSES))


class Tier(ma.Schema):
    code = ma.fields.String(required=True, validate=_CODE)
    min_amount = Money(required=True, validate=_AMOUNT)
    required = ma.fields.Integer(required=True, strict=True,
                                 validate=ma.validate.Range(min=1, max=100),
                                 metadata={"example": 2})
    window = ma.fields.String(required=True, validate=ma.validate.OneOf(WINDOWS))
    counts = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(KINDS)), required=True,
                            validate=ma.validate.Length(min=1, max=len(KINDS)))


class VisitTiersUpdate(ma.Schema):
    tiers = ma.fields.List(ma.fields.Nested(Tier), required=True,
                           validate=ma.validate.Length(min=1, max=20))
    missed_visit_rule = ma.fields.String(required=True, validate=_CODE, metadata={
        "description": "The rule a missed visit is proposed under (CM-BAS-01)."})
    reason = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=500),
                                                       _not_blank],
                              metadata={"example": "monthly visits for the largest customers"})


class VisitTiersRead(ma.Schema):
    version = ma.fields.Integer(required=True, metadata={"example": 1})
    basis = ma.fields.String(required=True, metadata={
        "description": "Which amount decides the tier: the larger of deposits and credit."})
    missed_visit_rule = ma.fields.String(required=True, metadata={"example": "CM-BAS-01"})
    tiers = ma.fields.List(ma.fields.Nested(Tier), required=True)
    published_at = UTCDateTime(required=True)
    published_by = ma.fields.String(required=True)
    change_reason = ma.fields.String(allow_none=True)


class ComplianceRunCreate(ma.Schema):
    org = ma.fields.String(required=True, validate=_CODE, metadata={"example": "SB01"})
    period = ma.fields.String(required=True, validate=ma.validate.Regexp(
        r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", error="A month, YYYY-MM."), metadata={"example": "2026-11",
        "description": "A month that is over; June and December also close the half-year "
                       "tier's window."})


class ComplianceGapRead(ma.Schema):
    customer = ma.fields.String(required=True)
    customer_name = ma.fields.String(required=True)
    manager = ma.fields.String(required=True)
    tier = ma.fields.String(required=True)
    window_start = ma.fields.Date(required=True)
    window_end = ma.fields.Date(required=True)
    required = ma.fields.Integer(required=True)
    done = ma.fields.Integer(required=True)
    missing = ma.fields.Integer(required=True)
    incidents = ma.fields.List(ma.fields.Integer(), required=True, metadata={
        "description": "The −1 incidents proposed for this gap (status recorded until "
                       "someone confirms or dismisses them), by this run or an earlier one."})
    newly_proposed = ma.fields.Integer(required=True)
    unproposed = ma.fields.Integer(required=True, metadata={
        "description": "Missed visits this caller could not propose (e.g. the manager is "
                       "now outside the caller's scope)."})


class ComplianceRunSummary(ma.Schema):
    id = ma.fields.Integer(required=True)
    org = ma.fields.String(required=True, attribute="org_code", metadata={"example": "SB01"})
    period = ma.fields.String(required=True, metadata={"example": "2026-11"})
    policy_version = ma.fields.Integer(required=True)
    customers_checked = ma.fields.Integer(required=True)
    proposed = ma.fields.Integer(required=True)
    run_by = ma.fields.String(required=True)
    run_at = UTCDateTime(required=True)


class ComplianceRunQuery(PageQuery):
    org = ma.fields.String(validate=_CODE)
    period = ma.fields.String(validate=ma.validate.Regexp(r"^[1-9]\d{3}-(0[1-9]|1[0-2])$",
                                                          error="A month, YYYY-MM."))


class ComplianceRunRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    org = ma.fields.String(required=True, metadata={"example": "SB01"})
    period = ma.fields.String(required=True, metadata={"example": "2026-11"})
    policy_version = ma.fields.Integer(required=True)
    customers_checked = ma.fields.Integer(required=True)
    proposed = ma.fields.Integer(required=True, metadata={
        "description": "Incidents this run proposed (0 when run again)."})
    run_by = ma.fields.String(required=True)
    run_at = UTCDateTime(required=True)
    gaps = ma.fields.List(ma.fields.Nested(ComplianceGapRead), required=True)
