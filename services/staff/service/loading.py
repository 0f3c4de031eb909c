"""First-start data: the job-duty catalogue (always) and the demo organisation (HR_DEMO).

Both go through the same use cases as the API (validated by the same schemas, audited as
the `system:*` actor), so a fixture can never hold what the API would refuse.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import marshmallow as ma
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.staff.models import Employee, OrgUnit, Position
from services.staff.schemas.employees import EmployeeCreate, RelationIn
from services.staff.schemas.org_units import OrgUnitCreate
from services.staff.schemas.positions import PositionCreate
from services.staff.service import assignments, employees, org_units, positions
from shared.audit import Actor
from shared.errors import AppError, flatten_errors

DATA = Path(__file__).resolve().parents[3] / "data"
CATALOGUE = DATA / "catalogue" / "positions.yaml"
DEMO = DATA / "demo" / "organisation.yaml"
log = logging.getLogger("hr.staff.loading")


class FixtureError(RuntimeError):
    """A fixture entry the API would refuse: names the entry and the reasons."""


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _load(schema: ma.Schema, entry: dict[str, Any], what: str) -> dict[str, Any]:
    try:
        return schema.load(entry)
    except ma.ValidationError as exc:
        raise FixtureError(f"{what}: {flatten_errors(exc.messages)}") from exc


def load_catalogue(*, session: Session, path: Path = CATALOGUE) -> int:
    """Add the catalogue's positions that the store does not have yet (by code); HR's
    edits to existing positions are kept. Returns how many were added."""
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("positions") or []
    existing = set(session.scalars(select(Position.code)))
    actor = Actor.system("system:catalogue")
    schema = PositionCreate()
    added = 0
    for entry in entries:
        if entry.get("code") in existing:
            continue
        data = _load(schema, entry, f"position {entry.get('code')}")
        positions.create_position(session=session, position_in=data, actor=actor, commit=False)
        existing.add(data["code"])
        added += 1
    session.commit()
    return added


def load_demo(*, session: Session, path: Path = DEMO) -> dict[str, int]:
    """Load the demo organisation into a store without org units (or do nothing)."""
    if _count(session, OrgUnit) or _count(session, Employee) or not path.exists():
        return {"org_units": 0, "employees": 0, "relations": 0}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    actor = Actor.system("system:demo")
    units = _parents_first(doc.get("org_units") or [])
    try:
        for entry in units:
            data = _load(OrgUnitCreate(), {**entry, "parent": entry.get("parent")},
                         f"org unit {entry.get('code')}")
            org_units.create_org_unit(session=session, unit_in=data, actor=actor, commit=False)
        people = doc.get("employees") or []
        for entry in _managers_first(people):
            what = f"employee {entry.get('employee_no')}"
            data = _load(EmployeeCreate(), _drop_none(entry), what)
            employees.create_employee(session=session, employee_in=data, actor=actor,
                                      commit=False)
        relations = doc.get("relations") or []
        for entry in relations:
            data = _load(RelationIn(), {k: entry.get(k) for k in ("related_no", "kind")},
                         f"relation of {entry.get('employee_no')}")
            assignments.declare_relation(session=session, employee_no=entry["employee_no"],
                                         actor=actor, commit=False, **data)
    except AppError as exc:
        session.rollback()
        raise FixtureError(f"{exc.detail} {exc.errors or ''}") from exc
    session.commit()
    return {"org_units": len(units), "employees": len(people), "relations": len(relations)}


def _drop_none(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if v is not None}


def _referenced_first(entries: list[dict[str, Any]], key: str,
                     ref: str) -> list[dict[str, Any]]:
    """`entries` ordered so that the one each names in `ref` (a unit's parent, a person's
    manager) comes before it; cycles and references outside the list are left as they are
    for validation to report."""
    by_key = {e[key]: e for e in entries}
    ordered: list[dict[str, Any]] = []
    done: set[str] = set()

    def visit(entry: dict[str, Any], trail: frozenset[str]) -> None:
        own = entry[key]
        if own in done or own in trail:
            return
        target = entry.get(ref)
        if target in by_key:
            visit(by_key[target], trail | {own})
        done.add(own)
        ordered.append(entry)

    for entry in entries:
        visit(entry, frozenset())
    return ordered


def _parents_first(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _referenced_first(units, "code", "parent")


def _managers_first(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _referenced_first(people, "employee_no", "manager")
