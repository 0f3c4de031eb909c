"""`/auth/role-holders` and `/auth/employees/{employee_no}/roles`: who holds a role over a
unit, and what roles an employee holds (see `service.holders` for why leave asks).

Both are for services (a client holding `auth:check`) and admins (`auth:admin` over "*");
everyone else gets 403 — other people's roles are not a user's business. Answers are live
and cost a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.auth.api import common
from services.auth.models import db
from services.auth.schemas import (
    EmployeeRoles,
    RoleHolderCounts,
    RoleHolderCountsQuery,
    RoleHolderQuery,
    RoleHolderRead,
)
from services.auth.service import holders
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("directory", __name__, url_prefix="/auth",
                description="Role holders: who may decide where (for routing approvals)")

_HOLDERS_EXAMPLE = {
    "items": [
        {"user_id": 7, "username": "sb01.head", "employee_no": "E0107", "binding_id": 12,
         "role": "branch_head", "org": "SB01", "path": "HQ/BR01/SB01",
         "valid_from": None, "valid_to": None},
        {"user_id": 9, "username": "acting.head", "employee_no": "E0233", "binding_id": 31,
         "role": "branch_head", "org": "BR01", "path": "HQ/BR01",
         "valid_from": "2026-12-01", "valid_to": "2026-12-31"},
    ],
    "total": 2, "page": 1, "per_page": 50}

_ROLES_EXAMPLE = {
    "employee_no": "E0107",
    "roles": [{"role": "employee", "org": "SB01", "path": "HQ/BR01/SB01",
               "valid_from": None, "valid_to": None},
              {"role": "hr", "org": "BR01", "path": "HQ/BR01",
               "valid_from": "2026-01-01", "valid_to": None}]}


@blp.route("/role-holders")
class RoleHolders(MethodView):
    @blp.arguments(RoleHolderQuery, location="query")
    @blp.response(200, page_of(RoleHolderRead), example=_HOLDERS_EXAMPLE)
    def get(self, query: dict[str, Any]) -> Any:
        """Every active user who holds `role` today (dates inclusive, in `HR_TIMEZONE`)
        through a binding on unit `org`, on a unit above it, or on "*" — one item per
        binding, nearest unit first, then by user id. An empty list means an approval step
        for that role there has nobody to decide it. Unknown role or unit → 422 (as
        `/auth/check` words it). Needs a client holding `auth:check` or `auth:admin` over
        "*"; live, like `/auth/check`."""
        common.require_directory_reader()
        items, total = holders.role_holders(
            session=db.session, settings=common.settings(), role=query["role"],
            org=query["org"], now=common.now(), lookup=common.staff_lookup(),
            page=query["page"], per_page=query["per_page"])
        return page_payload(items, total, query)

    @blp.arguments(RoleHolderCountsQuery)
    @blp.response(200, RoleHolderCounts, example={"items": [
        {"role": "branch_head", "org": "SB01", "total": 2},
        {"role": "hr", "org": "BR01", "total": 0}]})
    @blp.doc(responses={"422": {"description": "A role or unit nobody knows: "
                                "`errors` names the pair (`pairs.<i>.role`, `pairs.<i>.org`)."}})
    def post(self, ask: dict[str, Any]) -> Any:
        """Several questions at once (1–20 `(role, org)` pairs): for each, how many
        bindings make an active user hold `role` over `org` today — the `total` the GET
        answers for it — in the order asked. For a service routing several approval steps
        at once (leave asks about every step of a request in one call). Same readers, same
        rules and the same 422 wording as the GET; a fixed number of queries however many
        pairs. A question, not a change: nothing is written (bar caching a unit's path)."""
        common.require_directory_reader()
        pairs = [(p["role"], p["org"]) for p in ask["pairs"]]
        totals = holders.holder_counts(session=db.session, settings=common.settings(),
                                       pairs=pairs, now=common.now(),
                                       lookup=common.staff_lookup())
        return {"items": [{"role": role, "org": org, "total": total}
                          for (role, org), total in zip(pairs, totals, strict=True)]}


@blp.route("/employees/<employee_no>/roles")
class EmployeeRoleList(MethodView):
    @blp.response(200, EmployeeRoles, example=_ROLES_EXAMPLE)
    def get(self, employee_no: str) -> Any:
        """The role bindings valid today (dates inclusive, in `HR_TIMEZONE`) of the active
        user linked to this employee number. An employee with no user, or only a disabled
        one, holds no roles: `roles: []`, not 404 (staff, not auth, knows who exists).
        Needs a client holding `auth:check` or `auth:admin` over "*"."""
        common.require_directory_reader()
        return holders.employee_roles(session=db.session, settings=common.settings(),
                                      employee_no=employee_no, now=common.now())
