"""Export cells a spreadsheet would run as a formula are defused; others stay as they are."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.spreadsheets import defuse


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-1-1", "'-1-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("E1", "E1"), ("张三", "张三"), ("a=b", "a=b"), ("", ""), (None, ""),
    (Decimal("5.5"), "5.5"), (42, "42"),
])
def test_a_cell_is_defused_only_when_a_spreadsheet_would_compute_it(value, cell):
    assert defuse(value) == cell
