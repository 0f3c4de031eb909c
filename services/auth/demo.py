"""Demo users for `make run` (loaded unless HR_DEMO=0) from `data/demo/organisation.yaml`.

DEMO_PASSWORD is demo-only: every demo user signs in with it; it is printed by `make run` and
listed in the README, and must never exist in production (HR_DEMO=0 there). Org paths of the
demo units are computed from the fixture's parent chain (codes joined by "/") and cached, so
auth starts and serves before staff does.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.auth.models import AuditEvent, OrgPath, RoleBinding, User
from services.auth.service import orgs, passwords
from shared.audit import Actor, record
from shared.settings import Settings

DEMO_PASSWORD = "Demo-Branch-2026!"  # noqa: S105 - demo-only, documented, never production
DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "demo" / "organisation.yaml"
log = logging.getLogger("hr.auth")


def org_paths(units: list[dict[str, Any]]) -> dict[str, str]:
    """`code -> "HQ/BR01/SB01"` from a list of units with `parent` codes."""
    parents = {u["code"]: u.get("parent") for u in units}
    paths: dict[str, str] = {}

    def path_of(code: str, seen: tuple[str, ...] = ()) -> str:
        if code in paths:
            return paths[code]
        if code in seen:
            raise ValueError(f"org unit {code} is its own ancestor")
        parent = parents.get(code)
        paths[code] = code if not parent else f"{path_of(parent, (*seen, code))}/{code}"
        return paths[code]

    for code in parents:
        path_of(code)
    return paths


def load_demo(*, session: Session, settings: Settings, now: dt.datetime,
              path: Path = DEMO_FILE) -> int:
    """Cache the demo units' paths and create the demo users with their bindings, once.

    Returns how many users were created (0 when they exist already or there is no file)."""
    if not path.exists():
        log.warning("no demo organisation at %s; demo users not loaded", path)
        return 0
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    types = {u["code"]: u.get("type") for u in data.get("org_units") or []}
    for code, unit_path in org_paths(data.get("org_units") or []).items():
        if session.get(OrgPath, code) is None:
            orgs.remember(session=session, code=code, path=unit_path, source="demo", now=now,
                          unit_type=types.get(code))
    actor = Actor.system("demo")
    demo_hash = passwords.hash_password(settings, DEMO_PASSWORD)
    created = 0
    for entry in data.get("users") or []:
        username = str(entry["username"]).strip().lower()
        if session.scalars(select(User.id).where(User.username == username)).first():
            continue
        user = User(username=username, password_hash=demo_hash,
                    display_name=entry.get("display_name") or username,
                    employee_no=entry.get("employee_no"), status="active",
                    created_at=now, updated_at=now)
        session.add(user)
        session.flush()
        for b in entry.get("roles") or []:
            session.add(RoleBinding(user_id=user.id, role=b["role"], org=b["org"],
                                    valid_from=b.get("valid_from"), valid_to=b.get("valid_to"),
                                    created_at=now, created_by=actor.sub))
        record(session, AuditEvent, actor=actor, action="user.created", target_type="user",
               target_id=str(user.id),
               after={"username": username, "roles": entry.get("roles") or []})
        created += 1
    session.commit()
    return created
