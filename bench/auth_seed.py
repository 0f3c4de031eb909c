"""Auth as production's auth knows the bench organisation, for the rows that ask it about
people (the leave flows' `POST /auth/role-holders`).

In production auth has long known every unit a role is bound over (`org_paths`: a binding
caches its unit's path, staff's org events keep them current) and the people who sign:
every 网点 has a head bound as `branch_head` over it, every governing branch an `hr`. An
empty auth would instead (a) ask staff for each unit it has never seen — a one-time cost
per unit that a 5-second row would pay on nearly every flow — and (b) find nobody holding
any step, so every step would be flagged `unassigned`, which no real request is. This
loads both, idempotently (a second environment round finds them there):

- every unit of `bench.staff_data`'s organisation: code → path (`source` "staff");
- a user per signer (username `bench-<employee_no>`, the token subject the bench gives
  them; a password nobody can log in with — the rows mint their tokens), bound as
  `branch_head` over their 网点 or `hr` over their governing unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from bench import leave_data, staff_data

#: Not an argon2 hash: no password verifies against it, so these users cannot log in.
NO_PASSWORD = "!bench-no-login"


def signers(history: leave_data.History) -> list[tuple[str, str, str]]:
    """(employee_no, role, unit code) of every 网点 head and governing unit's hr."""
    found: dict[tuple[str, str, str], None] = {}
    for route in history.routing.values():
        if route.outlet is not None and route.outlet_head:
            found[(route.outlet_head, "branch_head", route.outlet.code)] = None
        found[(route.hr, "hr", route.governing.code)] = None
    return list(found)


def seed(url: str, org: staff_data.Org, people: Iterable[tuple[str, str, str]]) -> dict[str, int]:
    """Load the paths and signers into auth's migrated store at `url`; returns counts of
    what was new (0s on a second call)."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from services.auth.models import OrgPath, RoleBinding, User
    from shared.db import engine_options, normalise_url

    url = normalise_url(url)
    engine = create_engine(url, **engine_options(url))
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    now = dt.datetime.now(dt.UTC)
    people = list(people)
    try:
        with engine.begin() as conn:
            units = conn.execute(insert(OrgPath).on_conflict_do_nothing(), [
                {"code": u.code, "path": u.path, "source": "staff", "updated_at": now,
                 "unit_type": u.type} for u in org.units]).rowcount
            numbers = sorted({no for no, _, _ in people})
            users = conn.execute(insert(User).on_conflict_do_nothing(), [
                {"username": leave_data.sub(no), "password_hash": NO_PASSWORD,
                 "display_name": no, "employee_no": no, "status": "active",
                 "created_at": now, "updated_at": now} for no in numbers]).rowcount
            ids = dict(conn.execute(select(User.employee_no, User.id)
                                    .where(User.employee_no.in_(numbers))).all())
            held = set(conn.execute(select(RoleBinding.user_id, RoleBinding.role,
                                           RoleBinding.org)
                                    .where(RoleBinding.user_id.in_(ids.values()))).all())
            rows: list[dict[str, Any]] = [
                {"user_id": ids[no], "role": role, "org": code, "created_at": now,
                 "created_by": "bench"}
                for no, role, code in people if (ids[no], role, code) not in held]
            if rows:
                conn.execute(insert(RoleBinding), rows)
    finally:
        engine.dispose()
    return {"units": max(0, units), "users": max(0, users), "bindings": len(rows)}
