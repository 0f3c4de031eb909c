"""The rulebook table (考核标准) and the performance policy (authority caps, appeal window).

Both are versioned data: an edit never updates a row, it adds the next version and marks
the old one superseded, so an incident that points at a rule row (or was judged with a cap)
keeps the exact numbers it was judged with, whatever the rulebook becomes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.performance.models.base import Money, db
from shared.audit import utcnow


class Rule(db.Model):  # type: ignore[name-defined]
    """One version of one rule of a rulebook (考核标准): demerit points and/or a bonus
    deduction range.

    `points` is what one occurrence costs (None for rules that only disqualify or deduct
    money); `deduction_min`/`deduction_max` bound the bonus deduction in yuan;
    `severities` lists what the rule allows beyond `normal` (`aggravated`, `egregious`) and
    `severity_consequences` what a severity brings (e.g. egregious → disqualification).
    `version` counts this rule's versions from 1; `rulebook_version` is the version of its
    rulebook this row was published in; exactly one row per code `is_current`.
    """

    __tablename__ = "rules"
    __table_args__ = (
        CheckConstraint("points IS NULL OR points > 0", name="points_positive"),
        CheckConstraint("deduction_min IS NULL OR deduction_min >= 0", name="deduction_min_nonneg"),
        CheckConstraint("deduction_min IS NULL OR deduction_max IS NULL "
                        "OR deduction_min <= deduction_max", name="deduction_range"),
        UniqueConstraint("code", "version", name="uq_rules_code_version"),
        Index("ix_rules_current_code", "code", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    rulebook: Mapped[str] = mapped_column(String(60))
    rulebook_version: Mapped[int] = mapped_column(Integer, default=1)
    category: Mapped[str] = mapped_column(String(40), index=True)
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    points: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deduction_min: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    deduction_max: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    consequence: Mapped[str | None] = mapped_column(String(40), nullable=True)
    severities: Mapped[Any] = mapped_column(JSON, default=list)
    severity_consequences: Mapped[Any] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(300))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                             default=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(200))
    change_reason: Mapped[str | None] = mapped_column(String(500))


class PolicyVersion(db.Model):  # type: ignore[name-defined]
    """One version of the performance policy (authority caps per role, appeal window, who
    confirms above a cap and who decides appeals): a JSON document, never edited in place."""

    __tablename__ = "policy_versions"
    __table_args__ = (
        Index("ix_policy_versions_current", "is_current", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    document: Mapped[Any] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by: Mapped[str] = mapped_column(String(200))
    change_reason: Mapped[str | None] = mapped_column(String(500))
