"""Use cases of the leave service. Keyword-only, Flask-free, raising shared domain errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.leave.models import LeaveType

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference" / "leave_types.yaml"


def load_reference_data(*, session: Session) -> int:
    """Load the leave types into an empty store (first start); returns how many were added."""
    if session.scalar(select(func.count()).select_from(LeaveType)):
        return 0
    entries = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))["leave_types"]
    session.add_all(LeaveType(**entry) for entry in entries)
    session.commit()
    return len(entries)


def list_types(*, session: Session, page: int, per_page: int) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(LeaveType)) or 0
    rows = session.scalars(
        select(LeaveType).order_by(LeaveType.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total
