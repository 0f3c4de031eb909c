"""`/staff/employees/export.csv` and `/staff/employees/import`: spreadsheets in and out."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from services.staff import access
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.domain.spreadsheets import Undecodable, decode_csv
from services.staff.models import db
from services.staff.schemas.employees import ExportQuery, ImportQuery, ImportResult
from services.staff.service import imports
from shared.audit import actor_from_request
from shared.errors import BadRequest, UnsupportedMediaType, ValidationFailed
from shared.permissions import current_principal

blp = Blueprint("imports", __name__, url_prefix="/staff/employees",
                description="CSV export (in scope) and all-or-nothing import of employees.")
CSV_TYPES = {"text/csv", "application/csv", "text/plain"}


@blp.route("/export.csv")
class Export(MethodView):
    @blp.arguments(ExportQuery, location="query")
    @blp.doc(responses={"200": {"description": "CSV, the import's columns.",
                                "content": {"text/csv": {"schema": {"type": "string"}}}}})
    def get(self, query: dict[str, Any]) -> Any:
        """The employees in scope (of `org`'s subtree, or only `org` with subtree=false)."""
        principal = current_principal()
        text = imports.export_csv(session=db.session, scopes=access.read_scopes(principal),
                                  sight=access.sight(principal), **query)
        name = f"employees-{query.get('org') or 'all'}.csv"
        return Response(text, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/import")
class Import(MethodView):
    @blp.arguments(ImportQuery, location="query")
    @blp.response(201, ImportResult)
    @blp.doc(
        requestBody={"content": {"text/csv": {"schema": {"type": "string"}},
                                 "multipart/form-data": {"schema": {
                                     "type": "object",
                                     "properties": {"file": {"type": "string",
                                                             "format": "binary"}}}}}},
        responses={"200": {"description": "dry_run: every row is valid; nothing written."},
                   "415": {"description": "Not text/csv or multipart."},
                   "422": {"description": "Bad rows: `rows` lists {row, field, message}; "
                           "nothing was written."}})
    def post(self, query: dict[str, Any]) -> Any:
        """Create employees from CSV (columns: employee_no, name, name_en, org, position,
        grade, hire_date, work_start_date, manager, status). Every row is checked; if any
        is bad nothing is written (422 with all of them); else all are written at once."""
        principal = current_principal()
        text = _csv_text()
        count = imports.import_employees(
            session=db.session, text=text, actor=actor_from_request(),
            dry_run=query["dry_run"],
            can_write=lambda path: access.can_write(principal, path),
            sight=access.sight(principal))
        result = {"created": 0 if query["dry_run"] else count, "dry_run": query["dry_run"],
                  "rows": count}
        return result, 200 if query["dry_run"] else 201


def _csv_text() -> str:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("Send the CSV as the multipart field `file`.")
        raw = upload.read()
    elif request.mimetype in CSV_TYPES:
        raw = request.get_data()
    else:
        raise UnsupportedMediaType("Send text/csv, or multipart/form-data with a `file`.")
    try:
        return decode_csv(raw, request.mimetype_params.get("charset"))[0]
    except Undecodable as exc:
        raise ValidationFailed(
            "The file is neither UTF-8 nor GB18030; nothing was imported.",
            errors={f"rows.{exc.line}._file": [exc.message]},
            rows=[{"row": exc.line, "field": "_file", "message": exc.message,
                   "byte": exc.offset}]) from None
