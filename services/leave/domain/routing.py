"""Who approves a leave request, step by step (审批流程): the default routing policy.

The rule comes from the sub-branch head's duties (docs/domain.md §3, seed 000 item 10):
"负责本网点中层及员工5天以上请休假初审工作;负责本网点中层及员工请假5天以内(含5天)的审批工作".
docs/api.md ("Default routing") fixes how we read it:

- the requester's 网点 (`outlet_unit`) is the nearest unit of type sub_branch or outlet at
  or above the requester's unit; the governing branch 管辖行 is the nearest branch at or
  above it, else the head office;
- grade staff / mid in a 网点: total ≤ 5 days → `branch_head` of the 网点, final; above 5 →
  `branch_head` does the preliminary review 初审, `hr` of the governing branch decides;
- grade head (行领导: heads and deputies), or nobody's 网点 above → `hr` of the governing
  branch, final;
- nobody approves their own request: a step whose role the requester holds over its unit is
  skipped up to the governing branch's `hr`, and from there to `admin` over the whole
  organisation ("*"), the last resort, which is never skipped (another admin decides).

Thresholds, roles and unit types are data (`RoutingPolicy`, shipped in
data/reference/leave_policy.yaml) because the seed's 5 days is the bank's rule today, not
a law of nature; the code only knows the shape of the route.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from services.leave.domain.errors import RoutingError
from services.leave.domain.policy import Delegation, RoutingPolicy, load_policy, policy_from_yaml
from services.leave.domain.spans import Span, related_days, related_requests
from shared.scope import WHOLE_ORGANISATION, covers

__all__ = [
    "Chain", "Delegation", "OrgUnitRef", "Requester", "RoutingPolicy", "Span", "Step",
    "covers", "governing_branch", "load_policy", "outlet_unit", "policy_from_yaml",
    "related_days", "related_requests", "route",
]

StepStatus = Literal["pending", "waiting", "skipped"]


@dataclass(frozen=True)
class OrgUnitRef:
    """A unit as staff's chain answer names it: code, type and materialised path."""

    code: str
    type: str
    path: str

    @property
    def depth(self) -> int:
        return 0 if self.path == WHOLE_ORGANISATION else self.path.count("/") + 1


@dataclass(frozen=True)
class Chain:
    """The units from the requester's own unit up to the head office, nearest first, and
    the requester's grade — what GET /staff/employees/{no}/chain answers."""

    units: tuple[OrgUnitRef, ...]
    grade: str

    @classmethod
    def from_staff(cls, payload: Mapping[str, Any]) -> Chain:
        """Build from the staff service's chain answer (`units`: [{code, type, path}, ...]).

        Units are ordered by depth, deepest first, so that the order staff happens to send
        them in does not matter.
        """
        units = [OrgUnitRef(code=u["code"], type=u["type"], path=u["path"])
                 for u in payload.get("units") or ()]
        units.sort(key=lambda u: u.depth, reverse=True)
        return cls(units=tuple(units), grade=str(payload["grade"]))

    def nearest(self, types: Iterable[str]) -> OrgUnitRef | None:
        """The nearest unit at or above the requester's unit whose type is one of `types`."""
        wanted = frozenset(types)
        return next((u for u in self.units if u.type in wanted), None)


@dataclass(frozen=True)
class Requester:
    """Who files the request. Routing needs only who it is; grade comes with the chain."""

    employee_no: str


@dataclass(frozen=True)
class Step:
    """One approval step (审批环节): one role over one unit, one accountable decider."""

    level: int
    role: str
    org: str
    org_path: str
    final: bool
    status: StepStatus

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "role": self.role, "org": self.org,
                "org_path": self.org_path, "final": self.final, "status": self.status}


def outlet_unit(chain: Chain, policy: RoutingPolicy) -> OrgUnitRef | None:
    """The requester's 网点: nearest sub_branch or outlet at or above their unit, if any."""
    return chain.nearest(policy.outlet_unit_types)


def governing_branch(chain: Chain, policy: RoutingPolicy) -> OrgUnitRef:
    """The governing branch 管辖行: nearest branch at or above; else the head office; else
    the chain's root (a tree without a head-office-typed root still routes somewhere)."""
    if not chain.units:
        raise RoutingError("The requester's chain of units is empty.")
    return (chain.nearest(policy.governing_unit_types)
            or chain.nearest(policy.governing_fallback_types)
            or chain.units[-1])


def _holds(roles: list[tuple[str, str]], role: str, unit: OrgUnitRef) -> bool:
    return any(held == role and covers(path, unit.path) for held, path in roles)


def _delegate(chain: Chain, total: Decimal, policy: RoutingPolicy
              ) -> tuple[str, OrgUnitRef] | None:
    """The first enabled delegation that takes this request whole, with its unit."""
    for delegation in policy.delegations:
        if (delegation.enabled and chain.grade in delegation.grades
                and total <= delegation.max_days):
            unit = chain.nearest(delegation.unit_types)
            if unit is not None:
                return delegation.role, unit
    return None


def _designated(chain: Chain, designator: str, policy: RoutingPolicy) -> OrgUnitRef | None:
    """The unit a rule's step names (`policy.UNIT_DESIGNATORS`, or `nearest:<type>`)."""
    if designator == "own":
        return chain.units[0]
    if designator == "outlet":
        return outlet_unit(chain, policy)
    if designator == "governing_branch":
        return governing_branch(chain, policy)
    if designator == "head_office":
        return chain.nearest(policy.governing_fallback_types) or chain.units[-1]
    return chain.nearest([designator.partition(":")[2]])


def _ruled(chain: Chain, total: Decimal, policy: RoutingPolicy
           ) -> list[tuple[str, OrgUnitRef]] | None:
    """The steps of the first enabled rule that matches and whose units all exist."""
    for rule in policy.rules:
        if not rule.matches(chain.grade, chain.units[0].type, total):
            continue
        units = [_designated(chain, step.unit, policy) for step in rule.steps]
        if all(u is not None for u in units):
            return [(step.role, unit) for step, unit in zip(rule.steps, units, strict=True)
                    if unit is not None]
    return None


def planned_steps(chain: Chain, total: Decimal, policy: RoutingPolicy
                  ) -> list[tuple[str, OrgUnitRef]]:
    """The route before self-approval is taken out: (role, unit) pairs, final one last.
    Ordered policy rules first; else the default route."""
    governing_branch(chain, policy)  # an empty chain is refused before any rule is read
    ruled = _ruled(chain, total, policy)
    if ruled is not None:
        return ruled
    outlet = outlet_unit(chain, policy)
    governing = governing_branch(chain, policy)
    if outlet is None or chain.grade not in policy.outlet_grades:
        return [(policy.final_role, governing)]
    delegated = _delegate(chain, total, policy)
    if delegated is not None:
        return [delegated]
    if total <= policy.threshold_days:
        return [(policy.outlet_role, outlet)]
    return [(policy.outlet_role, outlet), (policy.final_role, governing)]


def route(*, requester: Requester, chain: Chain, days: Decimal,
          related_days: Decimal = Decimal(0), policy: RoutingPolicy,
          requester_roles: Iterable[tuple[str, str]]) -> list[Step]:
    """The steps of a new request, level 1 first.

    `days` is the request's own length; `related_days` the days of the requester's pending
    and approved requests that form one absence with it (`spans.related_days`), so that a
    split absence routes as a whole. `requester_roles` are the requester's role bindings as
    (role, path) pairs. Skipped steps stay in the list (status "skipped") so the trail shows
    why the route went up; the first active step is "pending", later ones "waiting", and the
    last active step is the final one.
    """
    if days < 0 or related_days < 0:
        raise RoutingError("Leave days cannot be negative.")
    roles = [(str(role), str(path)) for role, path in requester_roles]
    total = Decimal(days) + Decimal(related_days)
    governing = governing_branch(chain, policy)
    hr_step = (policy.final_role, governing)
    last_resort = (policy.last_resort_role, OrgUnitRef(
        code=policy.last_resort_org, type=WHOLE_ORGANISATION, path=policy.last_resort_org))
    planned = planned_steps(chain, total, policy)

    def key(step: tuple[str, OrgUnitRef]) -> tuple[str, str]:
        return step[0], step[1].path

    resolved: list[tuple[str, OrgUnitRef, bool]] = []  # role, unit, skipped
    active: set[tuple[str, str]] = set()
    for index, step in enumerate(planned):
        later = {key(s) for s in planned[index + 1:]}
        while key(step) not in active:
            role, unit = step
            if key(step) == key(last_resort) or not _holds(roles, role, unit):
                resolved.append((role, unit, False))
                active.add(key(step))
                break
            resolved.append((role, unit, True))  # the requester cannot decide it: go up
            step = last_resort if key(step) == key(hr_step) else hr_step
            if key(step) in later:  # the route reaches that step anyway
                break

    last_active = max(i for i, (_, _, skipped) in enumerate(resolved) if not skipped)
    steps: list[Step] = []
    seen_active = False
    for i, (role, unit, skipped) in enumerate(resolved):
        status: StepStatus = "skipped" if skipped else ("waiting" if seen_active else "pending")
        seen_active = seen_active or not skipped
        steps.append(Step(level=i + 1, role=role, org=unit.code, org_path=unit.path,
                          final=i == last_active, status=status))
    return steps
