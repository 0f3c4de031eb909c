"""Reading the files clerks send: which text encoding a CSV is in, and XLSX sheets as rows.

Why detect rather than demand UTF-8: banks' spreadsheets export CSV as GBK/GB18030 (Excel on
a Chinese Windows, "CSV (逗号分隔)") as often as UTF-8 ("CSV UTF-8", with a BOM). UTF-8 is
strict — a GB18030 file with Chinese in it is almost never valid UTF-8 — so UTF-8 is tried
first and GB18030 (a superset of GBK and GB2312) second. A byte neither can read is reported
with its line and offset, so the clerk can find it; it is never a server error.

Pure: no Flask, no database.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

UTF8_BOM = b"\xef\xbb\xbf"
#: Charsets a `Content-Type: text/csv; charset=…` may declare; the GB ones read as GB18030.
DECLARED = {"utf-8": "utf-8", "utf8": "utf-8", "gb18030": "gb18030", "gbk": "gb18030",
            "gb2312": "gb18030", "cp936": "gb18030"}
XLSX_MAGIC = b"PK\x03\x04"
#: An XLSX upload is bounded once unpacked, not only as sent: a 2 MiB ZIP can inflate a
#: thousandfold, and a few kilobytes declaring a cell at row 1,048,576 of column XFD make
#: openpyxl yield every empty cell before it. Real staff lists are far inside all three.
MAX_XLSX_UNPACKED = 64 << 20
MAX_XLSX_ROWS = 100_000
#: The import knows 11 columns; cells further right are not read (a header is never wider).
MAX_XLSX_COLUMNS = 32


@dataclass(frozen=True)
class Undecodable(Exception):
    """A byte the file's encoding cannot read: `line` is the physical line (1 = header),
    `offset` the byte's position in the file (from 0), `column` its byte in the line."""

    line: int
    offset: int
    column: int
    byte: int
    tried: tuple[str, ...]

    @property
    def message(self) -> str:
        return (f"Byte 0x{self.byte:02X} at offset {self.offset} (line {self.line}, byte "
                f"{self.column} of the line) is not {' or '.join(self.tried)}: save the file "
                "as CSV UTF-8 or as GB18030/GBK.")


def decode_csv(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """`(text, encoding)`: a declared charset is honoured strictly; otherwise UTF-8 (with
    or without BOM) when the bytes are valid UTF-8, else GB18030. Raises `Undecodable`."""
    charset = DECLARED.get((declared or "").strip().lower())
    if raw.startswith(UTF8_BOM) or charset == "utf-8":
        return _strict(raw, "utf-8", ("UTF-8",)), "utf-8"
    if charset == "gb18030":
        return _strict(raw, "gb18030", ("GB18030",)), "gb18030"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as as_utf8:
        try:
            return raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as as_gb:
            # Report where the more plausible reading (the one that got further) stopped.
            first = max(as_utf8.start, as_gb.start)
            raise _at(raw, first, ("UTF-8", "GB18030")) from None


def _strict(raw: bytes, codec: str, tried: tuple[str, ...]) -> str:
    try:
        return raw.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as exc:
        # utf-8-sig reports offsets after the BOM it skipped.
        skipped = len(UTF8_BOM) if codec == "utf-8" and raw.startswith(UTF8_BOM) else 0
        raise _at(raw, exc.start + skipped, tried) from None


def _at(raw: bytes, offset: int, tried: tuple[str, ...]) -> Undecodable:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return Undecodable(line=raw.count(b"\n", 0, offset) + 1, offset=offset,
                       column=offset - line_start + 1, byte=raw[offset], tried=tried)


def is_xlsx(raw: bytes) -> bool:
    """An XLSX file is a ZIP archive (a CSV never starts with these bytes)."""
    return raw.startswith(XLSX_MAGIC)


class NotASheet(Exception):
    """The bytes are not an XLSX workbook openpyxl can read."""


def xlsx_rows(raw: bytes) -> list[tuple[int, list[str | None]]]:
    """The first sheet's rows as `(row number, cells as text)`; empty cells are None, dates
    ISO, whole numbers without ".0" (Excel stores `E0012`-free numbers as floats)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            # Each member is read no further than its declared size (zipfile stops there),
            # so the declared sizes bound what openpyxl can be made to unpack.
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise NotASheet(f"it unpacks to more than {MAX_XLSX_UNPACKED} bytes")
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except NotASheet:
        raise
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException…
        raise NotASheet(str(exc) or type(exc).__name__) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return []
        rows: list[tuple[int, list[str | None]]] = []
        for number, values in enumerate(
                sheet.iter_rows(values_only=True, max_col=MAX_XLSX_COLUMNS), start=1):
            if number > MAX_XLSX_ROWS:
                raise NotASheet(f"it has more than {MAX_XLSX_ROWS} rows")
            rows.append((number, [_cell_text(v) for v in values]))
        return rows
    finally:
        book.close()


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def xlsx_bytes(header: tuple[str, ...], rows: list[list[str]], *, title: str) -> bytes:
    """One sheet, the header then the rows, every cell text (so `E0012` and dates survive a
    round trip unchanged, and nothing is a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, even "=…": a name is never a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
