"""The leave service's application factory and first-start preparation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, request

from services.leave.api import blueprints, direct
from services.leave.api.requests import READ_ONLY_POSTS
from services.leave.directory import Directory, HttpDirectory
from services.leave.models import IdempotentAnswer, db
from services.leave.service import events, load_reference_data
from services.leave.service.common import today
from shared.db import engine_of, session_for, upgrade
from shared.direct import DirectLanes, install
from shared.outbound import DestinationRefused, post_to_receiver, resolve
from shared.settings import Settings
from shared.tokens import TokenVerifier
from shared.web import after_successful_writes, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"

DESCRIPTION = """Leave on the China working calendar, routed by policy.

Days are counted on the working calendar (statutory holidays and make-up working days 调休 from
the maintained `chinese-calendar` library, plus HR's overrides); a year whose schedule is not
published yet counts weekends and overrides and says `"calendar": "provisional"`. Half days:
`start_half: "pm"`, `end_half: "am"`.

Routing (policy data, `GET /leave/policy`): staff and mid-level of a 网点 — up to 5 days (5
included) the branch head decides; above 5 the branch head's approval is the preliminary
review (初审) and `hr` of the governing branch (管辖行) decides. Heads and deputies, and staff
with no 网点 above them, go to the governing branch's `hr`. A step whose role the requester
holds there is skipped upward. Requests touching the new one, or separated from it only by
non-working days, count together (anti-splitting). Nobody decides their own request; one
person signs one step.

Every transition is a signed row (hash chain): `GET /leave/requests/{id}/trail` re-verifies it.
Balances are sums of an append-only ledger; pending requests hold their days.

The requester's units come from the staff service, who holds which role from auth, both over
HTTP with leave's own client token: if staff cannot be reached a request answers 503 and
nothing is written. POSTs that file or decide take `Idempotency-Key`."""


def webhook_poster(settings: Settings,
                   resolver: Callable[[str], list[str]] = resolve) -> events.Poster:
    """Deliver one webhook call to an allowed receiver, at the address just checked
    (`shared.outbound`: a name re-pointed since registration, or answering differently to
    the check and to the connection, cannot move it). A refusal is a failed delivery
    (retried, its reason kept on the event), never a request sent; the timeout is short
    because a slow receiver is retried later."""
    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        try:
            return post_to_receiver(url, body, headers, settings, timeout=3,
                                    resolver=resolver)
        except DestinationRefused as exc:
            raise OSError(f"receiver refused: {exc}") from exc
    return post


def create_app(settings: Settings | None = None, *, verifier: TokenVerifier | None = None,
               directory: Directory | None = None,
               clock: Callable[[], dt.date] | None = None,
               poster: events.Poster | None = None) -> Flask:
    settings = settings or Settings("leave")
    app = create_service_app(settings, db=db, title="Leave", blueprints=blueprints,
                             description=DESCRIPTION, verifier=verifier)
    app.extensions["leave_directory"] = directory or HttpDirectory(settings)
    app.extensions["leave_today"] = clock or (lambda: today(settings.timezone))
    # An injected poster (the tests') stands for the network; the real one is guarded.
    app.extensions["leave_poster"] = poster or webhook_poster(settings)
    app.extensions["hr_idempotency"] = (db, IdempotentAnswer)

    def deliver_events() -> None:
        if request.endpoint in READ_ONLY_POSTS:
            return  # a preview writes nothing, and delivers nothing either
        if events.nothing_deliverable(db.session):
            return
        if events.has_due(db.session):
            # A few at a time: this runs before the write's answer is sent, and a slow
            # receiver (3 s each at most) must not hold the user for long. The rest go out
            # with the next writes or `deliver-events`.
            events.deliver(db.session, app.extensions["leave_poster"], limit=3)

    after_successful_writes(app, db, deliver_events, what="webhook delivery")
    app.extensions["leave_direct"] = install(app, lambda inner: DirectLanes(
        inner, service=settings.service, routes=direct.routes(app, engine_of(app, db))))
    return app


def prepare(settings: Settings) -> None:
    """Migrate, then load reference data into an empty store (runs once, before workers)."""
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        load_reference_data(session=session)


def deliver_events(settings: Settings, args: list[str] | None = None) -> int:
    """`python -m services.leave deliver-events`: every pending webhook delivery now."""
    with session_for(settings.database_url) as session:
        counts: dict[str, Any] = events.deliver(session, webhook_poster(settings),
                                                force=True)
    print(counts)
    return 0
