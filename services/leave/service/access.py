"""Who may do what to a leave request, decided from the caller's token alone.

`Caller` is what the API layer hands the use cases (built from the verified token), so the
use cases stay free of Flask and the rules below stay pure. A role held over a unit covers
its subtree (`shared.scope.covers`); `admin` decides any step it covers (docs/api.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.leave.models import ApprovalStep, LeaveRequest
from shared.audit import Actor
from shared.scope import covers


@dataclass(frozen=True)
class Grant:
    role: str
    path: str
    permissions: frozenset[str]


@dataclass(frozen=True)
class Caller:
    """The caller: its audit identity, its employee number (users) and its grants."""

    actor: Actor
    kind: str
    emp: str | None
    grants: tuple[Grant, ...]
    scope: frozenset[str] = frozenset()  # a client's flat permissions

    @property
    def role_pairs(self) -> list[tuple[str, str]]:
        return [(g.role, g.path) for g in self.grants]

    def may(self, permission: str, path: str | None = None) -> bool:
        """Holds `permission` over `path` (over some unit when None)."""
        if self.kind == "client":
            return permission in self.scope
        return any(permission in g.permissions and (path is None or covers(g.path, path))
                   for g in self.grants)

    def holds(self, role: str, path: str) -> bool:
        """Holds `role` (or `admin`) over the unit at `path`."""
        return any(g.role in (role, "admin") and covers(g.path, path) for g in self.grants)


def is_requester(caller: Caller, request: LeaveRequest) -> bool:
    return caller.kind == "user" and caller.emp is not None and caller.emp == request.employee_no


def may_decide(caller: Caller, step: ApprovalStep) -> bool:
    """docs/api.md: a step {role, org} is decided by anyone holding that role over that unit (a
    binding on the unit or above it; admins too) — with `leave:approve` in that grant."""
    return any(g.role in (step.role, "admin") and covers(g.path, step.org_path)
               and "leave:approve" in g.permissions for g in caller.grants)


def may_cancel(caller: Caller, request: LeaveRequest) -> bool:
    """docs/api.md: whoever may decide the final step, or `hr` of the governing branch."""
    final = next((s for s in request.steps if s.final), None)
    by_final = final is not None and may_decide(caller, final)
    by_hr = caller.holds("hr", request.governing_path) and caller.may("leave:cancel",
                                                                       request.governing_path)
    return by_final or by_hr


def may_read(caller: Caller, request: LeaveRequest) -> bool:
    """Own requests, requests one stands in for or filed, requests in `leave:read` scope, and
    requests with a step the caller may decide."""
    if caller.kind == "client":
        return "leave:read" in caller.scope
    if caller.emp is not None and caller.emp in (request.employee_no, request.stand_in):
        return True
    if request.filed_by == caller.actor.sub:
        return True
    if caller.may("leave:read", request.unit_path):
        return True
    return any(may_decide(caller, s) for s in request.steps if s.status != "skipped")


def sees_why_unavailable(caller: Caller, unit_path: str) -> bool:
    """Why a colleague cannot stand in (on leave, leave pending, not active) is their own
    business: only who may already read or decide that unit's leave (`leave:read` or
    `leave:approve` over it — its head, hr above it) is told. Anyone else learns only
    whether they are available, so narrowing the dates maps nobody's leave day by day."""
    return caller.may("leave:approve", unit_path) or caller.may("leave:read", unit_path)
