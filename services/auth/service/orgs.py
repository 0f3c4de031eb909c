"""Org unit paths: the staff service owns the tree; auth caches `code -> path` in its own
database (`org_paths`) so that checks and tokens never wait on staff.

A path unknown to the cache is asked of staff (`GET /staff/org-units/{code}`) with a token auth
mints for itself; staff down → `ServiceUnavailable` (503). When staff moves a unit it tells
auth (`POST /auth/org-events`), and every cached path under the old one is rewritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.auth.models import AuditEvent, OrgPath
from shared.audit import Actor, record
from shared.errors import ServiceUnavailable
from shared.permissions import WHOLE_ORGANISATION

#: `lookup(code)` → the unit's path, None when staff does not know it; raises
#: `ServiceUnavailable` when staff cannot answer.
StaffLookup = Callable[[str], str | None]


@dataclass(frozen=True)
class UnitFacts:
    """What auth needs to know of a unit to bind a role over it."""

    path: str
    type: str | None


class UnitDirectory(Protocol):
    """A `StaffLookup` that can also say a unit's type (`service.staff_directory`)."""

    def __call__(self, code: str) -> str | None: ...

    def unit(self, code: str) -> UnitFacts | None: ...


def cached_paths(*, session: Session, codes: Iterable[str]) -> dict[str, str]:
    """The cached paths of `codes` in one query ("*" is the whole organisation)."""
    codes = set(codes)
    found = {WHOLE_ORGANISATION: WHOLE_ORGANISATION} if WHOLE_ORGANISATION in codes else {}
    wanted = codes - {WHOLE_ORGANISATION}
    if wanted:
        rows = session.execute(select(OrgPath.code, OrgPath.path)
                               .where(OrgPath.code.in_(wanted))).all()
        found.update({code: path for code, path in rows})
    return found


def resolve(*, session: Session, codes: Iterable[str], lookup: StaffLookup | None,
            now: dt.datetime) -> dict[str, str | None]:
    """Paths of `codes`: from the cache, else from staff (then cached); None = unknown unit."""
    codes = set(codes)
    found: dict[str, str | None] = dict(cached_paths(session=session, codes=codes))
    for code in sorted(codes - found.keys()):
        if lookup is None:
            raise ServiceUnavailable("The staff service is not configured; the unit is unknown.")
        path = lookup(code)
        found[code] = path
        if path:
            remember(session=session, code=code, path=path, source="staff", now=now)
    return found


def remember(*, session: Session, code: str, path: str, source: str, now: dt.datetime,
             unit_type: str | None = None) -> None:
    """Cache a unit's path (and its type when known: a known type is never forgotten)."""
    row = session.get(OrgPath, code)
    if row is None:
        # INSERT … ON CONFLICT DO NOTHING: two requests caching the same unit at once (the
        # same answer from staff) must not turn the second into a unique-key error.
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(OrgPath).values(
            code=code, path=path, source=source, updated_at=now, unit_type=unit_type,
        ).on_conflict_do_nothing(index_elements=["code"]))
    else:
        if row.path != path:
            row.path, row.source, row.updated_at = path, source, now
        if unit_type is not None and row.unit_type != unit_type:
            row.unit_type = unit_type
    session.flush()


def describe(*, session: Session, code: str, lookup: StaffLookup | None,
             now: dt.datetime) -> UnitFacts | None:
    """The unit's path and type: from the cache when both are there, else from staff (one
    call, then cached); None = unknown unit. "*" has no type. Types are cached for good:
    staff never changes a unit's type, and a move (`moved`) only rewrites paths."""
    if code == WHOLE_ORGANISATION:
        return UnitFacts(WHOLE_ORGANISATION, None)
    row = session.get(OrgPath, code)
    if row is not None and row.unit_type is not None:
        return UnitFacts(row.path, row.unit_type)
    unit = getattr(lookup, "unit", None)
    if unit is None:
        if lookup is None:
            raise ServiceUnavailable("The staff service is not configured; the unit is unknown.")
        path = row.path if row is not None else resolve(
            session=session, codes=[code], lookup=lookup, now=now)[code]
        return None if path is None else UnitFacts(path, None)
    facts: UnitFacts | None = unit(code)
    if facts is not None:
        remember(session=session, code=code, path=facts.path, source="staff", now=now,
                 unit_type=facts.type)
    return facts


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def moved(*, session: Session, code: str, old_path: str, new_path: str, actor: Actor,
          now: dt.datetime) -> int:
    """Re-path every cached unit at or under `old_path`; returns how many rows changed."""
    changed = 0
    rows = session.scalars(select(OrgPath).where(
        (OrgPath.path == old_path)
        | OrgPath.path.like(_escape_like(old_path) + "/%", escape="\\"))).all()
    for row in rows:
        row.path = new_path + row.path[len(old_path):]
        row.updated_at = now
        changed += 1
    if session.get(OrgPath, code) is None:
        session.add(OrgPath(code=code, path=new_path, source="staff", updated_at=now))
        changed += 1
    record(session, AuditEvent, actor=actor, action="org.moved", target_type="org_unit",
           target_id=code, before={"path": old_path}, after={"path": new_path, "rows": changed})
    session.commit()
    return changed

