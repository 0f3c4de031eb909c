"""An import file as rows of loaded values, with every error of every row.

The file's bytes become a header and `(line, cells)` rows (CSV in UTF-8 or GB18030, or the
first sheet of an XLSX workbook: `domain.spreadsheets`), then each row is loaded by the
row schema. Every bad cell of every row is reported — a row with a bad date is still
checked for its unit and position — so a clerk fixes the file in one go.

What a clerk's spreadsheet does to cells, undone here: Excel writes dates as `2024/3/1`
(read as 2024-03-01); the export defuses a cell that would start a formula with a leading
`'` (taken off again, so an exported file re-imports unchanged). A CSV body does not pass
through the JSON parser, so the same character rule is applied to every cell: a control,
surrogate or bidi-override character is a bad cell (422).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma

from services.staff.domain.spreadsheets import (
    NotASheet,
    Undecodable,
    decode_csv,
    is_xlsx,
    xlsx_rows,
)
from shared.errors import flatten_errors
from shared.spreadsheets import FORMULA_START
from shared.web import CONTROL_MESSAGE, FORBIDDEN_CHARS

COLUMNS = ("employee_no", "name", "name_en", "org", "position", "grade", "hire_date",
           "work_start_date", "manager", "status")
#: Not exported (not an attribute of the employee): when a row's transfer or status change
#: takes effect; empty or absent means today.
EXTRA_COLUMNS = ("effective_date",)
REQUIRED = ("employee_no", "name", "org", "position", "hire_date")
DATE_COLUMNS = ("hire_date", "work_start_date", "effective_date")
_SLASH_DATE = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$")


class RowError(dict[str, Any]):
    """`{row, field, message}`; `row` is the line in the file (the header is line 1)."""


@dataclass
class Table:
    """What the file said: the header's columns and each row's loaded values (`data`, only
    the columns that loaded) with the errors found in it."""

    header: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Row:
    line: int
    data: dict[str, Any]
    present: frozenset[str]  # columns the file has (an absent column leaves a value alone)
    bad: set[str] = field(default_factory=set)  # columns whose cell is in error


def read(raw: bytes, *, charset: str | None = None) -> Table:
    """The file's rows: XLSX by its signature, else CSV in the encoding detected."""
    table = Table()
    if is_xlsx(raw):
        try:
            cells = xlsx_rows(raw)
        except NotASheet as exc:
            table.errors.append(RowError(row=1, field="_file",
                                         message=f"Not a readable XLSX workbook: {exc}."))
            return table
    else:
        try:
            text = decode_csv(raw, charset)[0]
        except Undecodable as exc:
            table.errors.append(RowError(row=exc.line, field="_file", message=exc.message,
                                         byte=exc.offset))
            return table
        cells = _csv_rows(text.lstrip("\ufeff"), table)
    if not cells:
        table.errors.append(RowError(row=1, field="_file", message="The file has no rows."))
        return table
    _load(cells, table)
    return table


def _csv_rows(text: str, table: Table) -> list[tuple[int, list[str | None]]]:
    reader = csv.reader(io.StringIO(text))
    out: list[tuple[int, list[str | None]]] = []
    try:
        for values in reader:
            out.append((reader.line_num, list(values)))
    except csv.Error as exc:  # e.g. a bare carriage return in an unquoted field: the
        # reader fails on the line after the last one it returned
        table.errors.append(RowError(row=out[-1][0] + 1 if out else 1, field="_file",
                                     message=f"Not a readable CSV file: {exc}."))
    return out


def _load(cells: list[tuple[int, list[str | None]]], table: Table) -> None:
    (_, first), body = cells[0], cells[1:]
    header = [(h or "").strip() for h in first]
    while header and not header[-1]:  # trailing empty columns (spreadsheets add them)
        header.pop()
    table.header = header
    known = COLUMNS + EXTRA_COLUMNS
    problems = [RowError(row=1, field=c, message="Missing column.")
                for c in REQUIRED if c not in header]
    problems += [RowError(row=1, field=c or "_header", message="Unknown column.")
                 for c in header if c not in known]
    problems += [RowError(row=1, field=c, message="The column appears more than once.")
                 for c in sorted({c for c in header if c and header.count(c) > 1})]
    if problems:
        table.errors.extend(problems)
        return
    from services.staff.schemas.employees import EmployeeImportRow

    schema = EmployeeImportRow()
    present = frozenset(header)
    for line, values in body:
        extra = [v for v in values[len(header):] if v not in (None, "")]
        if extra:
            table.errors.append(RowError(row=line, field="_row", message="Too many values."))
        raw = dict(zip(header, [*values, *[None] * (len(header) - len(values))], strict=False))
        if not any((v or "").strip() for v in raw.values()):
            continue
        table.rows.append(_load_row(schema, line, raw, present, table.errors))
    if not table.rows and not table.errors:
        table.errors.append(RowError(row=1, field="_file", message="The file has no rows."))


def _load_row(schema: ma.Schema, line: int, raw: dict[str, str | None],
              present: frozenset[str], errors: list[RowError]) -> Row:
    row = Row(line=line, data={}, present=present)
    cleaned: dict[str, str] = {}
    for name, value in raw.items():
        if value and FORBIDDEN_CHARS.search(value):  # before strip(): it drops \x1c-\x1f
            errors.append(RowError(row=line, field=name, message=CONTROL_MESSAGE))
            row.bad.add(name)
            continue
        text = _clean(name, (value or "").strip())
        if text:
            cleaned[name] = text
    try:
        row.data = schema.load(cleaned, partial=tuple(row.bad))
    except ma.ValidationError as exc:
        row.data = dict(exc.valid_data or {})
        for name, messages in flatten_errors(exc.messages).items():
            errors.extend(RowError(row=line, field=name, message=m) for m in messages)
            row.bad.add(name.split(".")[0])
    return row


def _clean(name: str, text: str) -> str:
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]  # the export's formula defusing, undone
    if name in DATE_COLUMNS:
        found = _SLASH_DATE.match(text)
        if found:
            year, month, day = found.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return text
