"""Employee, transfer, relation and chain schemas."""

from __future__ import annotations

import marshmallow as ma

from services.staff.schemas.fields import QueryBoolean, UTCDateTime
from services.staff.schemas.org_units import Code
from services.staff.schemas.positions import GRADES, PositionCode
from services.staff.schemas.scheduled import ScheduledChangeRead
from shared.web import PageQuery

STATUSES = ("active", "suspended", "left")
RELATION_KINDS = ("spouse", "parent_child", "sibling", "other_relative")
EmployeeNo = ma.validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$",
                                error="Use 1–40 of letters, digits, '_' and '-'.")


class EmployeeCreate(ma.Schema):
    employee_no = ma.fields.String(required=True, validate=EmployeeNo,
                                   metadata={"example": "E0068"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200),
                            metadata={"example": "林静"})
    name_en = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=200),
                               metadata={"example": "Lin Jing"})
    org = ma.fields.String(required=True, validate=Code, metadata={"example": "SB01_HALL"})
    position = ma.fields.String(required=True, validate=PositionCode,
                                metadata={"example": "CASH_TELLER"})
    grade = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(GRADES), metadata={
        "description": "Overrides the position's grade; omit to follow the position."})
    hire_date = ma.fields.Date(required=True)
    work_start_date = ma.fields.Date(allow_none=True, metadata={
        "description": "参加工作时间 (cumulative working time); defaults to hire_date."})
    manager = ma.fields.String(allow_none=True, validate=EmployeeNo)


class EmployeeImportRow(EmployeeCreate):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    effective_date = ma.fields.Date()


class EmployeePatch(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200),
                            metadata={"example": "唐敏"})
    name_en = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=200))
    grade = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(GRADES))
    work_start_date = ma.fields.Date()


class EmployeeStatusChange(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    reason = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    effective_date = ma.fields.Date(allow_none=True, metadata={
        "description": "From when; after today the change is scheduled (the employee keeps "
                       "their status until then). Omitted: at once."})


class EmployeeRead(ma.Schema):
    employee_no = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    name_en = ma.fields.String(allow_none=True)
    org = ma.fields.String(required=True)
    org_path = ma.fields.String(attribute="unit.path", required=True,
                                metadata={"example": "HQ/BR01/SB01/SB01_HALL"})
    position = ma.fields.String(attribute="position.code", required=True,
                                metadata={"example": "CASH_TELLER"})
    grade = ma.fields.String(required=True)
    grade_override = ma.fields.String(allow_none=True)
    manager = ma.fields.String(attribute="manager_no", allow_none=True)
    hire_date = ma.fields.Date(required=True)
    work_start_date = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})


class EmployeeScheduled(EmployeeRead):
    scheduled_changes = ma.fields.List(ma.fields.Nested(ScheduledChangeRead), required=True,
                                       metadata={"description": "Dated changes still pending "
                                                 "(a hire, transfer or status change dated "
                                                 "after today), soonest first."})


class EmployeeDetail(EmployeeScheduled):
    qualifications_withdrawn = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "Qualifications currently withdrawn (e.g. customer_manager, "
                       "取消客户经理资格): positions requiring one are closed to them."})


class EmployeeQuery(PageQuery):
    org = ma.fields.String(validate=Code)
    subtree = QueryBoolean(load_default=False)
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=100),
                         metadata={"description": "Part of a name or an employee number."})
    position = ma.fields.String(validate=PositionCode)
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    grade = ma.fields.String(validate=ma.validate.OneOf(GRADES))


class ExportQuery(ma.Schema):
    org = ma.fields.String(validate=Code, metadata={"example": "SB01"})
    subtree = QueryBoolean(load_default=True)


class ImportQuery(ma.Schema):
    dry_run = QueryBoolean(load_default=False)


class ImportChange(ma.Schema):
    row = ma.fields.Integer(required=True, metadata={"description": "The line (1: header)."})
    employee_no = ma.fields.String(required=True)
    action = ma.fields.String(required=True, metadata={
        "enum": ["created", "updated", "unchanged"]})
    differences = ma.fields.Dict(required=True, metadata={
        "description": "For an existing employee: each field that changes, {from, to}.",
        "example": {"org": {"from": "SB01", "to": "SB02"}}})
    scheduled = ma.fields.List(ma.fields.Dict(), required=True, metadata={
        "description": "Changes dated after today, scheduled rather than made: "
                       "{kind, effective_date, details}."})


class ImportResult(ma.Schema):
    created = ma.fields.Integer(required=True, metadata={
        "description": "Rows creating an employee (a dry run: that would).", "example": 12})
    updated = ma.fields.Integer(required=True, metadata={
        "description": "Rows changing an existing employee (now or scheduled)."})
    unchanged = ma.fields.Integer(required=True, metadata={
        "description": "Rows that match the employee as they are (a re-imported export)."})
    scheduled = ma.fields.Integer(required=True, metadata={
        "description": "Hires, transfers and status changes dated after today."})
    rows = ma.fields.Integer(required=True, metadata={"description": "Valid rows read."})
    dry_run = ma.fields.Boolean(required=True)
    changes = ma.fields.List(ma.fields.Nested(ImportChange), required=True)


class TransferIn(ma.Schema):
    org = ma.fields.String(required=True, validate=Code, metadata={"example": "SB02"})
    position = ma.fields.String(allow_none=True, validate=PositionCode,
                                metadata={"example": "CASH_TELLER"})
    manager = ma.fields.String(allow_none=True, validate=EmployeeNo)
    effective_date = ma.fields.Date(required=True, metadata={"example": "2027-03-01"})
    handover_supervisor = ma.fields.String(allow_none=True, validate=EmployeeNo, metadata={
        "description": "监交人: the employee who supervises the handover."})


class AssignmentRead(ma.Schema):
    org = ma.fields.String(required=True, metadata={"example": "SB01_HALL"})
    org_path = ma.fields.String(required=True, metadata={"example": "HQ/BR01/SB01/SB01_HALL"})
    position = ma.fields.String(required=True)
    manager = ma.fields.String(allow_none=True)
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(allow_none=True)
    reason = ma.fields.String(required=True, metadata={"enum": ["hire", "transfer"]})
    handover_supervisor = ma.fields.String(allow_none=True)
    recorded_by = ma.fields.String(required=True)
    recorded_at = UTCDateTime(required=True)


class RelationIn(ma.Schema):
    related_no = ma.fields.String(required=True, validate=EmployeeNo,
                                  metadata={"example": "E0026"})
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(RELATION_KINDS),
                            metadata={"example": "spouse"})


class RelationRead(ma.Schema):
    employee_no = ma.fields.String(required=True, metadata={"example": "E0025"})
    related_no = ma.fields.String(required=True, metadata={"example": "E0026"})
    kind = ma.fields.String(required=True, metadata={"example": "spouse"})
    declared_by = ma.fields.String(required=True)
    declared_at = ma.fields.String(required=True, metadata={"format": "date-time"})


class ChainUnit(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "SB01"})
    type = ma.fields.String(required=True, metadata={"example": "sub_branch"})
    path = ma.fields.String(required=True, metadata={"example": "HQ/BR01/SB01"})
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(allow_none=True)


class ChainRead(ma.Schema):
    employee_no = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    grade = ma.fields.String(required=True)
    position = ma.fields.String(required=True)
    must_cover = ma.fields.Boolean(required=True)
    manager = ma.fields.String(allow_none=True)
    unit = ma.fields.Nested(ChainUnit, required=True)
    outlet = ma.fields.Nested(ChainUnit, allow_none=True,
                              metadata={"description": "网点: nearest sub_branch or outlet."})
    governing_branch = ma.fields.Nested(ChainUnit, required=True, metadata={
        "description": "管辖行: nearest branch at or above; the head office when none."})
    head_office = ma.fields.Nested(ChainUnit, allow_none=True)
    units = ma.fields.List(ma.fields.Nested(ChainUnit), required=True,
                           metadata={"description": "Own unit up to the root."})
