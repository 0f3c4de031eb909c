"""The approvals inbox answered in front of Flask (`shared.direct`).

`GET /leave/approvals` is what every approver's screen polls, and its work is one prepared
statement (`service.pages`); under the bench's mix of 1,400 approvers Flask's request
machinery around it cost more than the statement. This lane answers a plain page query
(`api.plain_query`) from a token leave has verified before, with `pages.inbox_on`: the same
statement and the same rows as the view's fast path. Anything else goes to Flask.
`tests/leave/test_inbox_direct.py` holds the two to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from flask import Flask
from sqlalchemy import Engine

from services.leave.api import approvals
from services.leave.api.common import caller_of
from services.leave.api.plain_query import plain_page_query
from services.leave.service import pages
from shared.audit import Actor
from shared.db import HeldConnections
from shared.direct import Answer, Route, read_lane
from shared.tokens import Principal
from shared.web import page_payload

INBOX = "/leave/approvals"
#: The page's plan depends on the caller's shape (which arms, which indexes), never on the
#: values: PostgreSQL's choice between a custom and the generic plan re-planned the page on
#: many executions, which cost it about as much as running it.
GENERIC_PLANS = ("SET plan_cache_mode = force_generic_plan",)


def _inbox(principal: Principal, query: dict[str, int], environ: dict[str, Any],
           held: HeldConnections) -> Answer:
    # The inbox writes nothing: the actor is only the caller's identity, as in Flask.
    actor = Actor(sub=principal.sub, kind=principal.kind, emp=principal.emp,
                  jti=principal.jti, remote_addr=environ.get("REMOTE_ADDR"))
    with held.connection() as conn:
        items, total = pages.inbox_on(conn, caller=caller_of(principal, actor), **query)
    body = orjson.dumps(page_payload(items, total, query), option=orjson.OPT_APPEND_NEWLINE)
    return body, principal.sub


def routes(app: Flask, engine: Callable[[], Engine]) -> list[Route]:
    # FAST_PATH off: the tests' reference path (Flask and the ORM) answers everything.
    return [Route("GET", INBOX, INBOX, read_lane(
        app, engine, plain_page_query, _inbox, enabled=lambda: approvals.FAST_PATH,
        postgres_settings=GENERIC_PLANS))]
