"""Who may decide an incident now — one predicate for the decision endpoints and for the
incidents list's `awaiting=me` filter, so the list can never offer what the decision refuses
(or hide what it would allow).

A refusal is a `shared.errors` error the decision endpoint raises as it is; the list keeps
the incidents for which `decision_refusal` is `None`. The checks run in the endpoints' order
(authority, then status, then recusal), so a refused caller gets the same answer as before.
What is not a question of *who* (a confirmation in a signed-off period → 409) stays in the
endpoint: the caller may still dismiss such an incident, so it awaits them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session

from services.performance.domain.incidents import holds_role_over
from services.performance.models import Incident
from services.performance.service.incidents import can_read, incident_query, under_paths
from services.performance.service.policy import Policy, current_policy, policy_version
from services.performance.staff import Staff
from shared.errors import Conflict, Forbidden
from shared.permissions import has_permission
from shared.scope import WHOLE_ORGANISATION

#: Unit heads and deputies (行领导) are judged one level up, as their leave is approved there.
HEAD_GRADE = "head"
#: The statuses someone decides: recorded (confirm/dismiss) and appealed (uphold/overturn).
AWAITING_STATUSES = ("recorded", "appealed")


class Policies:
    """The policy versions one request reads (each incident names the version it was
    recorded under), read once each."""

    def __init__(self, session: Session) -> None:
        self.session, self._versions = session, {}
        self._current: Policy | None = None

    def current(self) -> Policy:
        if self._current is None:
            self._current = current_policy(session=self.session)
        return self._current

    def of(self, incident: Incident) -> Policy:
        if incident.policy_version not in self._versions:
            self._versions[incident.policy_version] = policy_version(
                session=self.session, version=incident.policy_version)
        return self._versions[incident.policy_version] or self.current()


def _recusal(incident: Incident, principal: Any, related: Callable[[str], set[str]], *,
             also: tuple[str | None, ...] = (), what: str = "decide") -> Forbidden | None:
    if principal.sub == incident.recorded_by or (
            principal.emp is not None and principal.emp == incident.recorded_by_emp):
        return Forbidden(f"Whoever recorded the incident may not {what} it (four-eyes).")
    if principal.emp is not None and principal.emp == incident.employee_no:
        return Forbidden(f"Nobody may {what} an incident about themself.")
    if principal.sub in also or (principal.emp is not None and principal.emp in also):
        return Forbidden(f"Whoever confirmed the incident may not {what} its appeal.")
    if principal.emp is not None and principal.emp in related(incident.employee_no):
        return Forbidden(f"A declared related party may not {what} the incident (回避).")
    return None


def confirm_refusal(incident: Incident, principal: Any, related: Callable[[str], set[str]],
                    policies: Policies) -> Exception | None:
    """Why the principal may not confirm or dismiss the incident now, or `None`."""
    if incident.over_cap or incident.grade == HEAD_GRADE:
        roles = policies.of(incident).over_cap_confirmer_roles
        if not holds_role_over(principal.roles, roles, incident.governing_path):
            why = ("The amount is above the recorder's authority cap"
                   if incident.over_cap else "The incident is about a unit head or deputy (行领导)")
            return Forbidden(f"{why}: only {' or '.join(roles)} of the governing branch may "
                             "decide it.")
    elif principal.kind == "client" or not has_permission(principal, "performance:confirm",
                                                          incident.unit_path):
        return Forbidden("This needs the permission performance:confirm over this unit.")
    if incident.status != "recorded":
        return Conflict(f"The incident is {incident.status}; only a recorded one is decided.")
    return _recusal(incident, principal, related)


def appeal_refusal(incident: Incident, principal: Any, related: Callable[[str], set[str]],
                   policies: Policies) -> Exception | None:
    """Why the principal may not uphold or overturn the incident's appeal now, or `None`."""
    roles = policies.current().appeal_decider_roles
    if not holds_role_over(principal.roles, roles, incident.governing_path):
        return Forbidden(f"An appeal is decided by {' or '.join(roles)} of the governing "
                         "branch.")
    if incident.status != "appealed":
        return Conflict(f"The incident is {incident.status}; only an appealed one is decided.")
    return _recusal(incident, principal, related,
                    also=(incident.decided_by, incident.decided_by_emp),
                    what="decide the appeal of")


def appeal_filing_refusal(incident: Incident, principal: Any,
                          today: dt.date) -> Exception | None:
    """Why the principal may not appeal the incident now (申诉: the subject alone, while it is
    confirmed, until its deadline inclusive), or `None`."""
    if principal.emp is None or principal.emp != incident.employee_no:
        return Forbidden("Only the employee the incident is about may appeal it.")
    if incident.status != "confirmed":
        return Conflict(f"The incident is {incident.status}; only a confirmed one is appealed.")
    if incident.appeal_deadline is None or today > incident.appeal_deadline:
        return Conflict(f"The appeal window closed on {incident.appeal_deadline}.")
    return None


def awaits(incident: Incident, principal: Any, related: Callable[[str], set[str]],
           policies: Policies) -> bool:
    """Does the incident await the principal's decision: may they read it, and would the
    decision its status calls for be theirs to take?"""
    if not can_read(principal, incident):
        return False
    judge = {"recorded": confirm_refusal, "appealed": appeal_refusal}.get(incident.status)
    return judge is not None and judge(incident, principal, related, policies) is None


def related_once(staff: Staff) -> Callable[[str], set[str]]:
    """`staff.related`, asked once per subject for one request (a list checks many
    incidents about the same few people)."""
    known: dict[str, set[str]] = {}

    def related(employee_no: str) -> set[str]:
        if employee_no not in known:
            known[employee_no] = staff.related(employee_no)
        return known[employee_no]
    return related


def raise_refusal(refusal: Exception | None) -> None:
    if refusal is not None:
        raise refusal


def list_awaiting(*, session: Session, principal: Any, staff: Staff, page: int, per_page: int,
                  **filters: Any) -> tuple[list[Incident], int]:
    """The incidents awaiting the principal's decision (`awaiting=me`), newest first, with
    the list's other filters. SQL narrows to the deciding statuses and to units under one of
    the caller's role bindings (every decider holds one over the subject's unit: a confirmer
    over it, a governing-branch decider over its branch, which is above it); `awaits` judges
    the rest row by row, and the page is cut after it, so `total` counts what the caller
    may decide."""
    if filters.get("status") not in (None, *AWAITING_STATUSES):
        return [], 0
    paths = sorted({g.path for g in principal.roles})
    if principal.kind == "client" or not paths:
        return [], 0
    query = incident_query(principal=principal, scope=False, **filters).where(
        Incident.status.in_(AWAITING_STATUSES))
    if WHOLE_ORGANISATION not in paths:
        query = query.where(or_(*under_paths(paths)))
    related, policies = related_once(staff), Policies(session)
    mine = [i for i in session.scalars(query.order_by(Incident.id.desc()))
            if awaits(i, principal, related, policies)]
    start = (page - 1) * per_page
    return mine[start:start + per_page], len(mine)
