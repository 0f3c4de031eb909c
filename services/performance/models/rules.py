"""The rulebook table (考核标准)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.performance.models.base import Money, db


class Rule(db.Model):  # type: ignore[name-defined]
    """One rule of a rulebook (考核标准): demerit points and/or a bonus deduction range.

    `points` is what one occurrence costs (None for rules that only disqualify or deduct
    money); `deduction_min`/`deduction_max` bound the bonus deduction in yuan;
    `severities` lists what the rule allows beyond `normal` (`aggravated`, `egregious`) and
    `severity_consequences` what a severity brings (e.g. egregious → disqualification).
    """

    __tablename__ = "rules"
    __table_args__ = (
        CheckConstraint("points IS NULL OR points > 0", name="points_positive"),
        CheckConstraint("deduction_min IS NULL OR deduction_min >= 0", name="deduction_min_nonneg"),
        CheckConstraint("deduction_min IS NULL OR deduction_max IS NULL "
                        "OR deduction_min <= deduction_max", name="deduction_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
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
