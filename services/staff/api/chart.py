"""`/staff/org-units/{code}/chart.svg`: the subtree drawn as an org chart."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from services.staff import access
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.models import db
from services.staff.service.chart import chart_svg
from services.staff.service.common import get_unit
from shared.permissions import current_principal

blp = Blueprint("chart", __name__, url_prefix="/staff/org-units",
                description="Org chart (SVG)")


@blp.route("/<code>/chart.svg")
class OrgChart(MethodView):
    @blp.doc(responses={"200": {"description": "The chart.",
                                "content": {"image/svg+xml": {
                                    "schema": {"type": "string"},
                                    "example": '<svg xmlns="http://www.w3.org/2000/svg" '
                                               'role="img">…</svg>'}}},
                        "404": {"description": "No such unit, or outside the caller's "
                                "staff:read scope."}})
    def get(self, code: str) -> Any:
        """Each unit of the subtree with its head and head counts (own / subtree)."""
        unit = get_unit(db.session, code)
        access.require_read_unit(current_principal(), code, unit.path)
        svg = chart_svg(session=db.session, code=code)
        return Response(svg, mimetype="image/svg+xml",
                        headers={"Content-Security-Policy": "default-src 'none'; "
                                 "style-src 'unsafe-inline'",
                                 "X-Content-Type-Options": "nosniff"})
