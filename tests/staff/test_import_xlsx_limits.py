"""An XLSX import is bounded once unpacked, not only as sent: a few kilobytes declaring a
cell a million rows down, or a ZIP that inflates past 64 MiB, is a 422 naming the file —
never a worker busy for minutes or out of memory — while a real sheet beside it imports."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from services.staff.domain import spreadsheets

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(far_row: int | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["employee_no", "name", "org", "position", "hire_date"])
    sheet.append(["X1", "边界测试", "SB01", "CASH_TELLER", "2024-03-01"])
    if far_row is not None:
        sheet.cell(row=far_row, column=16384, value="far")  # column XFD
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _padded(raw: bytes, extra: int) -> bytes:
    """The workbook with one more member of `extra` zero bytes (it compresses to little)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            dst.writestr(member, src.read(member))
        dst.writestr("xl/media/padding.bin", bytes(extra))
    return out.getvalue()


def _send(client, headers, body):
    return client.post("/staff/employees/import", headers=headers, data=body,
                       content_type=XLSX)


def _file_error(resp) -> str:
    assert resp.status_code == 422, resp.get_json()
    [row] = resp.get_json()["rows"]
    assert row["field"] == "_file"
    return row["message"]


def test_a_sheet_reaching_a_million_rows_down_is_refused_and_writes_nothing(client, admin,
                                                                           org, catalogue):
    far = _sheet(far_row=spreadsheets.MAX_XLSX_ROWS + 1)
    assert len(far) < 10_000  # tiny as sent
    assert "more than 100000 rows" in _file_error(_send(client, admin, far))
    assert client.get("/staff/employees/X1", headers=admin).status_code == 404
    inside = _send(client, admin, _sheet(far_row=spreadsheets.MAX_XLSX_ROWS))
    assert inside.status_code == 201, inside.get_json()  # at the limit, and the wide cell
    assert client.get("/staff/employees/X1", headers=admin).status_code == 200


def test_a_workbook_inflating_past_the_limit_is_refused_but_one_inside_imports(client, admin,
                                                                             org, catalogue):
    bomb = _padded(_sheet(), spreadsheets.MAX_XLSX_UNPACKED)
    assert len(bomb) < 1 << 20  # well inside the 2 MiB body limit
    assert "unpacks to more than" in _file_error(_send(client, admin, bomb))
    assert client.get("/staff/employees/X1", headers=admin).status_code == 404
    padded = _send(client, admin, _padded(_sheet(), 1 << 20))
    assert padded.status_code == 201, padded.get_json()
    assert client.get("/staff/employees/X1", headers=admin).status_code == 200
