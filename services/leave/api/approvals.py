"""`/leave/approvals`: the inbox — what awaits the caller's decision."""

from __future__ import annotations

from typing import Any

import orjson
from flask import current_app, request
from flask.views import MethodView

from services.leave.api.common import caller
from services.leave.api.plain_query import plain_page_query
from services.leave.models import db
from services.leave.schemas import LeaveRequestRead
from services.leave.service import pages, queries
from services.leave.service.views import request_dict
from shared.web import Blueprint, PageQuery, page_of, page_payload

blp = Blueprint("approvals", __name__, url_prefix="/leave/approvals",
                description="The approvals inbox.")

#: Off only in tests that compare the one-statement page (`service.pages`) with the ORM
#: entities dumped through `LeaveRequestRead`, which stay the reference.
FAST_PATH = True

#: One instance for every request (given the class, webargs builds a schema per request).
PAGE_QUERY = PageQuery()


def _inbox(query: dict[str, Any]) -> Any:
    if not FAST_PATH:
        items, total = queries.inbox(session=db.session, caller=caller(), **query)
        return page_payload([request_dict(r) for r in items], total, query)
    items, total = pages.inbox(session=db.session, caller=caller(), **query)
    # The items are already as `LeaveRequestRead` dumps them: written as they are, with the
    # bytes Flask's provider (shared.jsonio) would write, trailing newline included.
    body = orjson.dumps(page_payload(items, total, query), option=orjson.OPT_APPEND_NEWLINE)
    return current_app.response_class(body, mimetype="application/json")


@blp.route("")
class Approvals(MethodView):
    init_every_request = False

    def dispatch_request(self, **kwargs: Any) -> Any:
        """A plain page query (`api.plain_query`) skips webargs; all else, every error
        included, takes the documented path."""
        query = plain_page_query(request.args) \
            if FAST_PATH and request.method == "GET" else None
        if query is not None:
            return _inbox(query)
        return super().dispatch_request(**kwargs)

    @blp.arguments(PAGE_QUERY, location="query")
    @blp.response(200, page_of(LeaveRequestRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Pending requests whose current step the caller may decide (their role, or admin,
        over the step's unit), oldest first; for hr also the requests of their governing
        branches whose current step nobody holds (`unassigned`). Never the caller's own."""
        return _inbox(query)
