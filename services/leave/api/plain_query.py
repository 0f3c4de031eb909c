"""A page-only query string of the plain valid shape, read by hand (as staff's listing does).

The inbox is polled by every approver's screen; webargs' load of `PageQuery` (a schema load
per request) is a visible share of a request that is otherwise one prepared statement. A
query string holding at most `page` and `per_page`, each given once as a number without
sign, spaces, underscores or leading zeros and within the schema's range, is read here into
exactly the dict `PageQuery().load` returns (defaults included). Anything else returns None
and takes the documented flask-smorest path, so every error comes from the same code as
ever. `tests/leave/test_inbox_fast_path.py` holds the two to the same answers.
"""

from __future__ import annotations

import re
from typing import Any

from shared.web import MAX_PAGE

_NUMBER = re.compile(r"[1-9][0-9]{0,9}")
_MOST = {"page": MAX_PAGE, "per_page": 200}


def plain_page_query(args: Any) -> dict[str, int] | None:
    """`args` (a werkzeug MultiDict) as `PageQuery` loads it, or None (see the module)."""
    loaded = {"page": 1, "per_page": 50}
    for key, values in args.lists():
        most = _MOST.get(key)
        if most is None or len(values) != 1 or _NUMBER.fullmatch(values[0]) is None:
            return None
        number = int(values[0])
        if number > most:
            return None
        loaded[key] = number
    return loaded
