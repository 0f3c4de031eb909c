"""Tamper-evident decision trails (谁签字谁负责: whoever signs is accountable).

A trail is an append-only list of rows (one per transition of a leave request or an
incident); each row stores the SHA-256 of its own content *and* of the previous row's hash,
so editing, deleting or reordering any row breaks every hash after it. `GET …/trail` answers
re-verify the whole chain from the stored content, never trusting a stored hash.

Pure: no Flask, no database. The service decides what goes into a row's `content` (ids,
actor, time, action, comment, the state before and after) and stores `prev_hash` and `hash`
beside it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

#: The `prev_hash` of a trail's first row.
GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not canonical JSON: {type(value).__name__}")


def canonical(content: Mapping[str, Any]) -> bytes:
    """One byte string per content: sorted keys, no spaces, UTF-8, Decimals and dates as text."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default).encode("utf-8")


def link_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The hash of a row: SHA-256 over the previous row's hash and the row's content."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(content))
    return digest.hexdigest()


@dataclass(frozen=True)
class Verification:
    """The outcome of re-computing a trail: `valid`, and where it first breaks (0-based)."""

    valid: bool
    rows: int
    broken_at: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "rows": self.rows, "broken_at": self.broken_at,
                "reason": self.reason}


def verify(rows: Iterable[tuple[Mapping[str, Any], str, str]]) -> Verification:
    """Re-compute a trail: `rows` are (content, stored prev_hash, stored hash), oldest first."""
    expected_prev = GENESIS
    count = 0
    for index, (content, prev_hash, stored) in enumerate(rows):
        count = index + 1
        if prev_hash != expected_prev:
            return Verification(False, count, index, "the row does not follow the one before")
        if link_hash(prev_hash, content) != stored:
            return Verification(False, count, index, "the row was changed after it was signed")
        expected_prev = stored
    return Verification(True, count)
