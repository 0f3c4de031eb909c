"""Customer-visit compliance 定期访客制度 (docs/domain.md §4, seed 001), as pure rules.

The tiers are data (`data/reference/visit_tiers.yaml`, versioned in the store): a customer's
tier is the first whose threshold the *larger* of its deposits and its credit reaches — the
seed says "deposits or credit ≥ 5,000,000", so either amount alone qualifies, and adding
the two would count one relationship twice. Each tier asks for a number of contacts per
window (a calendar month, or a half year Jan–Jun / Jul–Dec) and names the kinds that count.

What counts (a demanding auditor's reading): a *visit* counts only once its report is
confirmed by the branch head — an unconfirmed report is an unreported visit, which the −1
rule names; phone and SMS contacts need no confirmation and count only where the tier allows
them (the half-year tier). Contacts count once per day (two reports of one day are one
visit). A compliance run for month `YYYY-MM` checks every tier whose window ends with that
month: monthly tiers every month, the half-year tier in June and December.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

KINDS = ("visit", "phone", "sms")  # 上门走访 / 电话 / 短信
WINDOWS = ("month", "half_year")
_PERIOD = re.compile(r"^([1-9]\d{3})-(0[1-9]|1[0-2])$")


class PolicyError(ValueError):
    """A tier policy that cannot be used (the message says why)."""


@dataclass(frozen=True)
class Tier:
    code: str
    min_amount: Decimal  # yuan; the larger of deposits and credit must reach it
    required: int  # contacts per window
    window: str  # "month" or "half_year"
    counts: tuple[str, ...]  # the kinds of contact that count

    def as_data(self) -> dict[str, Any]:
        return {"code": self.code, "min_amount": str(self.min_amount),
                "required": self.required, "window": self.window, "counts": list(self.counts)}


def tiers_from_data(rows: Iterable[dict[str, Any]]) -> list[Tier]:
    """Tiers from policy data, highest threshold first; refuses what would be ambiguous."""
    tiers = []
    for row in rows:
        amount = row["min_amount"]
        if isinstance(amount, float):
            raise PolicyError("min_amount must be written as a decimal string, not a float")
        tiers.append(Tier(code=str(row["code"]), min_amount=Decimal(str(amount)),
                          required=int(row["required"]), window=str(row["window"]),
                          counts=tuple(row["counts"])))
    check_tiers(tiers)
    return sorted(tiers, key=lambda t: t.min_amount, reverse=True)


def check_tiers(tiers: Sequence[Tier]) -> None:
    if not tiers:
        raise PolicyError("at least one tier is required")
    if len({t.code for t in tiers}) != len(tiers):
        raise PolicyError("tier codes must be unique")
    if len({t.min_amount for t in tiers}) != len(tiers):
        raise PolicyError("two tiers cannot share a threshold")
    if min(t.min_amount for t in tiers) != 0:
        raise PolicyError("the lowest tier must start at 0, so that every customer has a tier")
    for t in tiers:
        if t.window not in WINDOWS:
            raise PolicyError(f"tier {t.code}: window must be one of {', '.join(WINDOWS)}")
        if t.required < 1:
            raise PolicyError(f"tier {t.code}: required must be at least 1")
        if not t.counts or set(t.counts) - set(KINDS) or len(set(t.counts)) != len(t.counts):
            raise PolicyError(f"tier {t.code}: counts must name kinds from {', '.join(KINDS)}")
        if t.min_amount < 0 or t.min_amount != t.min_amount.quantize(Decimal("0.01")):
            raise PolicyError(f"tier {t.code}: min_amount is yuan with at most 2 decimals, ≥ 0")


def deciding_amount(deposits: Decimal, credit: Decimal) -> Decimal:
    """The amount that decides the tier: the larger of deposits and credit (see above)."""
    return max(deposits, credit)


def tier_for(tiers: Sequence[Tier], deposits: Decimal, credit: Decimal) -> Tier:
    amount = deciding_amount(deposits, credit)
    return next(t for t in sorted(tiers, key=lambda t: t.min_amount, reverse=True)
                if amount >= t.min_amount)


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        if self.start.month == self.end.month:
            return f"{self.start:%Y-%m}"
        return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"


def parse_period(period: str) -> tuple[int, int]:
    match = _PERIOD.match(period)
    if not match:
        raise ValueError("A period is a month, YYYY-MM.")
    return int(match.group(1)), int(match.group(2))


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def window_ending(tier: Tier, year: int, month: int) -> Window | None:
    """The tier's window that ends with this month, or None when none does."""
    if tier.window == "month":
        return Window(dt.date(year, month, 1), month_end(year, month))
    if month in (6, 12):
        return Window(dt.date(year, month - 5, 1), month_end(year, month))
    return None


@dataclass(frozen=True)
class Contact:
    on: dt.date
    kind: str
    confirmed: bool


def counts(tier: Tier, contact: Contact, window: Window) -> bool:
    """Does this contact count toward the tier's quota in the window?"""
    if not window.start <= contact.on <= window.end or contact.kind not in tier.counts:
        return False
    return contact.confirmed if contact.kind == "visit" else True


@dataclass(frozen=True)
class Finding:
    """One customer's standing in one window: required, done, and how many are missing."""

    tier: Tier
    window: Window
    required: int
    done: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.done)


def assess(tiers: Sequence[Tier], *, deposits: Decimal, credit: Decimal, since: dt.date,
           contacts: Iterable[Contact], year: int, month: int) -> Finding | None:
    """The customer's finding for the window ending with the month, or None when the tier has
    no window ending then, or the relationship began after the window started (no partial
    quotas: a customer taken on mid-window is first checked in the next whole window)."""
    tier = tier_for(tiers, deposits, credit)
    window = window_ending(tier, year, month)
    if window is None or since > window.start:
        return None
    # Two reports of the same day are one visit: the seed asks for visits on separate
    # occasions ("每月探望不少于2次"), so a quota is met on distinct days only.
    done = len({c.on for c in contacts if counts(tier, c, window)})
    return Finding(tier=tier, window=window, required=tier.required, done=done)
