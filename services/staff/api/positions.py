"""`/staff/positions`: the bilingual job-duty catalogue, every edit versioned."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.staff import access
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.models import db
from services.staff.schemas.positions import (
    PositionCreate,
    PositionPatch,
    PositionQuery,
    PositionRead,
    PositionReplace,
    PositionVersionRead,
)
from services.staff.service import positions as service
from services.staff.service.common import get_position
from services.staff.service.org_units import head_office_path
from shared.audit import actor_from_request
from shared.permissions import current_principal
from shared.web import PageQuery, page_of, page_payload

blp = Blueprint("positions", __name__, url_prefix="/staff/positions",
                description="Positions (岗位) and their duties (职责): reference data any "
                "signed-in user reads; edited by staff:write holders over `*` or the head "
                "office (or a head-office department).")
EDIT_ERRORS = {"403": {"description": "Not a catalogue editor."},
               "422": {"description": "Invalid fields (nested as duties.0.text_zh)."}}


def _require_editor() -> None:
    access.require_catalogue_editor(current_principal(),
                                    lambda path: head_office_path(db.session, path))


@blp.route("")
class Positions(MethodView):
    @blp.arguments(PositionQuery, location="query")
    @blp.response(200, page_of(PositionRead))
    def get(self, query: dict[str, Any]) -> Any:
        """The catalogue, in its order, with each position's numbered duties."""
        current_principal()
        items, total = service.list_positions(session=db.session, **query)
        return page_payload(items, total, query)

    @blp.arguments(PositionCreate)
    @blp.response(201, PositionRead)
    @blp.doc(responses={**EDIT_ERRORS, "409": {"description": "The code is taken."}})
    def post(self, position_in: dict[str, Any]) -> Any:
        """Add a position (version 1)."""
        _require_editor()
        return service.create_position(session=db.session, position_in=position_in,
                                       actor=actor_from_request())


@blp.route("/<code>")
class PositionItem(MethodView):
    @blp.response(200, PositionRead)
    @blp.doc(responses={"404": {"description": "No such position."}})
    def get(self, code: str) -> Any:
        """One position with its duties."""
        current_principal()
        return get_position(db.session, code)

    @blp.arguments(PositionReplace)
    @blp.response(200, PositionRead)
    @blp.doc(responses={**EDIT_ERRORS, "404": {"description": "No such position."}})
    def put(self, position_in: dict[str, Any], code: str) -> Any:
        """Replace the position; a new version records who changed what (if anything did)."""
        _require_editor()
        return service.edit_position(session=db.session, code=code, changes=position_in,
                                     actor=actor_from_request(), replace=True)

    @blp.arguments(PositionPatch)
    @blp.response(200, PositionRead)
    @blp.doc(responses={**EDIT_ERRORS, "404": {"description": "No such position."}})
    def patch(self, changes: dict[str, Any], code: str) -> Any:
        """Change some fields (a `duties` list replaces the whole list); versioned."""
        _require_editor()
        return service.edit_position(session=db.session, code=code, changes=changes,
                                     actor=actor_from_request(), replace=False)


@blp.route("/<code>/history")
class PositionHistory(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(PositionVersionRead))
    @blp.doc(responses={"404": {"description": "No such position."}})
    def get(self, query: dict[str, Any], code: str) -> Any:
        """Every version, newest first: who, when, what changed, and the position then."""
        current_principal()
        items, total = service.history(session=db.session, code=code, **query)
        return page_payload(items, total, query)
