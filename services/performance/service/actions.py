"""What the caller may do with an incident now (`actions` on `GET /performance/incidents/{id}`):
the console shows exactly these buttons instead of guessing in the browser.

Each verb is offered when the endpoint that takes it would accept it from this caller at
this moment, judged by the same predicates the endpoints raise from (`deciders`), in the
same order; a confirmation also needs the period not to be signed off (`frozen_by`), as the
decision endpoint checks. It reflects the moment of the read: the endpoint still decides.
When staff cannot say who is related to the subject (down), the verbs that need recusal are
left out — their endpoints would answer 503 — and reading the incident still succeeds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from services.performance.models import Incident
from services.performance.service.deciders import (
    Policies,
    appeal_filing_refusal,
    appeal_refusal,
    confirm_refusal,
    related_once,
)
from services.performance.service.decisions import frozen_by
from services.performance.staff import Staff
from shared.errors import ServiceUnavailable


def incident_actions(*, session: Session, incident: Incident, principal: Any, staff: Staff,
                     today: dt.date) -> list[str]:
    """The verbs the principal may send now: `confirm`/`dismiss` (to `/decision`),
    `appeal` (to `/appeal`), `uphold`/`overturn` (to `/appeal/decision`)."""
    related = related_once(staff)
    try:
        if incident.status == "recorded":
            if confirm_refusal(incident, principal, related, Policies(session)) is not None:
                return []
            return (["dismiss"] if frozen_by(session, incident) is not None
                    else ["confirm", "dismiss"])
        if incident.status == "confirmed":
            return [] if appeal_filing_refusal(incident, principal, today) else ["appeal"]
        if incident.status == "appealed":
            if appeal_refusal(incident, principal, related, Policies(session)) is not None:
                return []
            return ["uphold", "overturn"]
    except ServiceUnavailable:
        return []
    return []
