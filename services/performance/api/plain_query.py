"""The scorecard and roll-up query strings of the plain valid shape, read by hand.

webargs' parse of `ScorecardQuery`/`RollupQuery` (a schema load per request) is a visible
share of a scorecard's CPU. A query string whose every parameter is known, given once and
of a value the schema accepts as it is — a period `parse_period` reads, a page number without
sign, spaces or leading zeros within the schema's range — is read here into exactly the dict
the schema's `load` returns (defaults included). Anything else (a repeated or unknown
parameter, a value this reader does not plainly accept) returns None and takes the
documented flask-smorest path, so every error is produced by the same code as ever (as
staff's `api.plain_query` does for its listing). `tests/performance/test_fast_answers.py`
holds the two to the same answers.
"""

from __future__ import annotations

from typing import Any

from services.performance.domain.periods import Period, PeriodError, parse_period
from shared.plain_query import PAGE_DEFAULTS, PAGE_READERS, read_plain


def _period(value: str) -> Period | None:
    try:
        return parse_period(value)
    except PeriodError:
        return None


def plain_period(args: Any) -> Period | None:
    """`?period=…` alone, as `ScorecardQuery` loads it (its `period`), or None."""
    if len(args) != 1:
        return None
    values = args.getlist("period")
    return _period(values[0]) if len(values) == 1 else None


def plain_rollup_query(args: Any) -> dict[str, Any] | None:
    """`period` with optional `page`/`per_page`, as `RollupQuery` loads them, or None."""
    return read_plain(args, {**PAGE_READERS, "period": _period}, PAGE_DEFAULTS,
                      required=("period",))
