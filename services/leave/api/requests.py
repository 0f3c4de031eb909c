"""`/leave/requests`: file, read, decide, withdraw, cancel, and the signed trail."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, current_app
from flask.views import MethodView

from services.leave.api.common import caller, directory, today
from services.leave.models import db
from services.leave.schemas import (
    CancelIn,
    DecisionIn,
    ExportQuery,
    LeaveRequestCreate,
    LeaveRequestQuery,
    LeaveRequestRead,
    TrailRead,
    WithdrawIn,
)
from services.leave.schemas_preview import LeaveRequestPreview, LeaveRequestPreviewIn
from services.leave.service import decisions, pages, queries, trail
from services.leave.service.preview import preview_request
from services.leave.service.requests import submit_request
from services.leave.service.views import request_dict
from shared.idempotency import idempotent
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("requests", __name__, url_prefix="/leave/requests",
                description="Leave requests. Anyone signed in files and reads their own; "
                "leave:read over a unit reads its requests; approvers read what they decide. "
                "A request outside the caller's sight answers 404.")
NOT_FOUND = {"404": {"description": "No such request, or not the caller's to see."}}
CONFLICT = {"409": {"description": "The request's state, or another writer, got there first."}}

#: Off only in tests that compare a write's answer written from the entity
#: (`pages.entity_item`) with `LeaveRequestRead`'s dump of it, which stays the reference.
FAST_ANSWERS = True


def _answer(request: Any, status: int = 200) -> Any:
    """A write's answer: the request as `LeaveRequestRead` dumps it, written by orjson with
    the bytes Flask's provider would write (a schema pass cost a flow ~1 ms of CPU)."""
    if not FAST_ANSWERS:
        return request_dict(request)
    body = orjson.dumps(pages.entity_item(request), option=orjson.OPT_APPEND_NEWLINE)
    return current_app.response_class(body, status=status, mimetype="application/json")


@blp.route("")
class LeaveRequests(MethodView):
    @blp.arguments(LeaveRequestQuery, location="query")
    @blp.response(200, page_of(LeaveRequestRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Own requests, those one stands in for, and those in the caller's leave:read scope."""
        items, total = queries.list_requests(session=db.session, caller=caller(), **query)
        return page_payload([request_dict(r) for r in items], total, query)

    @idempotent
    @blp.arguments(LeaveRequestCreate)
    @blp.response(201, LeaveRequestRead)
    @blp.doc(responses={
        "409": {"description": "Overlaps a pending or approved request, or the balance "
                "(pending requests included) cannot hold it."},
        "422": {"description": "Invalid: unknown type, bad span, no working day, missing "
                "notice or attachment, missing or unavailable stand-in, unknown employee."},
        "503": {"description": "Staff (who the requester is) cannot be reached; nothing was "
                "written — retry."}})
    def post(self, request_in: dict[str, Any]) -> Any:
        """File a leave request; it is counted on the working calendar and routed by policy.

        Send `Idempotency-Key` to make a retry safe: the same key and body answer the first
        answer again; the same key with another body is a 422."""
        request = submit_request(session=db.session, request_in=request_in, caller=caller(),
                                 directory=directory(), today=today())
        return _answer(request, 201)


@blp.route("/preview")
class LeaveRequestPreviewItem(MethodView):
    @blp.arguments(LeaveRequestPreviewIn)
    @blp.response(200, LeaveRequestPreview)
    @blp.doc(responses={
        "422": {"description": "As filing: unknown type, bad span, no working day, missing "
                "notice or attachment, unknown employee (a stand-in, an overlap or the "
                "balance are reported in `warnings` instead)."},
        "503": {"description": "Staff (who the requester is) cannot be reached."}})
    def post(self, request_in: dict[str, Any]) -> Any:
        """What filing this body would decide — days, calendar, anti-splitting, the route,
        the balance, the stand-in, warnings — by filing's own code, writing nothing.

        The same body as `POST /leave/requests` (`reason` optional); a dry run: nothing is
        stored, not even an `Idempotency-Key`."""
        return preview_request(session=db.session, request_in=request_in, caller=caller(),
                               directory=directory(), today=today())


#: Answered by POST but writing nothing: the after-write hooks (webhook delivery) skip them.
READ_ONLY_POSTS = frozenset({"requests.LeaveRequestPreviewItem"})


@blp.route("/export.csv")
class LeaveExport(MethodView):
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type="text/csv", description="CSV, UTF-8 with a BOM.",
                  example="id,employee_no,type,start_date,start_half,end_date,end_half,days,"
                          "calendar,status,org,stand_in,created_at\r\n1,E0019,personal,"
                          "2027-03-01,,2027-03-08,,6,provisional,approved,SB01_HALL,E0020,"
                          "2026-12-04T08:00:00+00:00\r\n")
    def get(self, query: dict[str, Any]) -> Any:
        """The requests the caller may read (same filters as the list) as CSV."""
        query.pop("page", None), query.pop("per_page", None)
        text = queries.export_csv(session=db.session, caller=caller(), **query)
        return Response(text, mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="leave-requests.csv"'})


@blp.route("/<int:request_id>")
class LeaveRequestItem(MethodView):
    @blp.response(200, LeaveRequestRead)
    @blp.doc(responses=NOT_FOUND)
    def get(self, request_id: int) -> Any:
        """One request with its steps."""
        return request_dict(queries.get_request(session=db.session, request_id=request_id,
                                                caller=caller()))


@blp.route("/<int:request_id>/decision")
class Decision(MethodView):
    @idempotent
    @blp.arguments(DecisionIn)
    @blp.response(200, LeaveRequestRead)
    @blp.doc(responses={**NOT_FOUND, **CONFLICT})
    def post(self, decision_in: dict[str, Any], request_id: int) -> Any:
        """Approve or reject the step awaiting a decision.

        Decided by anyone holding the step's role over its unit (or above; admins too) —
        never by the requester, and one person signs at most one step of a request. Two
        deciders at once: exactly one wins, the other gets 409."""
        request = decisions.decide(session=db.session, request_id=request_id,
                                   decision=decision_in["decision"],
                                   comment=decision_in.get("comment"), caller=caller(),
                                   expected_version=decision_in.get("version"))
        return _answer(request)


@blp.route("/<int:request_id>/withdraw")
class Withdraw(MethodView):
    @idempotent
    @blp.arguments(WithdrawIn)
    @blp.response(200, LeaveRequestRead)
    @blp.doc(responses={**NOT_FOUND, **CONFLICT})
    def post(self, withdraw_in: dict[str, Any], request_id: int) -> Any:
        """The requester takes back a pending request; held days return."""
        return _answer(decisions.withdraw(session=db.session, request_id=request_id,
                                          comment=withdraw_in.get("comment"), caller=caller()))


@blp.route("/<int:request_id>/cancel")
class Cancel(MethodView):
    @idempotent
    @blp.arguments(CancelIn)
    @blp.response(200, LeaveRequestRead)
    @blp.doc(responses={**NOT_FOUND, **CONFLICT})
    def post(self, cancel_in: dict[str, Any], request_id: int) -> Any:
        """Cancel approved leave (wholly, or from `from_date` on); untaken days return.

        By whoever may decide the final step, or hr of the governing branch."""
        return _answer(decisions.cancel(
            session=db.session, request_id=request_id, from_date=cancel_in.get("from_date"),
            comment=cancel_in.get("comment"), caller=caller(), today=today()))


@blp.route("/<int:request_id>/trail")
class Trail(MethodView):
    @blp.response(200, TrailRead)
    @blp.doc(responses=NOT_FOUND)
    def get(self, request_id: int) -> Any:
        """The signed trail (谁签字谁负责), re-verified on every read: `valid` is false and
        `broken_at` names the first row when any row was changed, removed or reordered."""
        queries.get_request(session=db.session, request_id=request_id, caller=caller())
        return trail.view(db.session, request_id)
