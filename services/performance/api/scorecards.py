"""`/performance/scorecards/{no}` and `/performance/units/{code}/…`: scorecards, roll-ups,
exports, the points chart and the branch head's sign-off (审核) that freezes a period."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask.views import MethodView

from services.performance.api.plain_query import plain_period, plain_rollup_query
from services.performance.domain.periods import Period
from services.performance.models import db
from services.performance.schemas.scorecards import (
    CHART_TYPES,
    ChartQuery,
    RollupQuery,
    RollupRead,
    ScorecardQuery,
    ScorecardRead,
    SignOffCreate,
    SignOffRead,
)
from services.performance.service import exports, readings, scorecards
from services.performance.staff import Staff
from shared.audit import actor_from_request
from shared.errors import AppError, Forbidden, NotFound
from shared.permissions import current_principal, has_permission
from shared.tokens import Principal
from shared.web import Blueprint, PageQuery, page_of, page_payload

blp = Blueprint("scorecards", __name__, url_prefix="/performance",
                description="Scorecards, unit roll-ups, exports, sign-off (审核)")
NOT_FOUND = {"404": {"description": "Unknown, or outside the caller's performance:read "
                                    "scope (alike)."}}


def _readable_unit(code: str) -> dict[str, Any]:
    unit = current_app.extensions["performance_staff"].unit(code)
    if unit is None or not has_permission(current_principal(), "performance:read",
                                          unit["path"]):
        raise NotFound(f"No unit {code}.")
    return unit


def _attachment(body: Any, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff"})


#: Off only in tests that compare the answers built from rows (`service.readings`) with
#: the ORM objects dumped by the documented schemas.
FAST_PATH = True


def scorecard_refusal(principal: Principal, employee_no: str, staff: Staff) -> AppError | None:
    """Why `principal` may not read the employee's scorecard, or None: the employee reads
    their own; `performance:read` over their (current) unit reads anyone's (a client needs
    the permission; a user outside scope gets a 404)."""
    if principal.kind == "user" and principal.emp == employee_no:
        return None
    if principal.kind == "client":
        if "performance:read" not in principal.scope:
            return Forbidden("This needs the permission performance:read.")
        return None
    chain = staff.chain(employee_no)
    if chain is None or not has_permission(principal, "performance:read",
                                           chain["unit"]["path"]):
        return NotFound(f"No employee {employee_no}.")
    return None


def _check_scorecard_reader(employee_no: str) -> None:
    refusal = scorecard_refusal(current_principal(), employee_no,
                                current_app.extensions["performance_staff"])
    if refusal is not None:
        raise refusal


def _scorecard(employee_no: str, period: Period) -> Any:
    _check_scorecard_reader(employee_no)
    return jsonify(readings.scorecard(session=db.session, employee_no=employee_no,
                                      period=period))


def _rollup(code: str, query: dict[str, Any]) -> Any:
    unit = _readable_unit(code)
    return jsonify(readings.rollup(session=db.session, unit=unit, **query))


@blp.route("/scorecards/<employee_no>")
class Scorecard(MethodView):
    init_every_request = False

    def dispatch_request(self, **kwargs: Any) -> Any:
        """A plain `?period=` (`api.plain_query`) skips webargs; all else, every error
        included, takes the documented path."""
        period = plain_period(request.args) if FAST_PATH and request.method == "GET" \
            else None
        if period is not None:
            return _scorecard(kwargs["employee_no"], period)
        return super().dispatch_request(**kwargs)

    @blp.arguments(ScorecardQuery, location="query")
    @blp.response(200, ScorecardRead)
    @blp.doc(responses=NOT_FOUND)
    def get(self, query: dict[str, Any], employee_no: str) -> Any:
        """An employee's scorecard for a period: the employee reads their own;
        `performance:read` over their (current) unit reads anyone's."""
        if FAST_PATH:
            return _scorecard(employee_no, query["period"])
        _check_scorecard_reader(employee_no)
        return scorecards.scorecard(session=db.session, employee_no=employee_no,
                                    period=query["period"])


@blp.route("/units/<code>/scorecards")
class UnitScorecards(MethodView):
    init_every_request = False

    def dispatch_request(self, **kwargs: Any) -> Any:
        """A plain query string (`api.plain_query`) skips webargs, as for scorecards."""
        query = plain_rollup_query(request.args) \
            if FAST_PATH and request.method == "GET" else None
        if query is not None:
            return _rollup(kwargs["code"], query)
        return super().dispatch_request(**kwargs)

    @blp.arguments(RollupQuery, location="query")
    @blp.response(200, RollupRead)
    @blp.doc(responses=NOT_FOUND)
    def get(self, query: dict[str, Any], code: str) -> Any:
        """The unit subtree's roll-up for a period: totals, and per employee with standing
        incidents (by the unit they were in when recorded), in employee-number order."""
        if FAST_PATH:
            return _rollup(code, query)
        unit = _readable_unit(code)
        return scorecards.rollup(session=db.session, unit=unit, **query)


def _export_doc(mimetype: str) -> dict[str, Any]:
    return {"responses": {"200": {"description": "Every row of the roll-up.",
                                  "content": {mimetype: {"schema": {"type": "string",
                                                                    "format": "binary"}}}},
                          **NOT_FOUND}}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/units/<code>/scorecards.csv")
class UnitScorecardsCsv(MethodView):
    @blp.arguments(RollupQuery, location="query")
    @blp.doc(**_export_doc("text/csv"))
    def get(self, query: dict[str, Any], code: str) -> Any:
        """The roll-up as CSV (UTF-8, money exact to the fen)."""
        unit = _readable_unit(code)
        rollup = scorecards.rollup(session=db.session, unit=unit, period=query["period"])
        return _attachment(exports.rollup_csv(rollup), "text/csv",
                           f"scorecards-{code}-{query['period'].code}.csv")


@blp.route("/units/<code>/scorecards.xlsx")
class UnitScorecardsXlsx(MethodView):
    @blp.arguments(RollupQuery, location="query")
    @blp.doc(**_export_doc(XLSX))
    def get(self, query: dict[str, Any], code: str) -> Any:
        """The roll-up as an XLSX workbook."""
        unit = _readable_unit(code)
        rollup = scorecards.rollup(session=db.session, unit=unit, period=query["period"])
        return _attachment(exports.rollup_xlsx(rollup), XLSX,
                           f"scorecards-{code}-{query['period'].code}.xlsx")


def _chart_format(query: dict[str, Any]) -> str:
    """`format` if given, else what `Accept` prefers (SVG unless PNG is preferred)."""
    if query.get("format"):
        return query["format"]
    best = request.accept_mimetypes.best_match(
        (CHART_TYPES["svg"], CHART_TYPES["png"]), default=CHART_TYPES["svg"])
    return "png" if best == CHART_TYPES["png"] else "svg"


@blp.route("/units/<code>/chart.svg")
class UnitChart(MethodView):
    @blp.arguments(ChartQuery, location="query")
    @blp.doc(responses={"200": {
        "description": "Points by month: SVG, or PNG with `format=png` (or, without "
                       "`format`, an `Accept` header preferring `image/png`).",
        "content": {"image/svg+xml": {"schema": {"type": "string"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}}}},
        **NOT_FOUND})
    def get(self, query: dict[str, Any], code: str) -> Any:
        """The unit subtree's demerit points per month of the period, as SVG or PNG (the
        same bars; the PNG's labels in ASCII)."""
        unit = _readable_unit(code)
        months = scorecards.points_by_month(session=db.session, unit=unit,
                                            period=query["period"])
        headers = {"X-Content-Type-Options": "nosniff", "Vary": "Accept"}
        if _chart_format(query) == "png":
            png = exports.points_chart_png(code, query["period"].code, months)
            return Response(png, mimetype=CHART_TYPES["png"], headers=headers)
        svg = exports.points_chart_svg(code, query["period"].code, months)
        return Response(svg, mimetype=CHART_TYPES["svg"], headers={
            **headers,
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@blp.route("/units/<code>/sign-offs")
class UnitSignOffs(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(SignOffRead))
    @blp.doc(responses=NOT_FOUND)
    def get(self, query: dict[str, Any], code: str) -> Any:
        """The unit's signed-off periods, newest first."""
        unit = _readable_unit(code)
        items, total = scorecards.sign_offs(session=db.session, unit=unit, **query)
        return page_payload(items, total, query)

    @blp.arguments(SignOffCreate)
    @blp.response(201, SignOffRead)
    @blp.doc(responses={**NOT_FOUND, "409": {"description": "Already signed off."}})
    def post(self, sign_off: dict[str, Any], code: str) -> Any:
        """Sign off (审核) the unit's period (`performance:sign-off` over the unit): the
        period is frozen for the subtree — no incident that occurred in it can be confirmed
        afterwards (409)."""
        unit = _readable_unit(code)
        if not has_permission(current_principal(), "performance:sign-off", unit["path"]):
            raise Forbidden("This needs the permission performance:sign-off over this unit.")
        return scorecards.sign_off(session=db.session, unit=unit, actor=actor_from_request(),
                                   **sign_off)
