"""`/staff/org-units`: the org chart as a tree with materialised paths."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.staff import access
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.models import db
from services.staff.schemas.org_units import (
    OrgUnitCreate,
    OrgUnitMove,
    OrgUnitQuery,
    OrgUnitRead,
    OrgUnitTree,
    OrgUnitUpdate,
)
from services.staff.service import org_units as service
from services.staff.service.common import get_unit
from shared.audit import actor_from_request
from shared.errors import Forbidden
from shared.permissions import current_principal
from shared.web import page_of, page_payload

blp = Blueprint("org_units", __name__, url_prefix="/staff/org-units",
                description="Org units: a tree of head office, branches, sub-branches, outlets "
                "and departments. Reading needs staff:read over the unit (a unit outside the "
                "caller's scope answers 404, as an unknown code); writing staff:write (a unit "
                "the caller knows but may not write answers 403).")
ERRORS = {"401": {"description": "No or bad token."},
          "403": {"description": "No staff:write over a unit the caller knows."}}
NOT_FOUND = {"404": {"description": "No such unit, or outside the caller's staff:read scope."}}


@blp.route("")
class OrgUnits(MethodView):
    @blp.arguments(OrgUnitQuery, location="query")
    @blp.response(200, page_of(OrgUnitRead))
    @blp.doc(responses=ERRORS)
    def get(self, query: dict[str, Any]) -> Any:
        """The units in the caller's staff:read scope, ordered by path, filtered."""
        principal = current_principal()
        items, total = service.list_org_units(
            session=db.session, scopes=access.read_scopes(principal),
            sight=access.sight(principal), **query)
        return page_payload(items, total, query)

    @blp.arguments(OrgUnitCreate)
    @blp.response(201, OrgUnitRead)
    @blp.doc(responses={**ERRORS, "409": {"description": "Code taken or parent inactive."},
                        "422": {"description": "Invalid, or a type not allowed there."}})
    def post(self, unit_in: dict[str, Any]) -> Any:
        """Add a unit under `parent` (staff:write over the parent; a root needs `*`).

        The code is unique across the organisation: a code taken anywhere, also outside the
        caller's scope, is a 409 (they could not have it either way)."""
        principal = current_principal()
        if unit_in["parent"] is None:  # a new root: only a grant on "*" covers it
            access.require_write_everywhere(principal)
        else:
            parent = get_unit(db.session, unit_in["parent"], field="parent")
            access.require_write_unit(principal, parent.code, parent.path, field="parent")
        return service.create_org_unit(session=db.session, unit_in=unit_in,
                                       actor=actor_from_request())


@blp.route("/<code>")
class OrgUnitItem(MethodView):
    @blp.response(200, OrgUnitRead)
    @blp.doc(responses={**ERRORS, **NOT_FOUND})
    def get(self, code: str) -> Any:
        """One unit with its path."""
        unit = get_unit(db.session, code)
        access.require_read_unit(current_principal(), code, unit.path)
        return unit

    @blp.arguments(OrgUnitUpdate)
    @blp.response(200, OrgUnitRead)
    @blp.doc(responses={**ERRORS, **NOT_FOUND,
                        "409": {"description": "Active staff or child units remain."}})
    def patch(self, changes: dict[str, Any], code: str) -> Any:
        """Rename, deactivate (`active: false`) or reactivate a unit."""
        unit = get_unit(db.session, code)
        access.require_write_unit(current_principal(), code, unit.path)
        return service.update_org_unit(session=db.session, code=code, changes=changes,
                                       actor=actor_from_request())


@blp.route("/<code>/tree")
class OrgUnitSubtree(MethodView):
    @blp.response(200, OrgUnitTree)
    @blp.doc(responses={**ERRORS, **NOT_FOUND})
    def get(self, code: str) -> Any:
        """The unit and everything below it as a nested object (one indexed query)."""
        unit = get_unit(db.session, code)
        access.require_read_unit(current_principal(), code, unit.path)
        return service.tree(session=db.session, code=code)


@blp.route("/<code>/move")
class OrgUnitMoveResource(MethodView):
    @blp.arguments(OrgUnitMove)
    @blp.response(200, OrgUnitRead)
    @blp.doc(responses={**ERRORS, **NOT_FOUND,
                        "409": {"description": "The new parent is inactive."},
                        "422": {"description": "Under its own subtree, a type not allowed "
                                "under the new parent, or no such parent (or one outside "
                                "the caller's scope)."}})
    def post(self, move: dict[str, Any], code: str) -> Any:
        """Re-parent a unit; its subtree is re-pathed in one transaction and auth is told
        (`POST /auth/org-events`) after commit, through the outbox — a down auth never
        fails the move. Needs staff:write over the old and the new parent."""
        principal = current_principal()
        unit = get_unit(db.session, code)
        access.require_write_unit(principal, code, unit.path)

        def check_write(old_parent: Any, new_parent: Any) -> None:
            access.require_write_unit(principal, new_parent.code, new_parent.path,
                                      field="parent")
            if old_parent is not None and not access.can_write(principal, old_parent.path):
                raise Forbidden(f"This needs the permission {access.WRITE} over the current "
                                f"parent of {code}.")

        unit, _moved = service.move_org_unit(
            session=db.session, code=code, parent_code=move["parent"],
            actor=actor_from_request(), check_write=check_write)
        return unit
