"""An employee's scorecard answered in front of Flask (`shared.direct`).

`GET /performance/scorecards/{no}?period=…` is what every employee's and head's screen
reads, and its work is one prepared statement (`service.readings`); under the bench's mix
of 1,800 readers Flask's request machinery around it cost more than the statement. This lane
answers a plain `?period=` (`api.plain_query`) from a token performance has verified
before, with the same reader check (`api.scorecards.scorecard_refusal`, staff's chain for a
head) and the same rows as the view's fast path. A refusal, and anything else, goes to
Flask, which answers as documented. `tests/performance/test_scorecard_direct.py` holds the
two to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import Engine

from services.performance.api import scorecards as scorecards_api
from services.performance.api.plain_query import plain_period
from services.performance.domain.periods import Period
from services.performance.service import readings
from shared.db import HeldConnections
from shared.direct import Answer, Route, read_lane
from shared.tokens import Principal

SCORECARDS = "/performance/scorecards/"


def routes(app: Flask, engine: Callable[[], Engine]) -> list[Route]:
    extensions, json = app.extensions, app.json

    def scorecard(principal: Principal, period: Period, environ: dict[str, Any],
                  held: HeldConnections) -> Answer | None:
        # As Werkzeug's routing reads the path segment (WSGI hands it over as latin-1).
        employee_no = environ["PATH_INFO"][len(SCORECARDS):].encode("latin-1").decode()
        staff = extensions["performance_staff"]  # looked up each time: tests replace it
        if scorecards_api.scorecard_refusal(principal, employee_no, staff) is not None:
            return None
        with held.connection() as conn:
            card = readings.scorecard_on(conn, employee_no=employee_no, period=period)
        body = json.answer_body(card)  # type: ignore[attr-defined]
        return (body, principal.sub) if body is not None else None

    # FAST_PATH off: the tests' reference path (Flask and the schemas) answers everything.
    return [Route("GET", SCORECARDS, SCORECARDS + "<employee_no>",
                  read_lane(app, engine, plain_period, scorecard,
                            enabled=lambda: scorecards_api.FAST_PATH), prefix=True)]
