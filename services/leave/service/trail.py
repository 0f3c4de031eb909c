"""A request's signed trail (谁签字谁负责): one hash-chained row per transition."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.leave.models import LeaveRequest, Transition
from shared import trail
from shared.audit import Actor, utcnow


def append(session: Session, request: LeaveRequest, *, action: str, actor: Actor,
           to_status: str, from_status: str | None = None, comment: str | None = None,
           step_level: int | None = None, first: bool = False, **facts: Any) -> Transition:
    """Sign the next row: it names who acted (user, employee number, token), when, what and
    why, and chains to the row before. Called in the transaction of the change it records;
    `first` for the row of a request created in it (filing)."""
    # A request filed in this very transaction has no row yet: nothing to read.
    last = None if first else session.execute(
        select(Transition.seq, Transition.hash).where(Transition.request_id == request.id)
        .order_by(Transition.seq.desc()).limit(1)).first()
    row = Transition(**signed_row(request.id, last, action=action, actor=actor,
                                  to_status=to_status, from_status=from_status,
                                  comment=comment, step_level=step_level, **facts))
    session.add(row)
    return row


def signed_row(request_id: int, last: tuple[int, str] | None, *, action: str, actor: Actor,
               to_status: str, from_status: str | None = None, comment: str | None = None,
               step_level: int | None = None, **facts: Any) -> dict[str, Any]:
    """The next row's columns after `last` (its `(seq, hash)`, None for a request without
    one), for a caller that read `last` under the employee's lock itself — a decision reads
    it in the statement that re-reads the request, one round trip fewer."""
    seq, prev = (last[0] + 1, last[1]) if last else (1, trail.GENESIS)
    content = {
        "request_id": request_id, "seq": seq, "at": utcnow().isoformat(),
        "action": action, "from_status": from_status, "to_status": to_status,
        "step_level": step_level, "comment": comment,
        "actor": actor.sub, "actor_kind": actor.kind, "actor_emp": actor.emp,
        "token_jti": actor.jti, "http_request_id": actor.request_id,
        **{k: (str(v) if v is not None and not isinstance(v, int | str | list | dict | bool)
               else v) for k, v in facts.items()},
    }
    return {"request_id": request_id, "seq": seq, "content": content, "prev_hash": prev,
            "hash": trail.link_hash(prev, content)}


def view(session: Session, request_id: int) -> dict[str, Any]:
    """The trail, re-verified from the stored content (a stored hash is never trusted)."""
    rows = session.scalars(select(Transition).where(Transition.request_id == request_id)
                           .order_by(Transition.seq)).all()
    checked = trail.verify((r.content, r.prev_hash, r.hash) for r in rows)
    return {"request_id": request_id, **checked.as_dict(),
            "entries": [{**r.content, "prev_hash": r.prev_hash, "hash": r.hash} for r in rows]}
