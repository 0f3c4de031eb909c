"""The job-duty catalogue (岗位职责): positions with ordered duties, every edit versioned.

Why versions as snapshots plus a field diff: the history must say who changed what
("谁签字谁负责") and must show a past version whole without replaying edits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.staff.domain.org import like_escape
from services.staff.models import AuditEvent, Duty, Position, PositionVersion
from services.staff.service.common import get_position, paginate
from shared.audit import Actor, record, utcnow
from shared.errors import Conflict, ValidationFailed

FIELDS = ("name_zh", "name_en", "grade", "must_cover", "unit_types", "source",
          "requires_qualification", "duties")
DUTY_FIELDS = ("text_zh", "text_en", "category", "source")


def position_dict(position: Position) -> dict[str, Any]:
    return {
        "code": position.code, "name_zh": position.name_zh, "name_en": position.name_en,
        "grade": position.grade, "must_cover": position.must_cover,
        "unit_types": list(position.unit_types or []), "source": position.source,
        "requires_qualification": position.requires_qualification,
        "version": position.version,
        "duties": [{"no": d.seq, **{k: getattr(d, k) for k in DUTY_FIELDS}}
                   for d in position.duties],
    }


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The editable fields only, duties without their numbers (they follow the order)."""
    out = {k: data.get(k) for k in FIELDS if k != "duties"}
    out["unit_types"] = list(out["unit_types"] or [])
    out["duties"] = [{k: d.get(k) for k in DUTY_FIELDS} for d in data.get("duties") or []]
    return out


def _diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    before = before or {}
    return {k: {"before": before.get(k), "after": after[k]} for k in FIELDS
            if before.get(k) != after[k]}


def _apply(position: Position, values: dict[str, Any]) -> None:
    for key in FIELDS:
        if key == "duties":
            continue
        setattr(position, key, values[key])
    # Rewrite rows in place: replacing the list would insert new (position, seq) rows
    # before the old ones are deleted and trip the unique constraint.
    existing = list(position.duties)
    for i, d in enumerate(values["duties"], start=1):
        fields = {k: d.get(k) for k in DUTY_FIELDS}
        if i <= len(existing):
            for key, value in fields.items():
                setattr(existing[i - 1], key, value)
        else:
            position.duties.append(Duty(seq=i, **fields))
    for extra in existing[len(values["duties"]):]:
        position.duties.remove(extra)


def _check_duties(values: dict[str, Any]) -> None:
    errors = {f"duties.{i}.text_zh": ["Duplicate duty text."]
              for i, d in enumerate(values["duties"])
              if any(d["text_zh"] == e["text_zh"] for e in values["duties"][:i])}
    if errors:
        raise ValidationFailed("A position lists the same duty twice.", errors=errors)


def create_position(*, session: Session, position_in: dict[str, Any], actor: Actor,
                    commit: bool = True) -> Position:
    code = position_in["code"]
    if session.scalar(select(Position.id).where(Position.code == code)) is not None:
        raise Conflict(f"A position {code} already exists.")
    values = _comparable(position_in)
    _check_duties(values)
    position = Position(code=code, version=1)
    _apply(position, values)
    session.add(position)
    session.flush()
    _version(session, position, actor, _diff(None, values))
    record(session, AuditEvent, actor=actor, action="position.created", target_type="position",
           target_id=code, after=position_dict(position))
    if commit:
        session.commit()
    return position


def edit_position(*, session: Session, code: str, changes: dict[str, Any], actor: Actor,
                  replace: bool) -> Position:
    """PUT (`replace`: every field given) or PATCH; a new version only if something changed."""
    position = get_position(session, code)
    if changes.get("code", code) != code:
        message = "The code in the body differs from the one in the URL."
        raise ValidationFailed(message, errors={"code": [message]})
    before_full = position_dict(position)
    before = _comparable(before_full)
    if replace:
        merged = _comparable({"must_cover": False, "unit_types": [], "source": None,
                              "requires_qualification": None, **changes})
    else:
        merged = _comparable({**before, **changes})
    _check_duties(merged)
    diff = _diff(before, merged)
    if not diff:
        return position
    _apply(position, merged)
    position.version += 1
    position.updated_at = utcnow()
    session.flush()
    _version(session, position, actor, diff)
    record(session, AuditEvent, actor=actor, action="position.edited", target_type="position",
           target_id=code, before=before_full, after=position_dict(position))
    session.commit()
    return position


def _version(session: Session, position: Position, actor: Actor, diff: dict[str, Any]) -> None:
    session.add(PositionVersion(position_id=position.id, version=position.version,
                                actor=actor.sub, changes=diff,
                                snapshot=position_dict(position)))


def list_positions(*, session: Session, page: int, per_page: int, grade: str | None = None,
                   unit_type: str | None = None, q: str | None = None,
                   must_cover: bool | None = None) -> tuple[list[Position], int]:
    stmt = select(Position)
    if grade:
        stmt = stmt.where(Position.grade == grade)
    if must_cover is not None:
        stmt = stmt.where(Position.must_cover.is_(must_cover))
    if q:
        needle = f"%{like_escape(q)}%"
        stmt = stmt.where(Position.code.like(needle, escape="\\")
                          | Position.name_zh.like(needle, escape="\\")
                          | Position.name_en.like(needle, escape="\\"))
    items, total = paginate(session, stmt, page=page, per_page=per_page, order_by=Position.id)
    if unit_type:  # JSON containment differs per store: filter the (small) catalogue here
        every = session.scalars(stmt.order_by(Position.id)).all()
        matching = [p for p in every if unit_type in (p.unit_types or [])]
        start = (page - 1) * per_page
        return matching[start:start + per_page], len(matching)
    return items, total


def history(*, session: Session, code: str, page: int,
            per_page: int) -> tuple[list[PositionVersion], int]:
    position = get_position(session, code)
    stmt = select(PositionVersion).where(PositionVersion.position_id == position.id)
    return paginate(session, stmt, page=page, per_page=per_page,
                    order_by=PositionVersion.version.desc())
