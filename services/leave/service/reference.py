"""Leave types and the routing policy: reference data loaded on first start, then edited by
HR (`leave:policy`), every change audited and the policy versioned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.leave.domain.errors import LeaveRuleError, PolicyError
from services.leave.domain.notice import check_window
from services.leave.domain.policy import (
    DEFAULT_POLICY_PATH,
    RoutingPolicy,
    calendar_overrides,
)
from services.leave.models import AuditEvent, CalendarOverride, LeaveType, PolicyVersion
from shared.audit import Actor, record
from shared.errors import Conflict, NotFound, ValidationFailed

REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference" / "leave_types.yaml"
TYPE_FIELDS = ("name_zh", "name_en", "counts", "paid", "has_balance", "needs_attachment",
               "min_notice_days", "max_days_back", "active")


def load_reference_data(*, session: Session) -> int:
    """Load the leave types and the default policy into an empty store (first start);
    returns how many types were added."""
    added = 0
    if not session.scalar(select(func.count()).select_from(LeaveType)):
        entries = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))["leave_types"]
        session.add_all(LeaveType(**entry) for entry in entries)
        added = len(entries)
    if not session.scalar(select(func.count()).select_from(PolicyVersion)):
        document = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
        RoutingPolicy.from_mapping(document)  # the shipped file must parse
        for day, working in calendar_overrides(document).items():
            session.add(CalendarOverride(day=day, working=working, note="reference data",
                                         updated_by="reference-data"))
        session.add(PolicyVersion(version=1, document=_jsonable(document),
                                  created_by="reference-data", note="default policy"))
        record(session, AuditEvent, actor=Actor.system("reference-data"),
               action="policy.publish", target_type="policy", target_id="1")
    session.commit()
    return added


def _jsonable(document: Any) -> Any:
    """YAML dates (calendar overrides) as ISO text, so the document is stored as JSON."""
    if isinstance(document, dict):
        return {str(k): _jsonable(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_jsonable(v) for v in document]
    if hasattr(document, "isoformat"):
        return document.isoformat()
    return document


# --- leave types ----------------------------------------------------------------------------

def list_types(*, session: Session, page: int, per_page: int,
               include_inactive: bool = False) -> tuple[list[Any], int]:
    query = select(LeaveType)
    if not include_inactive:
        query = query.where(LeaveType.active.is_(True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(LeaveType.id).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def get_type(session: Session, code: str) -> LeaveType:
    found = session.scalar(select(LeaveType).where(LeaveType.code == code))
    if found is None:
        raise NotFound(f"No leave type {code}.")
    return found


def type_dict(leave_type: LeaveType) -> dict[str, Any]:
    return {"code": leave_type.code, **{f: getattr(leave_type, f) for f in TYPE_FIELDS}}


def _check_window(min_notice_days: int, max_days_back: int) -> None:
    """A type needs notice or may be filed after the fact, not both (domain/notice.py)."""
    try:
        check_window(min_notice_days, max_days_back)
    except LeaveRuleError as exc:
        raise ValidationFailed(str(exc), errors={"max_days_back": [str(exc)]}) from exc


def create_type(*, session: Session, type_in: dict[str, Any], actor: Actor) -> LeaveType:
    _check_window(type_in.get("min_notice_days", 0), type_in.get("max_days_back", 0))
    if session.scalar(select(LeaveType.id).where(LeaveType.code == type_in["code"])):
        raise Conflict(f"The leave type {type_in['code']} exists already.")
    leave_type = LeaveType(**type_in)
    session.add(leave_type)
    session.flush()
    record(session, AuditEvent, actor=actor, action="leave_type.create",
           target_type="leave_type", target_id=leave_type.code, after=type_dict(leave_type))
    session.commit()
    return leave_type


def update_type(*, session: Session, code: str, changes: dict[str, Any],
                actor: Actor) -> LeaveType:
    """Change a type; filed requests keep the days they were counted with."""
    leave_type = get_type(session, code)
    _check_window(changes.get("min_notice_days", leave_type.min_notice_days),
                  changes.get("max_days_back", leave_type.max_days_back))
    before = type_dict(leave_type)
    for key, value in changes.items():
        setattr(leave_type, key, value)
    record(session, AuditEvent, actor=actor, action="leave_type.update",
           target_type="leave_type", target_id=code, before=before, after=type_dict(leave_type))
    session.commit()
    return leave_type


# --- the routing policy ---------------------------------------------------------------------

def current_policy_row(session: Session) -> PolicyVersion:
    row = session.scalar(select(PolicyVersion).order_by(PolicyVersion.version.desc()).limit(1))
    if row is None:  # prepare() always loads one; a store without it is not usable
        raise NotFound("No leave policy has been published.")
    return row


def current_policy(session: Session) -> tuple[int, RoutingPolicy]:
    row = current_policy_row(session)
    return row.version, RoutingPolicy.from_mapping(row.document)


def policy_dict(row: PolicyVersion) -> dict[str, Any]:
    return {"version": row.version, "document": row.document, "created_by": row.created_by,
            "created_at": row.created_at, "note": row.note}


def publish_policy(*, session: Session, document: dict[str, Any], note: str,
                   actor: Actor) -> PolicyVersion:
    """A new version of the policy. Checked by the same strict parser that routes, so a
    misspelt key is a 422 here, never a silent default at routing time. Requests already
    filed keep the version they were routed under (docs/api.md: not re-routed)."""
    try:
        RoutingPolicy.from_mapping(document)
    except PolicyError as exc:
        raise ValidationFailed(str(exc), errors={"document": [str(exc)]}) from exc
    previous = current_policy_row(session)
    row = PolicyVersion(version=previous.version + 1, document=document,
                        created_by=actor.sub, note=note)
    session.add(row)
    session.flush()
    record(session, AuditEvent, actor=actor, action="policy.publish", target_type="policy",
           target_id=str(row.version), before={"version": previous.version},
           after={"version": row.version, "note": note})
    session.commit()
    return row
