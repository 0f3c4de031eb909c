"""Query strings of the plain valid shape, read by hand on hot read paths.

webargs' load of a query schema is a visible share of a read that is otherwise one prepared
statement (staff's listing, leave's inbox, performance's scorecards and roll-ups). A query
string whose every parameter is known, given once and of a value the schema accepts as it is
is read here into exactly the dict the schema's `load` returns (defaults included). Anything
else returns None and takes the documented flask-smorest path, so every error comes from the
same code as ever; each service's tests hold the two paths to the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from shared.web import MAX_PAGE

Reader = Callable[[str], Any]

_NUMBER = re.compile(r"[1-9][0-9]{0,9}")


def number(most: int) -> Reader:
    """A whole number without sign, spaces, underscores or leading zeros, at most `most`."""
    def read(value: str) -> int | None:
        if _NUMBER.fullmatch(value) is None:
            return None
        found = int(value)
        return found if found <= most else None
    return read


#: `shared.web.PageQuery`'s parameters, their ranges and defaults.
PAGE_READERS: dict[str, Reader] = {"page": number(MAX_PAGE), "per_page": number(200)}
PAGE_DEFAULTS: dict[str, Any] = {"page": 1, "per_page": 50}


def read_plain(args: Any, readers: Mapping[str, Reader], defaults: Mapping[str, Any],
               required: Iterable[str] = ()) -> dict[str, Any] | None:
    """`args` (a werkzeug MultiDict) as the schema loads it, or None when the schema must
    decide: an unknown or repeated parameter, a value a reader does not plainly accept
    (None), or a required parameter missing."""
    loaded = dict(defaults)
    for key, values in args.lists():
        reader = readers.get(key)
        if reader is None or len(values) != 1:
            return None
        value = reader(values[0])
        if value is None:
            return None
        loaded[key] = value
    return loaded if all(key in loaded for key in required) else None
