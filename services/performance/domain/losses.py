"""Loss accountability 责任追究 (docs/domain.md §4, adopted by analogy from 004): who bears how
much of an audit-confirmed loss, exact to the fen (分).

The rule: the direct party 直接责任人 bears the loss except the indirect parties' part
(default 20%, the ones who signed without catching it 间接责任人), which they share equally;
several direct parties share theirs equally too. When a superior ordered the violation, the
superior is the (only) direct party and those who carried it out become indirect parties.
With no indirect party at all the direct parties bear the whole loss: nobody else signed.

Exactness: each person's exact quota is a rational number of fen (`Fraction`, never a float).
Everyone first gets the whole fen below their quota; the fen left over (fewer than the number
of people) go one each to the largest fractional remainders — Hamilton's largest-remainder
method — ties broken by employee number (ascending), so the split is deterministic, sums
exactly to the loss, and nobody is more than one fen from their exact quota.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

FEN = Decimal("0.01")
DIRECT = "direct"  # 直接责任人
INDIRECT = "indirect"  # 间接责任人


class LossRuleError(ValueError):
    """Parties that cannot be split (the field it concerns, and why)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SharePolicy:
    """The percentages as data (`data/reference/loss_accountability.yaml`): fractions of 1."""

    direct: Decimal = Decimal("0.80")
    indirect: Decimal = Decimal("0.20")

    def __post_init__(self) -> None:
        if self.direct < 0 or self.indirect < 0 or self.direct + self.indirect != 1:
            raise ValueError("the direct and indirect parts must be non-negative and add up to 1")


@dataclass(frozen=True)
class Share:
    employee_no: str
    role: str  # DIRECT or INDIRECT
    amount: Decimal
    #: The exact quota in yuan before rounding to the fen, as a fraction's text ("80/3").
    exact: Fraction


@dataclass(frozen=True)
class Parties:
    direct: tuple[str, ...]
    indirect: tuple[str, ...]


def parties(direct: Sequence[str], indirect: Sequence[str],
            ordered_by: str | None = None) -> Parties:
    """Who is direct and who indirect, once a superior's order is taken into account.

    Refuses an empty direct list, a person named twice, and a superior who is also named as
    one of the parties (say it once, as `ordered_by`).
    """
    if not direct:
        raise LossRuleError("direct", "At least one direct party is required.")
    for field, names in (("direct", direct), ("indirect", indirect)):
        if len(set(names)) != len(names):
            raise LossRuleError(field, "A person is named twice.")
    both = set(direct) & set(indirect)
    if both:
        raise LossRuleError("indirect", "A person cannot be both a direct and an indirect party.")
    if ordered_by is None:
        return Parties(tuple(direct), tuple(indirect))
    if ordered_by in direct or ordered_by in indirect:
        raise LossRuleError("ordered_by", "The superior who ordered it is named once, here only.")
    # 上级指使: the superior becomes the direct party; who carried it out, an indirect one.
    return Parties((ordered_by,), tuple(direct) + tuple(indirect))


def split(amount: Decimal, who: Parties, policy: SharePolicy = SharePolicy()) -> list[Share]:
    """Each person's share of `amount` (yuan, 2 decimals), summing exactly to it.

    Ordered direct parties first, then indirect, each by employee number.
    """
    if amount != amount.quantize(FEN) or amount <= 0:
        raise LossRuleError("amount", "A loss is a positive amount of yuan, at most 2 decimals.")
    total_fen = int(amount * 100)
    direct_part = Fraction(policy.direct) if who.indirect else Fraction(1)
    indirect_part = 1 - direct_part
    quotas: list[tuple[str, str, Fraction]] = []
    for role, names, part in ((DIRECT, who.direct, direct_part),
                              (INDIRECT, who.indirect, indirect_part)):
        for name in sorted(names):
            quotas.append((name, role, total_fen * part / len(names)))
    floors = {name: q.numerator // q.denominator for name, _, q in quotas}
    left = total_fen - sum(floors.values())
    # Largest remainder first; equal remainders by employee number.
    order = sorted(quotas, key=lambda item: (-(item[2] - floors[item[0]]), item[0]))
    for name, _, _ in order[:left]:
        floors[name] += 1
    return [Share(name, role, (Decimal(floors[name]) * FEN).quantize(FEN), quota / 100)
            for name, role, quota in quotas]
