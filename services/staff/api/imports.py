"""`/staff/employees/export.csv|.xlsx` and `/staff/employees/import`: spreadsheets in and out.

CSV and XLSX alike, both ways, with the same columns: an exported file (edited or not)
is a valid import, and re-importing it updates the employees it names (upsert by
`employee_no`, `service.imports`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, request
from flask.views import MethodView

from services.staff import access
from services.staff.api import scheduled as scheduled_api
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.domain.spreadsheets import xlsx_bytes
from services.staff.models import db
from services.staff.schemas.employees import ExportQuery, ImportQuery, ImportResult
from services.staff.service import import_rows, imports
from shared.audit import actor_from_request
from shared.errors import BadRequest, UnsupportedMediaType
from shared.permissions import current_principal

blp = Blueprint("imports", __name__, url_prefix="/staff/employees",
                description="CSV and XLSX export (in scope) and all-or-nothing import "
                "(create or update) of employees.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Bodies taken as a file: CSV (any of its usual types) or XLSX, told apart by content.
FILE_TYPES = {"text/csv", "application/csv", "text/plain", XLSX, "application/octet-stream"}
_EXAMPLE = {"created": 1, "updated": 1, "unchanged": 40, "scheduled": 1, "rows": 42,
            "dry_run": True, "changes": [
                {"row": 2, "employee_no": "E0107", "action": "updated",
                 "differences": {"org": {"from": "SB01", "to": "SB02"}},
                 "scheduled": [{"kind": "transfer", "effective_date": "2027-03-01",
                                "details": {"org": "SB02", "position": "CASH_TELLER",
                                            "manager": None,
                                            "effective_date": "2027-03-01"}}]},
                {"row": 3, "employee_no": "E0201", "action": "created", "differences": {},
                 "scheduled": []}]}


def _export(query: dict[str, Any]) -> tuple[list[list[str]], str]:
    principal = current_principal()
    rows = imports.export_rows(session=db.session, scopes=access.read_scopes(principal),
                               sight=access.sight(principal), **query)
    return rows, f"employees-{query.get('org') or 'all'}"


@blp.route("/export.csv")
class Export(MethodView):
    @blp.arguments(ExportQuery, location="query")
    @blp.doc(responses={"200": {"description": "CSV (UTF-8 with a BOM), the import's columns.",
                                "content": {"text/csv": {
                                    "schema": {"type": "string"},
                                    "example": "employee_no,name,name_en,org,position,grade,"
                                               "hire_date,work_start_date,manager,status\r\n"
                                               "E0019,唐敏,Tang Min,SB01_HALL,CASH_TELLER,staff,"
                                               "2022-07-04,2022-07-04,E0014,active\r\n"}}}})
    def get(self, query: dict[str, Any]) -> Any:
        """The employees in scope (of `org`'s subtree, or only `org` with subtree=false);
        UTF-8 with a BOM so spreadsheets read the Chinese names, and cells that would start
        a formula defused with a leading `'`."""
        rows, name = _export(query)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(import_rows.COLUMNS)
        writer.writerows(rows)
        return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@blp.route("/export.xlsx")
class ExportXlsx(MethodView):
    @blp.arguments(ExportQuery, location="query")
    @blp.doc(responses={"200": {"description": "An XLSX workbook, one sheet, the import's "
                                "columns, every cell text.",
                                "content": {XLSX: {"schema": {"type": "string",
                                                              "format": "binary"}}}}})
    def get(self, query: dict[str, Any]) -> Any:
        """The same employees and columns as `export.csv`, as an XLSX workbook."""
        rows, name = _export(query)
        body = xlsx_bytes(import_rows.COLUMNS, rows, title="employees")
        return Response(body, mimetype=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@blp.route("/import")
class Import(MethodView):
    @blp.arguments(ImportQuery, location="query")
    @blp.response(201, ImportResult, example={**_EXAMPLE, "dry_run": False})
    @blp.doc(
        requestBody={"content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {"schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}}}}}},
        responses={"200": {"description": "dry_run: every row is valid; nothing written. "
                           "The answer is what a real run would do.",
                           "content": {"application/json": {"example": _EXAMPLE}}},
                   "415": {"description": "Not CSV, XLSX or multipart."},
                   "422": {"description": "Bad rows: `rows` lists every {row, field, "
                           "message} of every row (`byte` too for an undecodable one); "
                           "nothing was written."}})
    def post(self, query: dict[str, Any]) -> Any:
        """Create or update employees from CSV (UTF-8 or GB18030/GBK, detected) or XLSX.

        Columns: employee_no, name, name_en, org, position, grade, hire_date,
        work_start_date, manager, status (the export's), and optionally effective_date.
        A new `employee_no` is hired (dated after today: scheduled); an existing one is
        updated: names, grade and work start date at once, a new org/position/manager as
        a transfer and a new status as a status change from `effective_date` (empty:
        today; after today: scheduled, as through the API). An absent column leaves a
        value alone; an empty name_en, grade or manager cell clears it. Every row is
        checked; if any is bad nothing is written (422 with every error of every row);
        else all are written at once, each write audited. `dry_run=true` answers what
        would be created, changed (field by field) and scheduled, and writes nothing."""
        principal = current_principal()
        raw, charset = _upload()
        table = import_rows.read(raw, charset=charset)
        result = imports.import_rows(
            session=db.session, rows=table.rows, errors=table.errors,
            actor=actor_from_request(), dry_run=query["dry_run"],
            today=scheduled_api.today(),
            can_write=lambda path: access.can_write(principal, path),
            sight=access.sight(principal))
        return result, 200 if query["dry_run"] else 201


def _upload() -> tuple[bytes, str | None]:
    """The file's bytes and any charset declared for them."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("Send the file as the multipart field `file`.")
        return upload.read(), upload.mimetype_params.get("charset")
    if request.mimetype in FILE_TYPES:
        return request.get_data(), request.mimetype_params.get("charset")
    raise UnsupportedMediaType("Send text/csv or an XLSX workbook, or multipart/form-data "
                               "with a `file`.")
