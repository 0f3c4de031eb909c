"""`/staff/scheduled-changes`: dated hires, transfers and status changes waiting for their
day — listed over the caller's units and cancellable (audited) — and the due-changes step.

Who: reading needs `staff:read` over the change's unit or the employee's current unit;
cancelling needs what scheduling it needed (`staff:write` over the new unit of a hire, the
employee's unit for a status change, both units for a transfer). A change the caller may
not read answers 404.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from flask import Flask, current_app, g
from flask.views import MethodView

from services.staff import access
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.models import ScheduledChange, db
from services.staff.schemas.scheduled import (
    EXAMPLE,
    ScheduledChangeCancel,
    ScheduledChangeQuery,
    ScheduledChangeRead,
)
from services.staff.service import scheduled
from services.staff.service.schedule_store import next_midnight, today_in
from shared.audit import actor_from_request
from shared.permissions import current_principal
from shared.web import page_of, page_payload

blp = Blueprint("scheduled", __name__, url_prefix="/staff/scheduled-changes",
                description="Dated changes (a hire, transfer or status change dated after "
                "today) waiting for their day; they take effect at local midnight starting "
                "it, checked again then.")
NOT_FOUND = {"404": {"description": "No such scheduled change, or outside the caller's "
                     "scope."}}


def today() -> dt.date:
    """The organisation's date now (the app's clock, HR_TIMEZONE)."""
    return today_in(current_app.extensions["staff_clock"](),
                    current_app.extensions["hr_settings"].timezone)


def day_ends() -> float:
    """When today ends (epoch seconds): answers that depend on the date hold until then."""
    zone = current_app.extensions["hr_settings"].timezone
    return next_midnight(today(), zone).timestamp()


def install_due_step(app: Flask, after_apply: Any = None) -> None:
    """Before the first request of each local day in this process, apply the changes dated
    today or earlier (a write: the read generation moves), so nothing answered that day
    predates them. Changes are only ever scheduled for a later day, so once a day suffices;
    `python -m services.staff apply-scheduled` does the same from cron."""
    lock = threading.Lock()
    app.extensions["staff_due_through"] = None

    @app.before_request
    def apply_due_changes() -> None:
        if getattr(g, "principal", None) is None:
            return  # health, documents, refusals: nothing that reads employees
        day = today()
        done = app.extensions["staff_due_through"]
        if done is not None and done >= day:
            return
        with lock:
            done = app.extensions["staff_due_through"]
            if done is not None and done >= day:  # another thread did it meanwhile
                return
            counts = scheduled.apply_due(session=db.session, today=day)
            app.extensions["staff_due_through"] = day
        if counts["applied"] and after_apply is not None:
            after_apply()


def _can_write_change(change: ScheduledChange, target_path: str,
                      employee_path: str | None) -> None:
    """What scheduling it needed: over the change's unit, and for a transfer the
    employee's current one too."""
    principal = current_principal()
    access.require_write(principal, target_path, change.org)
    if change.kind == "transfer" and employee_path is not None:
        access.require_write(principal, employee_path, f"the unit of {change.employee_no}")


@blp.route("")
class ScheduledChanges(MethodView):
    @blp.arguments(ScheduledChangeQuery, location="query")
    @blp.response(200, page_of(ScheduledChangeRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Scheduled changes over the caller's units, soonest first (`state=scheduled` for
        those still pending; applied, cancelled and failed ones stay listed)."""
        principal = current_principal()
        items, total = scheduled.list_changes(session=db.session,
                                              scopes=access.read_scopes(principal), **query)
        return page_payload(items, total, query)


@blp.route("/<int:change_id>")
class ScheduledChangeItem(MethodView):
    @blp.response(200, ScheduledChangeRead, example=EXAMPLE)
    @blp.doc(responses=NOT_FOUND)
    def get(self, change_id: int) -> Any:
        """One scheduled change."""
        principal = current_principal()
        return scheduled.get_change(db.session, change_id,
                                    lambda path: access.can_read(principal, path))[0]


@blp.route("/<int:change_id>/cancel")
class ScheduledChangeCancelling(MethodView):
    @blp.arguments(ScheduledChangeCancel)
    @blp.response(200, ScheduledChangeRead, example={**EXAMPLE, "state": "cancelled"})
    @blp.doc(responses={**NOT_FOUND,
                        "403": {"description": "Not staff:write over its unit(s)."},
                        "409": {"description": "Already applied, cancelled or failed."}})
    def post(self, body: dict[str, Any], change_id: int) -> Any:
        """Cancel a pending change (audited with the reason): the employee stays as they
        are; a scheduled hire's number is free again."""
        principal = current_principal()
        return scheduled.cancel(session=db.session, change_id=change_id,
                                reason=body.get("reason"), actor=actor_from_request(),
                                can_read=lambda path: access.can_read(principal, path),
                                require_write=_can_write_change)
