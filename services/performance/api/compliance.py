"""`/performance/compliance-runs`: a month's visit compliance over a unit's subtree, each gap,
and the −1 incident proposed (recorded, not confirmed) for each missed visit."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.performance.api.visits import UNAVAILABLE, staff, today
from services.performance.models import db
from services.performance.schemas.visits import (
    ComplianceRunCreate,
    ComplianceRunQuery,
    ComplianceRunRead,
    ComplianceRunSummary,
)
from services.performance.service import compliance
from shared.audit import actor_from_request
from shared.permissions import current_principal
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("compliance", __name__, url_prefix="/performance/compliance-runs",
                description="Visit compliance runs: gaps per customer and the missed-visit "
                "incidents they propose (never twice).")


@blp.route("")
class ComplianceRuns(MethodView):
    @blp.arguments(ComplianceRunQuery, location="query")
    @blp.response(200, page_of(ComplianceRunSummary))
    def get(self, query: dict[str, Any]) -> Any:
        """Runs over units in the caller's scope (without their gaps), newest first."""
        items, total = compliance.list_runs(session=db.session, principal=current_principal(),
                                            **query)
        return page_payload(items, total, query)

    @blp.arguments(ComplianceRunCreate)
    @blp.response(201, ComplianceRunRead)
    @blp.doc(responses={"403": {"description": "No `performance:record` anywhere."},
                        "409": {"description": "Another run proposed the same visits at the "
                                "same moment; run it again."},
                        "422": {"description": "A month not over yet; a unit unknown or "
                                "outside the caller's `performance:record` scope (alike)."},
                        **UNAVAILABLE})
    def post(self, run_in: dict[str, Any]) -> Any:
        """Check every customer kept in the unit's subtree against its tier for the month
        (and the half year in June and December). Each missed visit is proposed once as an
        incident under the missed-visit rule, recorded by the caller for a person to confirm
        or dismiss; running the month again proposes nothing twice."""
        run = compliance.run_compliance(session=db.session, org=run_in["org"],
                                        period=run_in["period"],
                                        principal=current_principal(),
                                        actor=actor_from_request(), staff=staff(),
                                        today=today())
        return compliance.run_answer(session=db.session, run=run)


@blp.route("/<int:run_id>")
class ComplianceRunItem(MethodView):
    @blp.response(200, ComplianceRunRead)
    def get(self, run_id: int) -> Any:
        """One run with its gaps (404 when unknown or outside the caller's scope)."""
        run = compliance.get_run(session=db.session, run_id=run_id,
                                 principal=current_principal())
        return compliance.run_answer(session=db.session, run=run)
