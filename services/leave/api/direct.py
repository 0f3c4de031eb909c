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
from shared.direct import Answer, Lane, Route, query_args, remembered_principal
from shared.web import page_payload

INBOX = "/leave/approvals"


def inbox_lane(app: Flask, engine: Callable[[], Engine]) -> Lane:
    extensions = app.extensions
    held = HeldConnections(engine)

    def lane(environ: dict[str, Any]) -> Answer | None:
        if not approvals.FAST_PATH:  # the tests' reference path: Flask and the ORM
            return None
        principal = remembered_principal(extensions["hr_verifier"], environ)
        if principal is None:
            return None
        query = plain_page_query(query_args(environ))
        if query is None:
            return None
        # The inbox writes nothing: the actor is only the caller's identity, as in Flask.
        actor = Actor(sub=principal.sub, kind=principal.kind, emp=principal.emp,
                      jti=principal.jti, remote_addr=environ.get("REMOTE_ADDR"))
        with held.connection() as conn:
            items, total = pages.inbox_on(conn, caller=caller_of(principal, actor), **query)
        body = orjson.dumps(page_payload(items, total, query), option=orjson.OPT_APPEND_NEWLINE)
        return body, principal.sub

    return lane


def routes(app: Flask, engine: Callable[[], Engine]) -> list[Route]:
    return [Route("GET", INBOX, INBOX, inbox_lane(app, engine))]

