"""Org scope by materialised path, with no Flask: pure rules import this.

A role held over a unit covers that unit and its whole subtree: a grant on `HQ/BR01` covers
`HQ/BR01` and `HQ/BR01/SB01/...`, never `HQ/BR010` or `HQ/BR02`. The path `*` (the whole
organisation) covers every unit, including roots created later.
"""

from __future__ import annotations

WHOLE_ORGANISATION = "*"


def covers(scope_path: str, target_path: str) -> bool:
    """Does a grant on `scope_path` cover the unit at `target_path`?"""
    if scope_path == WHOLE_ORGANISATION:
        return True
    if not target_path or target_path == WHOLE_ORGANISATION:
        return False
    return target_path == scope_path or target_path.startswith(scope_path + "/")
