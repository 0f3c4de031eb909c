"""Qualifications a position requires (e.g. 客户经理资格) and what withdrawing one means.

Pure rules, no database: the service hands in an employee's records in the order they were
made. Why an append-only list rather than a flag on the employee: a withdrawal is the
consequence of a confirmed incident (取消客户经理资格, performance) and a restoration a
later decision; both must stay visible with who recorded them and why, and the current
state is simply the latest record per qualification.
"""

from __future__ import annotations

from collections.abc import Iterable

WITHDRAWN, RESTORED = "withdrawn", "restored"
STATUSES = (WITHDRAWN, RESTORED)
#: Always known, whatever the catalogue says: performance withdraws it (取消客户经理资格).
CUSTOMER_MANAGER = "customer_manager"


def currently_withdrawn(records: Iterable[tuple[str, str]]) -> list[str]:
    """The qualifications whose latest record, of `(qualification, status)` in the order
    they were made, is a withdrawal; sorted."""
    latest: dict[str, str] = {}
    for qualification, status in records:
        latest[qualification] = status
    return sorted(q for q, s in latest.items() if s == WITHDRAWN)


def transition_refusal(*, qualification: str, status: str, withdrawn: Iterable[str],
                       employee_no: str) -> str | None:
    """Why `status` cannot be recorded now, or None. Restoring needs a withdrawal to lift;
    withdrawing again is recorded (another incident's consequence is history too)."""
    if status == RESTORED and qualification not in set(withdrawn):
        return (f"{employee_no}'s {qualification} qualification is not withdrawn; there is "
                "nothing to restore.")
    return None


def placement_refusal(*, employee_no: str, position: str, requires: str | None,
                      withdrawn: Iterable[str]) -> str | None:
    """Why the employee cannot be placed in `position` (hire, transfer, assignment), or
    None: its required qualification is currently withdrawn for them."""
    if requires is not None and requires in set(withdrawn):
        return (f"{employee_no}'s {requires} qualification is withdrawn; they cannot hold "
                f"the position {position}, which requires it (restore it first).")
    return None
