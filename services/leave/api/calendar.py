"""`/leave/calendar` and `/leave/policy`: the working calendar with HR's overrides, and the
versioned routing policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.views import MethodView

from services.leave.api.common import caller, require_policy, today
from services.leave.models import db
from services.leave.schemas import (
    CalendarQuery,
    CalendarRead,
    OverrideIn,
    OverrideResult,
    PolicyIn,
    PolicyRead,
)
from services.leave.service import calendar, decisions, reference
from services.leave.service.common import invalid
from shared.web import Blueprint

blp = Blueprint("calendar", __name__, url_prefix="/leave",
                description="The working calendar and the routing policy. Anyone signed in "
                "reads them; changing them needs leave:policy over the whole organisation "
                "or the head office.")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise invalid("date", "A date is YYYY-MM-DD.") from None


@blp.route("/calendar")
class Calendar(MethodView):
    @blp.arguments(CalendarQuery, location="query")
    @blp.response(200, CalendarRead)
    def get(self, query: dict[str, Any]) -> Any:
        """The year as a request will count it: `official` where the State Council's schedule
        is known (statutory holidays, make-up working days 调休), else `provisional`
        (weekends), HR's overrides winning either way."""
        return calendar.year_view(db.session, query.get("year") or today().year)


@blp.route("/calendar/overrides/<day>",
           parameters=[{"in": "path", "name": "day", "example": "2026-10-10"}])
class Override(MethodView):
    @blp.arguments(OverrideIn)
    @blp.response(200, OverrideResult)
    def put(self, override_in: dict[str, Any], day: str) -> Any:
        """Set a date as working or not (audited); pending requests covering it are
        recounted (their held days follow), approved ones keep what was approved."""
        who = caller()
        require_policy(who)
        row = calendar.set_override(session=db.session, day=_date(day), actor=who.actor,
                                    **override_in)
        changed = decisions.recount_pending(session=db.session, day=row.day,
                                            calendar=calendar.working_calendar(db.session),
                                            actor=who.actor)
        db.session.commit()
        return {**calendar.override_dict(row), "recounted": changed}

    @blp.response(204)
    def delete(self, day: str) -> None:
        """Remove an override (audited); pending requests covering the date are recounted."""
        who = caller()
        require_policy(who)
        when = _date(day)
        calendar.delete_override(session=db.session, day=when, actor=who.actor)
        decisions.recount_pending(session=db.session, day=when,
                                  calendar=calendar.working_calendar(db.session),
                                  actor=who.actor)
        db.session.commit()


@blp.route("/policy")
class Policy(MethodView):
    @blp.response(200, PolicyRead)
    def get(self) -> Any:
        """The routing policy in force (its version is stamped on every request routed)."""
        return reference.policy_dict(reference.current_policy_row(db.session))

    @blp.arguments(PolicyIn)
    @blp.response(200, PolicyRead)
    def put(self, policy_in: dict[str, Any]) -> Any:
        """Publish a new version (checked strictly: unknown keys are a 422; audited).
        Requests already filed keep the version they were routed under."""
        who = caller()
        require_policy(who)
        return reference.policy_dict(reference.publish_policy(
            session=db.session, document=policy_in["document"], note=policy_in["note"],
            actor=who.actor))
