"""The leave routing policy as data (请休假审批规则), read from leave_policy.yaml.

docs/domain.md §3: "Thresholds, levels and approver roles are policy data, not code constants."
The defaults below are the same as the shipped data/reference/leave_policy.yaml (a test keeps
them equal), so that a caller without the file still routes by the bank's rule, and the file
is where HR/admins read and change it. Parsing is strict (unknown keys are refused) because a
misspelt key in a policy silently falling back to a default is how a 10-day leave ends up
approved by one person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from services.leave.domain.calendar import parse_overrides
from services.leave.domain.errors import PolicyError

POLICY_VERSION = 1
DEFAULT_POLICY_PATH = (Path(__file__).resolve().parents[3]
                       / "data" / "reference" / "leave_policy.yaml")


@dataclass(frozen=True)
class Delegation:
    """A lower threshold delegated to another role (adopted by analogy from seed 004:
    a manager approving subordinates' "请假(一天以内)"): requests of `grades` totalling at most
    `max_days` go, as one final step, to `role` over the nearest unit of `unit_types` at or
    above the requester's unit. Applies only inside the 网点 route, and only when `enabled`
    (off by default: the seed's own bank rule gives the branch head every ≤ 5-day request).
    """

    role: str
    max_days: Decimal
    unit_types: frozenset[str]
    grades: frozenset[str]
    enabled: bool = False


#: Where a rule's step is decided: the requester's own unit, their 网点, the governing branch,
#: the head office, or the nearest unit of a type at or above theirs (`nearest:department`).
UNIT_DESIGNATORS = ("own", "outlet", "governing_branch", "head_office")
COMPARISONS = {"lt", "lte", "gt", "gte"}


@dataclass(frozen=True)
class RuleStep:
    """One step a rule asks for: `role` over the unit `unit` designates."""

    role: str
    unit: str


@dataclass(frozen=True)
class RoutingRule:
    """An ordered routing rule (审批规则): when the requester's grade, own unit type and total
    days (this request plus the ones it joins) match, these steps, the last one final.

    Rules are checked in order before the default route and the first enabled one that
    matches — and whose every step's unit exists above the requester — decides the steps; no
    match leaves the default route (网点 head up to the threshold, then the governing hr).
    Empty `grades` or `unit_types` match any; `days` bounds are `lt`, `lte`, `gt`, `gte`.
    """

    name: str
    steps: tuple[RuleStep, ...]
    grades: frozenset[str] = frozenset()
    unit_types: frozenset[str] = frozenset()
    days: tuple[tuple[str, Decimal], ...] = ()
    enabled: bool = True

    def matches(self, grade: str, unit_type: str, total: Decimal) -> bool:
        if not self.enabled:
            return False
        if self.grades and grade not in self.grades:
            return False
        if self.unit_types and unit_type not in self.unit_types:
            return False
        checks = {"lt": total.__lt__, "lte": total.__le__, "gt": total.__gt__,
                  "gte": total.__ge__}
        return all(checks[op](bound) for op, bound in self.days)


def _default_delegations() -> tuple[Delegation, ...]:
    return (Delegation(role="dept_manager", max_days=Decimal(1),
                       unit_types=frozenset({"department"}), grades=frozenset({"staff"}),
                       enabled=False),)


@dataclass(frozen=True)
class RoutingPolicy:
    """Default routing (docs/api.md): who decides, above which total of days, over which unit."""

    version: int = POLICY_VERSION
    #: ≤ threshold (含本数, 5 included) → one step at the 网点; above → 初审 + governing hr.
    threshold_days: Decimal = Decimal(5)
    #: 网点: nearest unit of these types at or above the requester's unit.
    outlet_unit_types: frozenset[str] = frozenset({"sub_branch", "outlet"})
    outlet_role: str = "branch_head"
    #: Grades routed through the 网点 (中层及员工); others (head: 行领导) go to the governing hr.
    outlet_grades: frozenset[str] = frozenset({"staff", "mid"})
    #: 管辖行: nearest unit of these types, else of the fallback types (the head office).
    governing_unit_types: frozenset[str] = frozenset({"branch"})
    governing_fallback_types: frozenset[str] = frozenset({"head_office"})
    final_role: str = "hr"
    #: Where a step goes when even the governing branch's hr is the requester.
    last_resort_role: str = "admin"
    last_resort_org: str = "*"
    delegations: tuple[Delegation, ...] = field(default_factory=_default_delegations)
    #: Ordered rules checked before the default route (none by default).
    rules: tuple[RoutingRule, ...] = ()

    @classmethod
    def from_mapping(cls, document: Mapping[str, Any]) -> RoutingPolicy:
        """Build from the parsed policy document (`{version: 1, routing: {...}, ...}`)."""
        version = document.get("version")
        if version != POLICY_VERSION:
            raise PolicyError(f"Leave policy version {version!r} is not supported "
                              f"(expected {POLICY_VERSION}).")
        routing = _section(document, "routing", "")
        _only(routing, {"threshold_days", "outlet", "governing_branch", "last_resort",
                        "delegations", "rules"}, "routing")
        outlet = _section(routing, "outlet", "routing.")
        _only(outlet, {"unit_types", "role", "grades"}, "routing.outlet")
        governing = _section(routing, "governing_branch", "routing.")
        _only(governing, {"unit_types", "fallback_unit_types", "role"},
              "routing.governing_branch")
        last = _section(routing, "last_resort", "routing.")
        _only(last, {"role", "org"}, "routing.last_resort")
        return cls(
            version=POLICY_VERSION,
            threshold_days=_days(routing.get("threshold_days"), "routing.threshold_days"),
            outlet_unit_types=_names(outlet.get("unit_types"), "routing.outlet.unit_types"),
            outlet_role=_name(outlet.get("role"), "routing.outlet.role"),
            outlet_grades=_names(outlet.get("grades"), "routing.outlet.grades"),
            governing_unit_types=_names(governing.get("unit_types"),
                                        "routing.governing_branch.unit_types"),
            governing_fallback_types=_names(governing.get("fallback_unit_types", []),
                                            "routing.governing_branch.fallback_unit_types",
                                            allow_empty=True),
            final_role=_name(governing.get("role"), "routing.governing_branch.role"),
            last_resort_role=_name(last.get("role"), "routing.last_resort.role"),
            last_resort_org=_name(last.get("org"), "routing.last_resort.org"),
            delegations=tuple(_delegation(d, f"routing.delegations.{i}")
                              for i, d in enumerate(routing.get("delegations") or ())),
            rules=tuple(_rule(r, f"routing.rules.{i}")
                        for i, r in enumerate(routing.get("rules") or ())),
        )


def policy_from_yaml(text: str) -> RoutingPolicy:
    """Parse the YAML text of a policy document (the caller read it from wherever)."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"The leave policy is not valid YAML: {exc}") from exc
    if not isinstance(document, Mapping):
        raise PolicyError("The leave policy must be a mapping.")
    return RoutingPolicy.from_mapping(document)


def load_policy(path: Path = DEFAULT_POLICY_PATH) -> RoutingPolicy:
    """Read and parse a policy file (by default the shipped reference data)."""
    return policy_from_yaml(Path(path).read_text(encoding="utf-8"))


def calendar_overrides(document: Mapping[str, Any]) -> dict[date, bool]:
    """HR's calendar overrides from a policy document's `calendar.overrides` (may be absent).

    For `calendar.WorkingCalendar(overrides=...)`; the service keeps the edited ones in its
    store, the file only seeds them.
    """
    section = document.get("calendar") or {}
    if not isinstance(section, Mapping):
        raise PolicyError("calendar must be a mapping.")
    return parse_overrides(section.get("overrides"))


def _section(parent: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = parent.get(name)
    if not isinstance(value, Mapping):
        raise PolicyError(f"{where}{name} must be a mapping.")
    return value


def _only(section: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise PolicyError(f"{where}: unknown keys {', '.join(map(str, unknown))}.")


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise PolicyError(f"{where} must be a non-empty string.")
    return value


def _names(value: Any, where: str, *, allow_empty: bool = False) -> frozenset[str]:
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
        raise PolicyError(f"{where} must be a list of names.")
    names = frozenset(_name(v, where) for v in value)
    if not names and not allow_empty:
        raise PolicyError(f"{where} must not be empty.")
    return names


def _days(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PolicyError(f"{where} must be a number of days.")
    try:
        days = Decimal(str(value))
    except InvalidOperation as exc:
        raise PolicyError(f"{where} must be a number of days.") from exc
    if not days.is_finite() or days <= 0 or days % Decimal("0.5"):
        raise PolicyError(f"{where} must be a positive number of whole or half days.")
    return days


def _delegation(entry: Any, where: str) -> Delegation:
    if not isinstance(entry, Mapping):
        raise PolicyError(f"{where} must be a mapping.")
    _only(entry, {"role", "max_days", "unit_types", "grades", "enabled"}, where)
    enabled = entry.get("enabled", False)
    if not isinstance(enabled, bool):
        raise PolicyError(f"{where}.enabled must be true or false.")
    return Delegation(role=_name(entry.get("role"), f"{where}.role"),
                      max_days=_days(entry.get("max_days"), f"{where}.max_days"),
                      unit_types=_names(entry.get("unit_types"), f"{where}.unit_types"),
                      grades=_names(entry.get("grades"), f"{where}.grades"),
                      enabled=enabled)


def _unit(value: Any, where: str) -> str:
    name = _name(value, where)
    kind, _, of_type = name.partition(":")
    if name in UNIT_DESIGNATORS or (kind == "nearest" and of_type):
        return name
    raise PolicyError(f"{where} must be one of {', '.join(UNIT_DESIGNATORS)} or "
                      "nearest:<unit type>.")


def _rule(entry: Any, where: str) -> RoutingRule:
    if not isinstance(entry, Mapping):
        raise PolicyError(f"{where} must be a mapping.")
    _only(entry, {"name", "enabled", "grades", "unit_types", "days", "steps"}, where)
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise PolicyError(f"{where}.enabled must be true or false.")
    days = entry.get("days") or {}
    if not isinstance(days, Mapping):
        raise PolicyError(f"{where}.days must be a mapping of lt, lte, gt, gte.")
    _only(days, COMPARISONS, f"{where}.days")
    raw_steps = entry.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise PolicyError(f"{where}.steps must be a non-empty list.")
    steps = []
    for i, step in enumerate(raw_steps):
        if not isinstance(step, Mapping):
            raise PolicyError(f"{where}.steps.{i} must be a mapping.")
        _only(step, {"role", "unit"}, f"{where}.steps.{i}")
        steps.append(RuleStep(role=_name(step.get("role"), f"{where}.steps.{i}.role"),
                              unit=_unit(step.get("unit"), f"{where}.steps.{i}.unit")))
    return RoutingRule(
        name=_name(entry.get("name"), f"{where}.name"), steps=tuple(steps),
        grades=_names(entry.get("grades", []), f"{where}.grades", allow_empty=True),
        unit_types=_names(entry.get("unit_types", []), f"{where}.unit_types",
                          allow_empty=True),
        days=tuple(sorted((op, _bound(v, f"{where}.days.{op}")) for op, v in days.items())),
        enabled=enabled)


def _bound(value: Any, where: str) -> Decimal:
    """A day bound: zero or more whole or half days (`gt: 0` is a valid bound)."""
    if value == 0 and not isinstance(value, bool):
        return Decimal(0)
    return _days(value, where)
