"""The employee listing's query string of the plain valid shape, read by hand.

The listing is staff's hottest route, and webargs' parse of `EmployeeQuery` (a schema load
per request) cost about a tenth of a listing's CPU. A query string whose every parameter
is known, given once and of a value the schema accepts as it is — a code matching the
pattern, a page number without sign, spaces, underscores or leading zeros, a boolean among
the four spellings, a status or grade among the allowed — is read here into exactly the
dict `EmployeeQuery().load` returns (defaults included). Anything else (a repeated or
unknown parameter, any value this reader does not plainly accept) returns None and takes
the documented flask-smorest path, so every error is produced by the same code as ever.
`tests/staff/test_plain_query.py` holds the two to the same result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from services.staff.domain.org import CODE_PATTERN
from services.staff.schemas.employees import STATUSES
from services.staff.schemas.positions import GRADES
from shared.plain_query import PAGE_DEFAULTS, PAGE_READERS, read_plain
from shared.web import FORBIDDEN_CHARS

_CODE = re.compile(CODE_PATTERN)
_POSITION = re.compile(r"^[A-Z0-9_-]{1,60}$")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _matching(pattern: re.Pattern[str]) -> Callable[[str], str | None]:
    # The whole value (the schema's `$` also lets a final newline through: such a value is
    # left to the schema).
    return lambda value: value if pattern.fullmatch(value) else None


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    allowed = frozenset(choices)
    return lambda value: value if value in allowed else None


def _text(longest: int) -> Callable[[str], str | None]:
    return lambda value: (value if 0 < len(value) <= longest
                          and FORBIDDEN_CHARS.search(value) is None else None)


#: Each parameter's reader: the loaded value, or None when the schema must decide.
_READERS: dict[str, Callable[[str], Any]] = {
    **PAGE_READERS,
    "org": _matching(_CODE),
    "subtree": _BOOLEANS.get,
    "q": _text(100),
    "position": _matching(_POSITION),
    "status": _one_of(STATUSES),
    "grade": _one_of(GRADES),
}
_DEFAULTS = {**PAGE_DEFAULTS, "subtree": False}


def plain_listing_query(args: Any) -> dict[str, Any] | None:
    """`args` (a werkzeug MultiDict) as `EmployeeQuery` loads it, or None (see the module
    docstring)."""
    return read_plain(args, _READERS, _DEFAULTS)
