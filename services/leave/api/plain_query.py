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

from typing import Any

from shared.plain_query import PAGE_DEFAULTS, PAGE_READERS, read_plain


def plain_page_query(args: Any) -> dict[str, int] | None:
    """`args` (a werkzeug MultiDict) as `PageQuery` loads it, or None (see the module)."""
    return read_plain(args, PAGE_READERS, PAGE_DEFAULTS)
