"""What staff tells auth about people (`POST /auth/people-events`, from staff's outbox).

- `employee_left`: the user linked to the employee is disabled and every sign-in of theirs
  ends (refresh tokens die; their access tokens turn inactive at auth, and `/auth/check`
  answers `user_disabled`). A leaver keeps no access. Coming back (rehire) does not
  re-enable the account by itself: an admin decides that.
- `qualification_withdrawn` (取消客户经理资格): every binding of a role that requires the
  qualification ends (yesterday, in the organisation's calendar; one not started yet is
  removed), each audited with the incident as its reason, and the user's sign-ins end so
  that no refreshed token carries the role. While withdrawn, new bindings of such roles
  are refused (409, `service.bindings`).
- `qualification_restored`: the refusal lifts; ended bindings are not brought back (an
  admin binds again, deliberately).

Delivery is at least once, so every event is idempotent here: a second delivery changes
nothing and writes nothing; a qualification event older than the state auth holds (staff's
`sequence`) is ignored. Each change is audited with staff's reference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.auth.domain.scope import today_in
from services.auth.models import AuditEvent, Role, RoleBinding, User
from services.auth.service import bindings, qualifications, refresh
from shared.audit import Actor, record
from shared.settings import Settings


def _linked_user(session: Session, employee_no: str) -> User | None:
    return session.scalars(select(User).where(User.employee_no == employee_no)).first()


def employee_left(*, session: Session, employee_no: str, reference: str | None,
                  reason: str | None, actor: Actor, now: dt.datetime) -> dict[str, Any]:
    """Disable the linked user and end their sign-ins (idempotent)."""
    user = _linked_user(session, employee_no)
    if user is None:
        session.rollback()
        return {"applied": False, "users": [], "bindings_ended": 0, "sessions_revoked": 0}
    user = bindings.guard(session=session, user_id=user.id, now=now)
    was = user.status
    user.status = "disabled"
    revoked = refresh.revoke_all_for_user(session=session, user_id=user.id,
                                          reason="employee_left", now=now, actor=actor)
    applied = was != "disabled" or revoked > 0
    if applied:
        record(session, AuditEvent, actor=actor, action="user.left", target_type="user",
               target_id=str(user.id), before={"status": was},
               after={"status": "disabled", "employee_no": employee_no,
                      "reference": reference, "reason": reason, "sessions_revoked": revoked})
        session.commit()
    else:
        session.rollback()
    return {"applied": applied, "users": [user.id], "bindings_ended": 0,
            "sessions_revoked": revoked}


def qualification_changed(*, session: Session, settings: Settings, employee_no: str,
                          qualification: str, status: str, reference: str, reason: str,
                          sequence: int, actor: Actor, now: dt.datetime) -> dict[str, Any]:
    """Record a withdrawal or restoration; a withdrawal ends the bindings that need it."""
    user = _linked_user(session, employee_no)
    if user is not None:  # serialised with binding changes: no grant slips in between
        user = bindings.guard(session=session, user_id=user.id, now=now)
    try:
        news = qualifications.remember(
            session=session, employee_no=employee_no, qualification=qualification,
            status=status, reference=reference, reason=reason, sequence=sequence, now=now)
    except IntegrityError:  # the same event delivered twice at once: the other one won
        session.rollback()
        news = False
    result: dict[str, Any] = {"applied": news, "users": [user.id] if user else [],
                              "bindings_ended": 0, "sessions_revoked": 0}
    if not news:
        session.rollback()
        return result
    record(session, AuditEvent, actor=actor, action=f"qualification.{status}",
           target_type="employee", target_id=employee_no,
           after={"qualification": qualification, "reference": reference, "reason": reason,
                  "sequence": sequence})
    if status == qualifications.WITHDRAWN and user is not None:
        ended = _end_bindings(session, settings=settings, user=user,
                              qualification=qualification, reference=reference,
                              reason=reason, actor=actor, now=now)
        result["bindings_ended"] = ended
        if ended:
            result["sessions_revoked"] = refresh.revoke_all_for_user(
                session=session, user_id=user.id, reason="qualification_withdrawn", now=now,
                actor=actor)
    session.commit()
    return result


def _end_bindings(session: Session, *, settings: Settings, user: User, qualification: str,
                  reference: str, reason: str, actor: Actor, now: dt.datetime) -> int:
    """End today every binding of the user's whose role requires `qualification`."""
    needing = select(Role.name).where(Role.requires_qualification == qualification)
    rows = session.scalars(select(RoleBinding).where(RoleBinding.user_id == user.id,
                                                     RoleBinding.role.in_(needing))
                           .order_by(RoleBinding.id)).all()
    yesterday = today_in(now, settings.timezone) - dt.timedelta(days=1)
    ended = 0
    for binding in rows:
        if binding.valid_to is not None and binding.valid_to <= yesterday:
            continue  # over already
        before = bindings.as_dict(bindings.view(binding, None))
        if binding.valid_from is not None and binding.valid_from > yesterday:
            session.delete(binding)  # never in force: nothing to keep
            after: dict[str, Any] = {"removed": True}
        else:
            binding.valid_to = yesterday
            after = {"valid_to": yesterday.isoformat()}
        record(session, AuditEvent, actor=actor, action="binding.ended", target_type="user",
               target_id=str(user.id), before=before,
               after={**after, "reason": "qualification_withdrawn",
                      "qualification": qualification, "reference": reference,
                      "detail": reason})
        ended += 1
    return ended
