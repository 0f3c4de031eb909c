"""Org units: create, read, list, subtree, move (re-path in one statement), (de)activate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session, lazyload

from services.staff.domain import org as rules
from services.staff.models import AuditEvent, Employee, OrgUnit
from services.staff.service import outbox
from services.staff.service.common import (
    EVERYTHING,
    Sight,
    get_unit,
    paginate,
    storable,
    subtree_clause,
    within_any,
)
from shared.audit import Actor, record
from shared.errors import Conflict, ValidationFailed

ACTIVE_STAFF = ("active", "suspended")


def unit_dict(unit: OrgUnit) -> dict[str, Any]:
    return {"code": unit.code, "name_zh": unit.name_zh, "name_en": unit.name_en,
            "type": unit.type, "parent": unit.parent_code, "path": unit.path,
            "active": unit.active}


def create_org_unit(*, session: Session, unit_in: dict[str, Any], actor: Actor,
                    commit: bool = True) -> OrgUnit:
    """Add a unit under `parent` (or as a root) after checking the nesting rules."""
    code = unit_in["code"]
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise Conflict(f"An org unit {code} already exists.")
    parent = None
    if unit_in.get("parent") is not None:
        parent = get_unit(session, unit_in["parent"], field="parent")
        if not parent.active:
            raise Conflict(f"The parent unit {parent.code} is inactive.")
    message = rules.nesting_error(unit_in["type"], parent.type if parent else None)
    if message:
        raise ValidationFailed(message, errors={"type": [message]})
    unit = OrgUnit(code=code, name_zh=unit_in["name_zh"], name_en=unit_in.get("name_en"),
                   type=unit_in["type"], parent=parent, active=True,
                   path=rules.child_path(parent.path if parent else None, code))
    session.add(unit)
    session.flush()
    record(session, AuditEvent, actor=actor, action="org_unit.created", target_type="org_unit",
           target_id=code, after=unit_dict(unit))
    if commit:
        session.commit()
    return unit


def list_org_units(*, session: Session, scopes: list[str] | None, page: int, per_page: int,
                   type: str | None = None, parent: str | None = None,
                   under: str | None = None, active: bool | None = None,
                   q: str | None = None,
                   sight: Sight = EVERYTHING) -> tuple[list[OrgUnit], int]:
    """Units in `scopes`, filtered; a `parent` or `under` the caller does not know (`sight`)
    answers as an unknown code."""
    stmt = select(OrgUnit)
    scope_filter = within_any(OrgUnit.path, scopes)
    if scope_filter is not None:
        stmt = stmt.where(scope_filter)
    if type:
        stmt = stmt.where(OrgUnit.type == type)
    if parent:
        stmt = stmt.where(OrgUnit.parent_id == get_unit(session, parent, field="parent",
                                                        sight=sight).id)
    if under:
        stmt = stmt.where(subtree_clause(OrgUnit.path, get_unit(session, under, field="under",
                                                                sight=sight).path))
    if active is not None:
        stmt = stmt.where(OrgUnit.active.is_(active))
    if q:
        needle = f"%{rules.like_escape(q.lower())}%"
        stmt = stmt.where(func.lower(OrgUnit.code).like(needle, escape="\\")
                          | OrgUnit.name_zh.like(needle, escape="\\")
                          | func.lower(OrgUnit.name_en).like(needle, escape="\\"))
    return paginate(session, stmt, page=page, per_page=per_page, order_by=OrgUnit.path)


def subtree(session: Session, path: str) -> list[OrgUnit]:
    """Every unit at or below `path`: one indexed query, ordered so parents come first."""
    return list(session.scalars(
        select(OrgUnit).where(subtree_clause(OrgUnit.path, path)).order_by(OrgUnit.path)))


def tree(*, session: Session, code: str) -> dict[str, Any]:
    """The unit as a nested object `{code, name_zh, name_en, type, path, active, children}`."""
    root = get_unit(session, code)
    nodes: dict[str, dict[str, Any]] = {}
    for unit in subtree(session, root.path):
        node = {"code": unit.code, "name_zh": unit.name_zh, "name_en": unit.name_en,
                "type": unit.type, "path": unit.path, "active": unit.active, "children": []}
        nodes[unit.path] = node
        parent_path = unit.path.rpartition("/")[0]
        if unit.path != root.path and parent_path in nodes:
            nodes[parent_path]["children"].append(node)
    return nodes[root.path]


def move_org_unit(*, session: Session, code: str, parent_code: str, actor: Actor,
                  check_write: Any = None) -> tuple[OrgUnit, bool]:
    """Re-parent a unit and re-path its whole subtree in one transaction.

    Returns `(unit, moved)`; a move to the current parent changes nothing. The event for
    auth is written to the outbox in the same transaction and delivered after commit.
    `check_write(old_parent, new_parent)` (units; the old parent is None for a root) lets
    the caller apply its scope rule once both parents are known.
    """
    unit = _locked(session, code) or get_unit(session, code)
    new_parent = _locked(session, parent_code) or get_unit(session, parent_code, field="parent")
    old_parent = unit.parent
    if check_write is not None:
        check_write(old_parent, new_parent)
    if old_parent is not None and old_parent.id == new_parent.id:
        return unit, False
    if rules.is_within(new_parent.path, unit.path):
        message = "A unit cannot move under itself or its own subtree."
        raise ValidationFailed(message, errors={"parent": [message]})
    message = rules.nesting_error(unit.type, new_parent.type)
    if message:
        raise ValidationFailed(message, errors={"parent": [message]})
    if not new_parent.active:
        raise Conflict(f"The new parent {new_parent.code} is inactive.")
    old_path = unit.path
    new_path = rules.child_path(new_parent.path, unit.code)
    before = unit_dict(unit)
    moved = session.execute(
        update(OrgUnit)
        .where(subtree_clause(OrgUnit.path, old_path))
        .values(path=literal(new_path) + func.substr(OrgUnit.path, len(old_path) + 1))
        .execution_options(synchronize_session=False)
    ).rowcount
    unit.parent_id = new_parent.id
    session.flush()
    session.expire_all()
    unit = get_unit(session, code)
    record(session, AuditEvent, actor=actor, action="org_unit.moved", target_type="org_unit",
           target_id=code, before=before, after={**unit_dict(unit), "units_moved": moved})
    outbox.enqueue(session, destination="auth", path="/auth/org-events",
                   payload={"event": "moved", "code": code, "old_path": old_path,
                            "new_path": new_path})
    session.commit()
    return unit, True


def _locked(session: Session, code: str) -> OrgUnit | None:
    """The unit, row-locked on PostgreSQL so that concurrent moves re-read fresh paths
    (READ COMMITTED hands a waiting `FOR UPDATE` the committed row); SQLite serialises
    writers anyway and ignores the clause."""
    if not storable(code):
        return None
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code)
                          .options(lazyload(OrgUnit.parent)).with_for_update())


def update_org_unit(*, session: Session, code: str, changes: dict[str, Any],
                    actor: Actor) -> OrgUnit:
    """Rename or (de)activate; deactivating a unit with active staff or children is a 409."""
    unit = get_unit(session, code)
    before = unit_dict(unit)
    if changes.get("active") is False and unit.active:
        _check_can_deactivate(session, unit)
    if changes.get("active") is True and not unit.active and unit.parent is not None \
            and not unit.parent.active:
        raise Conflict(f"The parent unit {unit.parent.code} is inactive.")
    for key in ("name_zh", "name_en", "active"):
        if key in changes:
            setattr(unit, key, changes[key])
    after = unit_dict(unit)
    if after != before:
        action = "org_unit.updated"
        if before["active"] != after["active"]:
            action = "org_unit.activated" if after["active"] else "org_unit.deactivated"
        record(session, AuditEvent, actor=actor, action=action, target_type="org_unit",
               target_id=code, before=before, after=after)
    session.commit()
    return unit


def _check_can_deactivate(session: Session, unit: OrgUnit) -> None:
    staff = session.scalar(select(func.count()).select_from(Employee).where(
        Employee.unit_id == unit.id, Employee.status.in_(ACTIVE_STAFF))) or 0
    children = session.scalar(select(func.count()).select_from(OrgUnit).where(
        OrgUnit.parent_id == unit.id, OrgUnit.active.is_(True))) or 0
    if staff or children:
        raise Conflict(f"{unit.code} still has {staff} active staff and {children} active "
                       "child units; move or deactivate them first.",
                       active_staff=staff, active_children=children)


def head_office_path(session: Session, path: str) -> bool:
    """Is `path` the head office, or a department of it (the catalogue editors' scope)?"""
    codes = rules.ancestor_codes(path)
    units = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    for code in reversed(codes):
        unit = units.get(code)
        if unit is None:
            return False
        if unit.type != rules.DEPARTMENT:
            return unit.type == rules.HEAD_OFFICE
    return False
