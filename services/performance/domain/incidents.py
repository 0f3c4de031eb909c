"""Judging an incident (过错认定) against its rule and the recorder's authority, as pure rules.

What a demanding bank expects, and why each rule is here:
- A rulebook range (e.g. first-inquiry 500–2,000 yuan) binds whoever records: an amount
  outside it, or none at all, is refused — the range is the bank's law, not a default.
- A rule without a range may carry a *discretionary* bonus deduction (docs/domain.md §4, 授权
  adopted by analogy): positive, exact to the fen, with its reason reported in
  `override_reason` (the seed: "并报告原因"). The recorder's
  authority cap (per role, policy data; inclusive) does not refuse a larger amount — it
  routes the confirmation to `hr` of the governing branch, one level up.
- Severities are what the rule allows: `aggravated` (加重惩罚) needs a points override larger
  than the rule's points and a stated reason; `egregious` (情节恶劣) brings the rule's
  escalation (e.g. disqualification 取消客户经理资格). An override with any other severity is
  refused: "how much more" is only ever decided for an aggravated case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.scope import covers

SEVERITIES = ("normal", "aggravated", "egregious")
FEN = Decimal("0.01")
#: The largest points override accepted: no rule costs more than 20; ten times that is a typo.
MAX_POINTS = 200


class IncidentRuleError(ValueError):
    """A judgement the rules refuse: `field` names the input, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RuleTerms:
    """What one version of a rule says (the numbers an incident is judged with)."""

    code: str
    points: int | None
    deduction_min: Decimal | None
    deduction_max: Decimal | None
    consequence: str | None
    severities: tuple[str, ...]
    severity_consequences: Mapping[str, str]

    @property
    def has_range(self) -> bool:
        return self.deduction_min is not None or self.deduction_max is not None


@dataclass(frozen=True)
class Judgement:
    """What the incident costs: points, yuan, consequence, and who must confirm it."""

    points: int | None
    deduction_amount: Decimal | None
    consequence: str | None
    discretionary: bool
    over_cap: bool


def judge(rule: RuleTerms, *, severity: str, deduction_amount: Decimal | None,
          points_override: int | None, override_reason: str | None,
          cap: Decimal | None) -> Judgement:
    """Judge one incident under `rule`; `cap` is the recorder's authority cap (None: the
    recorder holds no cap, so any discretionary amount goes one level up)."""
    if severity not in SEVERITIES:
        raise IncidentRuleError("severity", f"One of {', '.join(SEVERITIES)}.")
    if severity != "normal" and severity not in rule.severities:
        allowed = ", ".join(("normal", *rule.severities))
        raise IncidentRuleError("severity", f"Rule {rule.code} allows only: {allowed}.")
    points = _points(rule, severity, points_override, override_reason)
    amount, discretionary, over_cap = _amount(rule, deduction_amount, cap)
    if discretionary and not (override_reason and override_reason.strip()):
        raise IncidentRuleError("override_reason",
                                "A discretionary amount needs its reason (报告原因).")
    consequence = rule.severity_consequences.get(severity) or rule.consequence
    return Judgement(points=points, deduction_amount=amount, consequence=consequence,
                     discretionary=discretionary, over_cap=over_cap)


def _points(rule: RuleTerms, severity: str, override: int | None,
            reason: str | None) -> int | None:
    if severity != "aggravated":
        if override is not None:
            raise IncidentRuleError("points_override",
                                    "Only an aggravated incident overrides the rule's points.")
        return rule.points
    if override is None:
        raise IncidentRuleError("points_override",
                                "An aggravated incident needs the points it costs.")
    if not (reason and reason.strip()):
        raise IncidentRuleError("override_reason", "An aggravated incident needs a reason.")
    if override <= (rule.points or 0) or override > MAX_POINTS:
        raise IncidentRuleError(
            "points_override",
            f"More than the rule's {rule.points or 0} points and at most {MAX_POINTS}.")
    return override


def _amount(rule: RuleTerms, amount: Decimal | None,
            cap: Decimal | None) -> tuple[Decimal | None, bool, bool]:
    if amount is not None and (amount <= 0 or amount != amount.quantize(FEN)):
        raise IncidentRuleError("deduction_amount",
                                "A positive amount in yuan with at most 2 decimals.")
    if rule.has_range:
        low = rule.deduction_min if rule.deduction_min is not None else Decimal("0.01")
        high = rule.deduction_max
        if amount is None:
            raise IncidentRuleError("deduction_amount",
                                    f"Rule {rule.code} deducts {_range(low, high)} yuan.")
        if amount < low or (high is not None and amount > high):
            raise IncidentRuleError(
                "deduction_amount",
                f"Rule {rule.code} deducts {_range(low, high)} yuan, whoever records it.")
        return amount, False, False
    if amount is None:
        return None, False, False
    return amount, True, cap is None or amount > cap


def _range(low: Decimal, high: Decimal | None) -> str:
    return f"{low}–{high}" if high is not None else f"at least {low}"


def recorder_cap(grants: Iterable[Any], caps: Mapping[str, Decimal],
                 subject_path: str) -> Decimal | None:
    """The largest cap among the recorder's roles that may record over the subject's unit
    (`grants`: role, path, permissions), or None when none of them carries a cap."""
    found = [caps[g.role] for g in grants
             if g.role in caps and "performance:record" in g.permissions
             and covers(g.path, subject_path)]
    return max(found) if found else None


def holds_role_over(grants: Iterable[Any], roles: Iterable[str], path: str) -> bool:
    """Does one of `grants` bind one of `roles` on `path` or above it?"""
    wanted = set(roles)
    return any(g.role in wanted and covers(g.path, path) for g in grants)
