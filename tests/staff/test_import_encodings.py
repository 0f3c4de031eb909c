"""An import's bytes: UTF-8 (with or without BOM) and GB18030/GBK are read, anything else is
a 422 naming the line and byte — never a 400 for a GBK file nor a server error (issue 14.6a)."""

from __future__ import annotations

import pytest

from services.staff.domain.spreadsheets import Undecodable, decode_csv

HEADER = "employee_no,name,name_en,org,position,hire_date,work_start_date,manager\n"
ROWS = HEADER + ("N1,新员工一,,SB01,CASH_TELLER,2024-03-01,,\n"
                 "N2,苏晴,,OT01,CASH_TELLER,2024-03-01,,\n")


@pytest.mark.parametrize("raw, encoding", [
    (ROWS.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + ROWS.encode("utf-8"), "utf-8"),
    (ROWS.encode("gb18030"), "gb18030"),
    (ROWS.encode("gbk"), "gb18030"),
])
def test_utf8_with_or_without_bom_and_gb18030_are_told_apart(raw, encoding):
    assert decode_csv(raw) == (ROWS, encoding)


def test_an_undecodable_byte_is_located_by_line_and_offset():
    raw = HEADER.encode() + b"N1,\xff\xff,,SB01,CASH_TELLER,2024-03-01,,\n"
    with pytest.raises(Undecodable) as caught:
        decode_csv(raw)
    assert (caught.value.line, caught.value.column) == (2, 4)
    assert caught.value.offset == len(HEADER) + 3 and caught.value.byte == 0xFF


def test_a_declared_charset_is_read_strictly():
    assert decode_csv(ROWS.encode("gbk"), "GBK")[1] == "gb18030"
    with pytest.raises(Undecodable):
        decode_csv(ROWS.encode("gbk"), "utf-8")


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_a_gb18030_or_bom_file_imports_with_its_chinese_names(client, admin, org, catalogue,
                                                               encoding):
    resp = client.post("/staff/employees/import", headers=admin, data=ROWS.encode(encoding),
                       content_type="text/csv")
    assert resp.status_code == 201, resp.get_json()
    assert client.get("/staff/employees/N2", headers=admin).get_json()["name"] == "苏晴"


def test_bytes_neither_encoding_reads_are_a_422_with_row_and_byte(client, admin, org,
                                                                  catalogue):
    raw = ROWS.encode("gb18030") + b"N3,\x80\xff,,SB01,CASH_TELLER,2024-03-01,,\n"
    resp = client.post("/staff/employees/import", headers=admin, data=raw,
                       content_type="text/csv")
    assert resp.status_code == 422
    [row] = resp.get_json()["rows"]
    assert row["row"] == 4 and row["field"] == "_file"
    assert row["byte"] == len(ROWS.encode("gb18030")) + 3
    assert client.get("/staff/employees/N1", headers=admin).status_code == 404
    binary = bytes(range(256)) * 4
    assert client.post("/staff/employees/import", headers=admin, data=binary,
                       content_type="text/csv").status_code == 422
