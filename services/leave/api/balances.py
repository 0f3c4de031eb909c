"""`/leave/balances/{employee_no}`: balances per type and year, their ledger, HR adjustments."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from services.leave.api.common import caller, directory, today
from services.leave.models import AuditEvent, LeaveType, db
from services.leave.schemas import (
    AdjustmentIn,
    BalanceQuery,
    BalanceRead,
    LedgerEntryRead,
    LedgerQuery,
)
from services.leave.service import ledger
from services.leave.service.access import Caller
from services.leave.service.common import invalid
from shared.audit import record
from shared.errors import Forbidden, NotFound
from shared.idempotency import idempotent
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("balances", __name__, url_prefix="/leave/balances",
                description="Balances: one's own, or leave:read over the employee's unit. "
                "An employee outside the caller's sight answers 404.")
NOT_FOUND = {"404": {"description": "No such employee, or outside the caller's scope."}}


def _visible(who: Caller, employee_no: str, permission: str = "leave:read") -> None:
    """Own balance, or `permission` over the employee's unit (staff says which unit)."""
    if who.kind == "user" and who.emp == employee_no and permission == "leave:read":
        return
    if who.kind == "client" and permission in who.scope:
        return
    chain = directory().chain(employee_no)
    if chain is None or not (who.may("leave:read", chain["unit"]["path"])
                             or who.may(permission, chain["unit"]["path"])):
        raise NotFound(f"No employee {employee_no}.")
    if not who.may(permission, chain["unit"]["path"]):
        raise Forbidden(f"This needs {permission} over the employee's unit.")


def _balances(employee_no: str, year: int, who: Caller) -> dict[str, Any]:
    types = db.session.scalars(select(LeaveType).where(LeaveType.has_balance.is_(True))
                               .order_by(LeaveType.id)).all()
    ledger.ensure_allocations(db.session, employee_no=employee_no, years=[year], types=types,
                              employee=lambda: directory().employee(employee_no),
                              actor=who.actor)
    db.session.commit()
    return {"employee_no": employee_no, "year": year,
            "balances": ledger.balances(db.session, employee_no=employee_no, year=year,
                                        types=types)}


@blp.route("/<employee_no>")
class Balances(MethodView):
    @blp.arguments(BalanceQuery, location="query")
    @blp.response(200, BalanceRead)
    @blp.doc(responses=NOT_FOUND)
    def get(self, query: dict[str, Any], employee_no: str) -> Any:
        """`{employee_no, year, balances: [{type, entitled, used, pending, remaining}]}` for
        every type with a balance. The year's allocation is written to the ledger the first
        time it is needed (annual leave per 职工带薪年休假条例 on staff's dates)."""
        who = caller()
        _visible(who, employee_no)
        return _balances(employee_no, query.get("year") or today().year, who)


@blp.route("/<employee_no>/ledger")
class Ledger(MethodView):
    @blp.arguments(LedgerQuery, location="query")
    @blp.response(200, page_of(LedgerEntryRead))
    @blp.doc(responses=NOT_FOUND)
    def get(self, query: dict[str, Any], employee_no: str) -> Any:
        """The append-only ledger behind the balances: allocations, holds, releases,
        consumption, reversals and adjustments, oldest first."""
        _visible(caller(), employee_no)
        year = query.pop("year", None) or today().year
        items, total = ledger.entries(db.session, employee_no=employee_no, year=year, **query)
        return page_payload(items, total, query)


@blp.route("/<employee_no>/adjustments")
class Adjustments(MethodView):
    @idempotent
    @blp.arguments(AdjustmentIn)
    @blp.response(201, BalanceRead)
    @blp.doc(responses=NOT_FOUND)
    def post(self, adjustment: dict[str, Any], employee_no: str) -> Any:
        """HR adds or removes days (carry-over, a correction), with a note; audited.
        Needs leave:policy over the employee's unit."""
        who = caller()
        _visible(who, employee_no, "leave:policy")
        found = db.session.scalar(select(LeaveType).where(LeaveType.code == adjustment["type"],
                                                          LeaveType.has_balance.is_(True)))
        if found is None:
            raise invalid("type", f"No leave type {adjustment['type']} with a balance.")
        ledger.adjust(db.session, employee_no=employee_no, year=adjustment["year"],
                      type_code=found.code, days=adjustment["days"], note=adjustment["note"],
                      actor=who.actor)
        record(db.session, AuditEvent, actor=who.actor, action="balance.adjust",
               target_type="balance", target_id=f"{employee_no}/{adjustment['year']}",
               after={"type": found.code, "days": str(adjustment["days"]),
                      "note": adjustment["note"]})
        return _balances(employee_no, adjustment["year"], who)
