"""Schemas named by purpose: what comes in, what goes out. Unknown fields are refused (422)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from marshmallow import validate

from shared.web import PageQuery

STATUSES = ["active", "disabled"]
CODES = ["allowed", "no_binding", "out_of_scope", "binding_expired", "not_in_role",
         "user_disabled"]
_name = validate.Length(min=1, max=100)


class UserCreate(ma.Schema):
    username = ma.fields.String(required=True, validate=[
        _name, validate.Regexp(r"^[A-Za-z0-9._@-]+$", error="Letters, digits and ._@- only.")],
        metadata={"example": "tangmin"})
    password = ma.fields.String(required=True, load_only=True,
                                metadata={"example": "Seven-Counters-Open-9"})
    display_name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200),
                                    metadata={"example": "唐敏"})
    employee_no = ma.fields.String(allow_none=True, validate=validate.Length(min=1, max=40),
                                   metadata={"example": "E0019"})


class UserPatch(ma.Schema):
    status = ma.fields.String(validate=validate.OneOf(STATUSES),
                              metadata={"example": "disabled"})
    display_name = ma.fields.String(validate=validate.Length(min=1, max=200))
    employee_no = ma.fields.String(allow_none=True, validate=validate.Length(min=1, max=40))
    password = ma.fields.String(load_only=True)


class BindingCreate(ma.Schema):
    role = ma.fields.String(required=True, validate=_name)
    org = ma.fields.String(required=True, validate=validate.Length(min=1, max=40),
                           metadata={"description": 'An org unit code, or "*" for everything.'})
    valid_from = ma.fields.Date(allow_none=True, metadata={"description": "Inclusive."})
    valid_to = ma.fields.Date(allow_none=True, metadata={"description": "Inclusive.",
                                                         "example": "2026-12-31"})


class BindingRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    role = ma.fields.String(required=True)
    org = ma.fields.String(required=True)
    path = ma.fields.String(allow_none=True, metadata={"description": "Null: unit not cached.",
                                                       "example": "HQ/BR01/SB01"})
    valid_from = ma.fields.String(allow_none=True)
    valid_to = ma.fields.String(allow_none=True)


class UserRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    username = ma.fields.String(required=True, metadata={"example": "zhangwei"})
    display_name = ma.fields.String(required=True)
    employee_no = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": STATUSES})
    locked = ma.fields.Boolean(required=True)
    created_at = ma.fields.String(allow_none=True)


class UserDetail(UserRead):
    bindings = ma.fields.List(ma.fields.Nested(BindingRead), required=True)


class UserQuery(PageQuery):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    username = ma.fields.String(metadata={"description": "Substring of the username."})
    employee_no = ma.fields.String()
    role = ma.fields.String(metadata={"description": "Users holding a binding of this role."})


class LogoutResult(ma.Schema):
    revoked_families = ma.fields.Integer(required=True, metadata={"example": 2})


class PermissionRead(ma.Schema):
    name = ma.fields.String(required=True, metadata={"example": "leave:approve"})
    description = ma.fields.String(required=True)
    client_grantable = ma.fields.Boolean(required=True, metadata={
        "description": "May POST/PATCH /auth/clients grant it? Only read and check "
                       "permissions: clients have no org scope."})


_UNIT_TYPES = ("The unit types a binding of this role may name (head_office, branch, "
               "sub_branch, outlet, department); null: any unit, and \"*\" only then. "
               "Elsewhere → 422.")
_REQUIRES = ("A staff qualification the holder must keep (e.g. customer_manager): while it "
             "is withdrawn, bindings end and new ones → 409.")


class RoleRead(ma.Schema):
    name = ma.fields.String(required=True, metadata={"example": "branch_head"})
    description = ma.fields.String(required=True)
    permissions = ma.fields.List(ma.fields.String(), required=True,
                                 metadata={"example": ["staff:read", "leave:approve"]})
    unit_types = ma.fields.List(ma.fields.String(), allow_none=True,
                                metadata={"description": _UNIT_TYPES})
    requires_qualification = ma.fields.String(allow_none=True,
                                              metadata={"description": _REQUIRES})


class RoleCreate(ma.Schema):
    name = ma.fields.String(required=True, validate=[
        _name, validate.Regexp(r"^[a-z][a-z0-9_]*$", error="Lower-case letters, digits, _.")])
    description = ma.fields.String(load_default="", validate=validate.Length(max=500))
    permissions = ma.fields.List(ma.fields.String(), required=True,
                                 metadata={"example": ["staff:read", "leave:read"]})
    unit_types = ma.fields.List(ma.fields.String(), allow_none=True,
                                validate=validate.Length(max=5),
                                metadata={"description": _UNIT_TYPES})
    requires_qualification = ma.fields.String(allow_none=True,
                                              validate=validate.Length(min=1, max=64),
                                              metadata={"description": _REQUIRES})


class RoleUpdate(ma.Schema):
    description = ma.fields.String(validate=validate.Length(max=500))
    permissions = ma.fields.List(ma.fields.String(), metadata={
        "example": ["staff:read", "leave:read", "leave:approve"]})
    unit_types = ma.fields.List(ma.fields.String(), allow_none=True,
                                validate=validate.Length(max=5),
                                metadata={"description": _UNIT_TYPES})
    requires_qualification = ma.fields.String(allow_none=True,
                                              validate=validate.Length(min=1, max=64),
                                              metadata={"description": _REQUIRES})


class SodPairCreate(ma.Schema):
    roles = ma.fields.List(ma.fields.String(), required=True,
                           validate=validate.Length(equal=2),
                           metadata={"example": ["hr", "auditor"]})


class SodPairRead(ma.Schema):
    id = ma.fields.Integer(required=True)
    roles = ma.fields.List(ma.fields.String(), required=True,
                           metadata={"example": ["hr", "auditor"]})


_CLIENT_PERMISSIONS = ("Only permissions marked `client_grantable` in GET /auth/permissions "
                       "(read and check permissions); anything else → 422.")


class ClientCreate(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200),
                            metadata={"example": "Core banking"})
    permissions = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": _CLIENT_PERMISSIONS, "example": ["auth:check", "staff:read"]})


class ClientRead(ma.Schema):
    client_id = ma.fields.String(required=True, metadata={"example": "c-3f9a1d2e"})
    name = ma.fields.String(required=True)
    permissions = ma.fields.List(ma.fields.String(), required=True)
    kind = ma.fields.String(required=True, metadata={"enum": ["client", "service"]})
    status = ma.fields.String(required=True, metadata={"enum": STATUSES})


class ClientCreated(ClientRead):
    client_secret = ma.fields.String(required=True, metadata={"description": "Shown once."})


class ClientPatch(ma.Schema):
    status = ma.fields.String(validate=validate.OneOf(STATUSES), metadata={"example": "disabled"})
    permissions = ma.fields.List(ma.fields.String(), metadata={"description": _CLIENT_PERMISSIONS})


class CheckRequest(ma.Schema):
    permission = ma.fields.String(required=True, validate=_name,
                                  metadata={"example": "leave:approve"})
    org = ma.fields.String(required=True, validate=validate.Length(min=1, max=40),
                           metadata={"example": "SB01"})
    subject_token = ma.fields.String(load_only=True, metadata={
        "description": "Another access token to ask about (clients holding auth:check)."})


class CheckItem(ma.Schema):
    permission = ma.fields.String(required=True, validate=_name,
                                  metadata={"example": "leave:approve"})
    org = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))


class BatchCheckRequest(ma.Schema):
    checks = ma.fields.List(ma.fields.Nested(CheckItem), required=True,
                            validate=validate.Length(min=1, max=100))
    subject_token = ma.fields.String(load_only=True)


class CheckBinding(ma.Schema):
    role = ma.fields.String(required=True)
    org = ma.fields.String(required=True)
    path = ma.fields.String(required=True)
    valid_to = ma.fields.String(allow_none=True)


class CheckResult(ma.Schema):
    allowed = ma.fields.Boolean(required=True, metadata={"example": True})
    code = ma.fields.String(required=True, metadata={"enum": CODES, "example": "allowed"})
    reason = ma.fields.String(required=True)
    binding = ma.fields.Nested(CheckBinding)


class BatchCheckResult(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(CheckResult), required=True)


class OrgEvent(ma.Schema):
    event = ma.fields.String(required=True, validate=validate.OneOf(["moved"]))
    code = ma.fields.String(required=True, validate=validate.Length(min=1, max=40),
                            metadata={"example": "SB02"})
    old_path = ma.fields.String(required=True, validate=validate.Length(min=1, max=500),
                                metadata={"example": "HQ/BR01/SB02"})
    new_path = ma.fields.String(required=True, validate=validate.Length(min=1, max=500),
                                metadata={"example": "HQ/BR02/SB02"})


class OrgEventResult(ma.Schema):
    updated = ma.fields.Integer(required=True, metadata={"example": 3})


class AuditQuery(PageQuery):
    actor = ma.fields.String()
    action = ma.fields.String(metadata={"description": "Exact, or a prefix ending in * ."})
    target_type = ma.fields.String()
    target = ma.fields.String(metadata={"description": "The target's id."})
    from_ = ma.fields.AwareDateTime(data_key="from", default_timezone=dt.UTC)
    to = ma.fields.AwareDateTime(default_timezone=dt.UTC)


class RoleHolderQuery(PageQuery):
    role = ma.fields.String(required=True, validate=_name, metadata={"example": "branch_head"})
    org = ma.fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={
        "description": 'The unit asked about (a code, or "*").', "example": "SB01"})


class RoleHolderPair(ma.Schema):
    role = ma.fields.String(required=True, validate=_name, metadata={"example": "branch_head"})
    org = ma.fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={
        "description": 'The unit asked about (a code, or "*").', "example": "SB01"})


class RoleHolderCountsQuery(ma.Schema):
    pairs = ma.fields.List(ma.fields.Nested(RoleHolderPair), required=True,
                           validate=validate.Length(min=1, max=20))


class RoleHolderCount(ma.Schema):
    role = ma.fields.String(required=True)
    org = ma.fields.String(required=True)
    total = ma.fields.Integer(required=True, metadata={
        "description": "Bindings that make someone hold the role over the unit today: "
                       "`total` of `GET /auth/role-holders` for the pair."})


class RoleHolderCounts(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RoleHolderCount), required=True)


class RoleHolderRead(ma.Schema):
    user_id = ma.fields.Integer(required=True)
    username = ma.fields.String(required=True)
    employee_no = ma.fields.String(allow_none=True)
    binding_id = ma.fields.Integer(required=True)
    role = ma.fields.String(required=True)
    org = ma.fields.String(required=True, metadata={"description": "The binding's unit."})
    path = ma.fields.String(required=True)
    valid_from = ma.fields.String(allow_none=True, metadata={"description": "Inclusive."})
    valid_to = ma.fields.String(allow_none=True, metadata={"description": "Inclusive."})


class EmployeeRoleRead(ma.Schema):
    role = ma.fields.String(required=True)
    org = ma.fields.String(required=True)
    path = ma.fields.String(allow_none=True, metadata={"description": "Null: unit not cached."})
    valid_from = ma.fields.String(allow_none=True, metadata={"description": "Inclusive."})
    valid_to = ma.fields.String(allow_none=True, metadata={"description": "Inclusive."})


class EmployeeRoles(ma.Schema):
    employee_no = ma.fields.String(required=True)
    roles = ma.fields.List(ma.fields.Nested(EmployeeRoleRead), required=True)
