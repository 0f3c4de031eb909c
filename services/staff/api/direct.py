"""An employee's approver chain answered in front of Flask (`shared.direct`).

`GET /staff/employees/{no}/chain` is what leave asks on every filing and performance on
every head's scorecard read and every incident, with their own client tokens; its work is
one prepared statement (`service.chain`), and Flask's request machinery around it cost more
than the statement. This lane answers a request without a query string from a token staff
has verified before, after the same read check (`access.require_read_employee`), with the
same rows as the view. A refusal, an unknown employee and anything else go to Flask, which
answers as documented. `tests/staff/test_chain_direct.py` holds the two to the same bytes.
Flask also applies the day's scheduled changes on its first request of each local day
(`api.scheduled.install_due_step`): until it has in this process, the lane leaves every
request to Flask.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import Engine

from services.staff import access
from services.staff.service import chain
from services.staff.service.schedule_store import today_in
from shared.db import HeldConnections
from shared.direct import Answer, Route, no_query, read_lane
from shared.errors import NotFound
from shared.tokens import Principal

EMPLOYEES = "/staff/employees/"
CHAIN = "/chain"


def routes(app: Flask, engine: Callable[[], Engine]) -> list[Route]:
    json, extensions = app.json, app.extensions

    def due_changes_applied() -> bool:
        """Has this process applied today's scheduled changes (`api.scheduled`: Flask's
        first request of each local day does)? Until it has, Flask answers, so no chain
        predates a transfer dated today."""
        done = extensions["staff_due_through"]
        return done is not None and done >= today_in(
            extensions["staff_clock"](), extensions["hr_settings"].timezone)

    def answer(principal: Principal, _query: dict[str, Any], environ: dict[str, Any],
               held: HeldConnections) -> Answer | None:
        # As Werkzeug's routing reads the path segment (WSGI hands it over as latin-1).
        employee_no = environ["PATH_INFO"][len(EMPLOYEES):-len(CHAIN)] \
            .encode("latin-1").decode()
        with held.connection() as conn:
            try:
                found = chain.find_on(conn, employee_no)
            except NotFound:  # Flask says so (the connection is fine: kept)
                return None
        access.require_read_employee(principal, employee_no, found.path)
        body = json.answer_body(chain.answer(found))  # type: ignore[attr-defined]
        return (body, principal.sub) if body is not None else None

    return [Route("GET", EMPLOYEES, EMPLOYEES + "<employee_no>/chain",
                  read_lane(app, engine, no_query, answer, enabled=due_changes_applied),
                  prefix=True, suffix=CHAIN)]
