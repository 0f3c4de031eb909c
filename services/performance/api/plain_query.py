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

import re
from typing import Any

from services.performance.domain.periods import Period, PeriodError, parse_period
from shared.web import MAX_PAGE

_NUMBER = re.compile(r"[1-9][0-9]{0,9}")
_PER_PAGE_MAX = 200  # shared.web.PageQuery's range


def _period(value: str) -> Period | None:
    try:
        return parse_period(value)
    except PeriodError:
        return None


def _number(value: str, most: int) -> int | None:
    if _NUMBER.fullmatch(value) is None:
        return None
    number = int(value)
    return number if number <= most else None


def plain_period(args: Any) -> Period | None:
    """`?period=…` alone, as `ScorecardQuery` loads it (its `period`), or None."""
    if len(args) != 1:
        return None
    values = args.getlist("period")
    return _period(values[0]) if len(values) == 1 else None


def plain_rollup_query(args: Any) -> dict[str, Any] | None:
    """`period` with optional `page`/`per_page`, as `RollupQuery` loads them, or None."""
    loaded: dict[str, Any] = {"page": 1, "per_page": 50}
    for key, values in args.lists():
        if len(values) != 1:
            return None
        if key == "period":
            value: Any = _period(values[0])
        elif key == "page":
            value = _number(values[0], MAX_PAGE)
        elif key == "per_page":
            value = _number(values[0], _PER_PAGE_MAX)
        else:
            return None
        if value is None:
            return None
        loaded[key] = value
    return loaded if "period" in loaded else None
