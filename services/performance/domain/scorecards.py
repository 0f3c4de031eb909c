"""Scorecards (考核结果) from incidents, as pure rules.

Which incidents count: those that stand — `confirmed`, `appealed` (a decision stands until
an appeal overturns it; the scorecard says so rather than hiding a pending case) and
`upheld`. `recorded` (not yet decided), `dismissed` and `overturned` never count.
Excellence (年终评优) is lost by any standing incident whose consequence is `no_excellence`
or `disqualification` (a disqualified customer manager cannot be rated excellent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

STANDING = ("confirmed", "appealed", "upheld")
NO_EXCELLENCE = frozenset({"no_excellence", "disqualification"})


@dataclass(frozen=True)
class Totals:
    points_deducted: int
    bonus_deducted: Decimal
    excellence_eligible: bool
    disqualified: bool


def totals(incidents: Iterable[Any]) -> Totals:
    """Sum standing incidents (anything with status, points, deduction_amount, consequence)."""
    points, bonus, excellent, disqualified = 0, Decimal("0.00"), True, False
    for incident in incidents:
        if incident.status not in STANDING:
            continue
        points += incident.points or 0
        bonus += incident.deduction_amount or Decimal("0.00")
        if incident.consequence in NO_EXCELLENCE:
            excellent = False
        if incident.consequence == "disqualification":
            disqualified = True
    return Totals(points, bonus, excellent, disqualified)
