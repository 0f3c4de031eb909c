"""Tables the leave service owns."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.audit import make_audit_model
from shared.db import make_db

db = make_db()
AuditEvent = make_audit_model(db)


class LeaveType(db.Model):  # type: ignore[name-defined]
    """A kind of leave (请假类型); `counts` says whether working or calendar days count."""

    __tablename__ = "leave_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    counts: Mapped[str] = mapped_column(String(20))  # "working_days" | "calendar_days"
    paid: Mapped[bool] = mapped_column(Boolean, default=True)
    has_balance: Mapped[bool] = mapped_column(Boolean, default=False)
