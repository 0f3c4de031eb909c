"""`/performance/incidents`: record, decide (four-eyes), appeal, read, and the signed trail."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from services.performance.models import db
from services.performance.schemas.incidents import (
    AppealCreate,
    AppealDecision,
    IncidentCreate,
    IncidentDecision,
    IncidentDetailRead,
    IncidentQuery,
    IncidentRead,
    TrailRead,
)
from services.performance.service import actions, deciders, decisions, incidents, steps
from services.performance.staff import Staff
from shared.audit import actor_from_request
from shared.errors import ValidationFailed
from shared.permissions import current_principal, has_permission, require
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("incidents", __name__, url_prefix="/performance/incidents",
                description="Incidents (过错记录): recorded, confirmed or dismissed by someone "
                "else, appealed by the subject, decided one level up; each step signed.")


def staff() -> Staff:
    return current_app.extensions["performance_staff"]


def today() -> Any:
    return incidents.today_local(current_app.extensions["hr_settings"].timezone)


@blp.route("")
class Incidents(MethodView):
    @blp.arguments(IncidentQuery, location="query")
    @blp.response(200, page_of(IncidentRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Incidents about employees in the caller's scope, and the caller's own; newest first.
        `org` narrows to a unit's subtree (an unknown unit and one outside the caller's scope
        alike → 422). `awaiting=me` keeps only those awaiting the caller's decision."""
        principal = current_principal()
        org = query.pop("org", None)
        under = None
        if org is not None:
            unit = staff().unit(org)
            if unit is None or not any(has_permission(principal, p, unit["path"])
                                       for p in incidents.READ_PERMISSIONS):
                raise ValidationFailed("The request has invalid fields.",
                                       errors={"org": [f"No unit {org}."]})
            under = unit["path"]
        if query.pop("awaiting", None) == "me":
            items, total = deciders.list_awaiting(session=db.session, principal=principal,
                                                  staff=staff(), under_path=under, **query)
        else:
            items, total = incidents.list_incidents(session=db.session, principal=principal,
                                                    under_path=under, **query)
        return page_payload(items, total, query)

    @blp.arguments(IncidentCreate)
    @blp.response(201, IncidentRead)
    @blp.doc(responses={"422": {"description": "Invalid; an unknown employee or one outside "
                                "the caller's scope; a rule, severity, range or override the "
                                "rule refuses."},
                        "503": {"description": "The staff service cannot be reached; nothing "
                                "was written."}})
    def post(self, incident_in: dict[str, Any]) -> Any:
        """Record an incident about an employee of a unit where the caller holds
        `performance:record`. It counts only once someone else confirms it."""
        principal = current_principal()
        require(principal, "performance:record")
        return incidents.record_incident(
            session=db.session, incident_in=incident_in, actor=actor_from_request(),
            recorder_roles=principal.roles, staff=staff(), today=today())


@blp.route("/<int:incident_id>")
class IncidentItem(MethodView):
    @blp.response(200, IncidentDetailRead)
    def get(self, incident_id: int) -> Any:
        """One incident (404 for an unknown one and one outside the caller's scope alike),
        with the `actions` the caller may take on it now."""
        principal = current_principal()
        incident = incidents.get_incident(session=db.session, incident_id=incident_id,
                                          principal=principal)
        return _WithActions(incident, actions.incident_actions(
            session=db.session, incident=incident, principal=principal, staff=staff(),
            today=today()))


class _WithActions:
    """The incident as `IncidentDetailRead` dumps it: its own attributes and `actions`."""

    def __init__(self, incident: Any, verbs: list[str]) -> None:
        self._incident, self.actions = incident, verbs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._incident, name)


@blp.route("/<int:incident_id>/decision")
class IncidentDecisionResource(MethodView):
    @blp.arguments(IncidentDecision)
    @blp.response(200, IncidentRead)
    @blp.doc(responses={"409": {"description": "Not `recorded`, or (confirm) it occurred in "
                                "a signed-off period of the subject's unit."},
                        "503": {"description": "Staff (declared relations) unreachable."}})
    def post(self, decision: dict[str, Any], incident_id: int) -> Any:
        """Confirm or dismiss: `performance:confirm` over the subject's unit (above the
        recorder's cap: hr of the governing branch), never the recorder, the subject or a
        declared related party (403). A disqualifying confirmation tells staff."""
        return decisions.decide_incident(
            session=db.session, incident_id=incident_id, principal=current_principal(),
            actor=actor_from_request(), staff=staff(), today=today(), **decision)


@blp.route("/<int:incident_id>/appeal")
class IncidentAppeal(MethodView):
    @blp.arguments(AppealCreate)
    @blp.response(200, IncidentRead)
    @blp.doc(responses={"409": {"description": "Not confirmed, or the window has closed."}})
    def post(self, appeal: dict[str, Any], incident_id: int) -> Any:
        """The subject appeals a confirmed incident within the policy window (申诉)."""
        return decisions.appeal_incident(
            session=db.session, incident_id=incident_id, principal=current_principal(),
            actor=actor_from_request(), today=today(), **appeal)


@blp.route("/<int:incident_id>/appeal/decision")
class IncidentAppealDecision(MethodView):
    @blp.arguments(AppealDecision)
    @blp.response(200, IncidentRead)
    @blp.doc(responses={"409": {"description": "Not appealed."}})
    def post(self, decision: dict[str, Any], incident_id: int) -> Any:
        """Uphold or overturn an appeal: hr (or admin) of the governing branch, never the
        first confirmer, the recorder, the subject or a related party."""
        return decisions.decide_appeal(
            session=db.session, incident_id=incident_id, principal=current_principal(),
            actor=actor_from_request(), staff=staff(), **decision)


@blp.route("/<int:incident_id>/trail")
class IncidentTrail(MethodView):
    @blp.response(200, TrailRead)
    def get(self, incident_id: int) -> Any:
        """Every signed step, re-verified now from the stored rows (`valid`)."""
        incident = incidents.get_incident(session=db.session, incident_id=incident_id,
                                          principal=current_principal())
        rows = steps.steps_of(db.session, incident.id)
        result = steps.verify_trail(incident, rows)
        return {"incident_id": incident.id, "valid": result.valid,
                "broken_at": result.broken_at, "reason": result.reason,
                "steps": [steps.content(s) | {"prev_hash": s.prev_hash, "hash": s.hash}
                          for s in rows]}
