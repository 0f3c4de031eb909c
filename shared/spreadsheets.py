"""Cells a spreadsheet program would run as a formula, defused — for every CSV/XLSX export.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and WPS as a formula (CSV injection, OWASP): a code such as `-1-1` shows as `-2`,
and a crafted one can reach out of the sheet. Exports prefix such a cell with `'`, which
the programs show as the text itself; staff's import takes the prefix off again, so an
export re-imports unchanged.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> str:
    """The cell's text, `'`-prefixed if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


__all__ = ["FORMULA_START", "defuse"]
