"""`/auth/people-events`: staff tells auth that an employee left, or that a qualification
was withdrawn or restored (client permission `auth:people-sync`, or the admin rule)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.auth.api import common
from services.auth.api.people_schemas import PeopleEvent, PeopleEventResult
from services.auth.models import db
from services.auth.service import people
from shared.permissions import current_principal
from shared.web import Blueprint

blp = Blueprint("people_events", __name__, url_prefix="/auth/people-events",
                description="People changes from staff")


@blp.route("")
class PeopleEvents(MethodView):
    @blp.arguments(PeopleEvent)
    @blp.response(200, PeopleEventResult)
    def post(self, body: dict[str, Any]) -> Any:
        """Apply one event from staff's outbox (idempotent: delivered at least once).

        `employee_left` disables the linked user and ends their sign-ins;
        `qualification_withdrawn` ends the bindings of roles requiring it and refuses new
        ones until `qualification_restored`."""
        principal = current_principal()
        if not (principal.kind == "client"
                and "auth:people-sync" in common.client_permissions(principal)):
            common.require_admin()
        if body["event"] == "employee_left":
            return people.employee_left(
                session=db.session, employee_no=body["employee_no"],
                reference=body.get("reference"), reason=body.get("reason"),
                actor=common.actor(), now=common.now())
        return people.qualification_changed(
            session=db.session, settings=common.settings(), employee_no=body["employee_no"],
            qualification=body["qualification"], status=body["event"].split("_", 1)[1],
            reference=body["reference"], reason=body.get("reason") or "",
            sequence=body["sequence"], actor=common.actor(), now=common.now())
