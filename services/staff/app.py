"""The staff service's application factory and first-start preparation."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from services.staff.api import blueprints, direct
from services.staff.api.scheduled import install_due_step
from services.staff.models import OrgUnit, Position, db
from services.staff.notify import EventSender
from services.staff.service import loading, outbox, schedule_store, scheduled
from shared.audit import utcnow
from shared.db import engine_of, init_db, ping, session_for, upgrade
from shared.direct import DirectLanes, install
from shared.permissions import authenticate_request
from shared.settings import Settings
from shared.tokens import JWKSKeySource, TokenVerifier
from shared.web import after_successful_writes, build_app

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("hr.staff")

DESCRIPTION = """The org chart (materialised paths), the bilingual job-duty catalogue and
employees of the branch network.

Permissions (decided offline from the token): reading a unit, an employee or a chain needs
`staff:read` over the unit's path (own employee record always readable; clients with
`staff:read` read everything); writing needs `staff:write` over the unit (a move: over the
old and the new parent; a transfer: over the old and the new unit; a new root: over `*`).
Positions and duties are reference data any signed-in user reads; editing them needs
`staff:write` held over `*` or over the head office (or one of its departments). The audit
trail needs `auth:audit` (or `staff:write` over `*`).

What the caller may not read does not exist for them: a unit or employee outside the caller's
scope answers 404, exactly as an unknown code or number; named in a body (`org`, `parent`,
`manager`, `handover_supervisor`, `related_no`, CSV cells) or a filter (`?org=`, `?parent=`,
`?under=`) it answers 422 "No ... X.", exactly as an unknown one. A write on a unit the caller
may read but not write is a 403 naming the permission and the code given. Codes and employee
numbers are unique across the organisation: a taken one is a 409 wherever it is.

Booleans in bodies are JSON `true`/`false` only; in query strings `true`, `false`, `1` or `0`.
Unknown query parameters, like unknown body fields, are a 422.

A hire, transfer or status change dated after today (in HR_TIMEZONE) is checked and
scheduled: nothing about the employee changes until the local midnight starting its date,
when it is applied (checked again; one that no longer passes is marked failed). Pending
changes show on the employee (`scheduled_changes`) and under `/staff/scheduled-changes`,
where they can be cancelled."""


def create_app(settings: Settings | None = None, *, verifier: TokenVerifier | None = None,
               sender: outbox.Sender | None = None,
               clock: Callable[[], dt.datetime] | None = None) -> Flask:
    """`clock` (tests): the instant "today" is taken from for dated changes."""
    settings = settings or Settings("staff")
    settings.check()
    app, _api = build_app(
        settings, title="Staff", blueprints=blueprints, description=DESCRIPTION,
        authenticate=authenticate_request, health_check=lambda: ping(db),
    )
    init_db(app, db, settings.database_url)
    app.extensions["hr_verifier"] = verifier or TokenVerifier(
        issuer=settings.issuer, leeway=settings.token_leeway,
        keys=JWKSKeySource(settings.jwks_url, timeout=settings.http_timeout))
    app.extensions["staff_sender"] = sender or EventSender(settings)

    def deliver_outbox() -> None:
        if outbox.has_due(db.session):
            outbox.deliver(db.session, app.extensions["staff_sender"], wait=False)

    after_successful_writes(app, db, deliver_outbox, what="outbox delivery")
    app.extensions["staff_clock"] = clock or utcnow
    install_due_step(app, after_apply=deliver_outbox)
    app.extensions["staff_direct"] = install(app, lambda inner: DirectLanes(
        inner, service=settings.service, routes=direct.routes(app, engine_of(app, db))))
    return app


def prepare(settings: Settings) -> None:
    """Migrate; load the catalogue into an empty store; the demo org too unless HR_DEMO=0."""
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        if not session.scalar(select(func.count()).select_from(Position)):
            added = loading.load_catalogue(session=session)
            log.info("catalogue loaded: %s positions", added)
        if settings.demo and not session.scalar(select(func.count()).select_from(OrgUnit)):
            counts = loading.load_demo(session=session)
            log.info("demo organisation loaded: %s", counts)


def deliver_events(settings: Settings, sender: Any = None) -> dict[str, int]:
    """Deliver every pending outbox event now (backoff ignored)."""
    with session_for(settings.database_url) as session:
        return outbox.deliver(session, sender or EventSender(settings), force=True)


def apply_scheduled(settings: Settings, today: dt.date | None = None,
                    sender: Any = None) -> dict[str, int]:
    """Apply every dated change due by `today` (default: the organisation's date now), then
    deliver what they owe other services — the cron twin of the due-changes step."""
    day = today or schedule_store.today_in(utcnow(), settings.timezone)
    with session_for(settings.database_url) as session:
        counts = scheduled.apply_due(session=session, today=day)
        if counts["applied"] and outbox.has_due(session):
            outbox.deliver(session, sender or EventSender(settings), force=True)
    return counts
