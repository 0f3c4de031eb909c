"""The rulebook's schemas: rules as read, their versions, and a new version's body."""

from __future__ import annotations

import marshmallow as ma

from services.performance.schemas.fields import Money, UTCDateTime
from shared.web import PageQuery

SEVERITIES = ("normal", "aggravated", "egregious")


class RuleRead(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "FIR-02"})
    rulebook = ma.fields.String(required=True, metadata={"example": "first_inquiry"})
    category = ma.fields.String(required=True, metadata={
        "description": "e.g. ethics, basic_management, credit_operations, first_inquiry"})
    title_zh = ma.fields.String(required=True,
                                metadata={"example": "受到群众举报、客户投诉,情况属实"})
    title_en = ma.fields.String(required=True)
    points = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Demerit points one occurrence costs (positive), or null."})
    deduction_min = Money(required=True, allow_none=True, metadata={"example": 500})
    deduction_max = Money(required=True, allow_none=True, metadata={"example": 2000})
    consequence = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "e.g. disqualification, no_excellence; null when none."})
    severities = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(SEVERITIES[1:])), required=True,
        metadata={"description": "Severities the rule allows beyond `normal`."})
    severity_consequences = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), required=True,
        metadata={"description": "What a severity brings, e.g. {\"egregious\": "
                                 "\"disqualification\"}."})
    source = ma.fields.String(required=True, metadata={
        "example": "《银行支行客户经理职责》首问责任制 第四条(二)",
        "description": "Where the rule comes from: a source document, by its title "
                       "(listed in docs/domain.md), and its article."})
    version = ma.fields.Integer(required=True, metadata={
        "description": "This rule's version (from 1); incidents keep the one they were judged "
                       "under."})
    rulebook_version = ma.fields.Integer(required=True, metadata={
        "description": "The rulebook version this rule version was published in."})


class RuleQuery(PageQuery):
    category = ma.fields.String(validate=ma.validate.Length(min=1, max=40))


class RuleVersionRead(RuleRead):
    is_current = ma.fields.Boolean(required=True, metadata={"example": True})
    published_at = UTCDateTime(allow_none=True)
    published_by = ma.fields.String(allow_none=True)
    change_reason = ma.fields.String(allow_none=True)


class RuleChange(ma.Schema):
    """A rule's next version: the fields that change (the rest carry over) and why."""

    category = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    title_zh = ma.fields.String(validate=ma.validate.Length(min=1, max=300))
    title_en = ma.fields.String(validate=ma.validate.Length(min=1, max=300))
    points = ma.fields.Integer(allow_none=True, strict=True,
                               validate=ma.validate.Range(min=1, max=200))
    deduction_min = Money(allow_none=True, validate=ma.validate.Range(min=0, max=10**9))
    deduction_max = Money(allow_none=True, validate=ma.validate.Range(min=0, max=10**9),
                          metadata={"example": 2000})
    consequence = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    severities = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(SEVERITIES[1:])),
                                validate=ma.validate.Length(max=2))
    severity_consequences = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.OneOf(
        SEVERITIES[1:])), values=ma.fields.String(validate=ma.validate.Length(min=1, max=40)))
    source = ma.fields.String(validate=ma.validate.Length(min=1, max=300))
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500),
                              metadata={"example": "the branch committee's decision of 2026-11-30",
                                        "description": "Why the rule changes (audited)."})


class RuleCreate(RuleChange):
    """A new rule of a rulebook: everything a rule says, and why it is added."""

    code = ma.fields.String(required=True, validate=ma.validate.Regexp(
        r"^[A-Z][A-Z0-9-]{1,39}$", error="Capitals, digits and dashes, 2-40."),
        metadata={"example": "FIR-05"})
    category = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40),
                                metadata={"example": "first_inquiry"})
    title_zh = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    title_en = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    source = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class RulebookQuery(PageQuery):
    version = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=10**6))


class PolicyRead(ma.Schema):
    version = ma.fields.Integer(required=True, metadata={"example": 2})
    authority_caps = ma.fields.Dict(keys=ma.fields.String(), values=Money(), required=True,
                                    metadata={"description": "Yuan per role, inclusive."})
    over_cap_confirmer_roles = ma.fields.List(ma.fields.String(), required=True)
    appeal_window_days = ma.fields.Integer(required=True, metadata={"example": 15})
    appeal_decider_roles = ma.fields.List(ma.fields.String(), required=True)


class PolicyChange(ma.Schema):
    authority_caps = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(
        min=1, max=40)), values=Money(validate=ma.validate.Range(min=0, max=10**9)),
        required=True)
    over_cap_confirmer_roles = ma.fields.List(ma.fields.String(), required=True,
                                              validate=ma.validate.Length(min=1, max=6))
    appeal_window_days = ma.fields.Integer(required=True, strict=True,
                                           validate=ma.validate.Range(min=1, max=366),
                                           metadata={"example": 15})
    appeal_decider_roles = ma.fields.List(ma.fields.String(), required=True,
                                          validate=ma.validate.Length(min=1, max=6))
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500),
                              metadata={"example": "a longer appeal window"})
