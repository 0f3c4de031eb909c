"""Scorecards per employee and period, unit roll-ups, and the branch head's sign-off (审核).

A scorecard is one statement whatever the number of incidents (the incidents with their
frozen numbers; no per-incident lookups). A roll-up groups a unit subtree's standing
incidents by employee in SQL. Both count incidents by the unit the subject belonged to when
the incident was recorded: a transfer does not move an old demerit to the new unit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.performance.domain.periods import Period
from services.performance.domain.scorecards import NO_EXCELLENCE, STANDING, totals
from services.performance.models import AuditEvent, Incident, SignOff
from shared.audit import Actor, record
from shared.errors import Conflict

ZERO = Decimal("0.00")


def scorecard(*, session: Session, employee_no: str, period: Period) -> dict[str, Any]:
    rows = session.scalars(select(Incident).where(
        Incident.employee_no == employee_no,
        Incident.occurred_on >= period.starts_on, Incident.occurred_on <= period.ends_on,
        Incident.status.in_(STANDING)).order_by(Incident.occurred_on, Incident.id)).all()
    result = totals(rows)
    return {"employee_no": employee_no, "period": period.code,
            "starts_on": period.starts_on, "ends_on": period.ends_on,
            "points_deducted": result.points_deducted, "bonus_deducted": result.bonus_deducted,
            "excellence_eligible": result.excellence_eligible,
            "disqualified": result.disqualified, "incidents": list(rows)}


def _in_subtree(path: str) -> Any:
    escaped = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(Incident.unit_path == path, Incident.unit_path.like(escaped + "/%", escape="\\"))


def _rollup_query(path: str, period: Period) -> Any:
    return (select(Incident.employee_no,
                   func.max(Incident.employee_name).label("name"),
                   func.max(Incident.unit_code).label("unit"),
                   func.coalesce(func.sum(Incident.points), 0).label("points"),
                   func.coalesce(func.sum(Incident.deduction_amount), 0).label("bonus"),
                   func.count(Incident.id).label("incidents"),
                   func.max(case((Incident.consequence.in_(NO_EXCELLENCE), 1), else_=0))
                   .label("no_excellence"),
                   func.max(case((Incident.consequence == "disqualification", 1), else_=0))
                   .label("disqualified"))
            .where(_in_subtree(path), Incident.occurred_on >= period.starts_on,
                   Incident.occurred_on <= period.ends_on, Incident.status.in_(STANDING))
            .group_by(Incident.employee_no))


def _row(row: Any) -> dict[str, Any]:
    return {"employee_no": row.employee_no, "name": row.name, "unit": row.unit,
            "points_deducted": int(row.points),
            "bonus_deducted": Decimal(row.bonus).quantize(Decimal("0.01")),
            "incidents": int(row.incidents), "excellence_eligible": not row.no_excellence,
            "disqualified": bool(row.disqualified)}


def rollup(*, session: Session, unit: dict[str, Any], period: Period, page: int | None = None,
           per_page: int | None = None) -> dict[str, Any]:
    """Per employee with standing incidents in the subtree and period (employees without any
    have an all-clear scorecard and are not listed), and the unit's totals."""
    query = _rollup_query(unit["path"], period).subquery()
    totals_row = session.execute(select(
        func.count(), func.coalesce(func.sum(query.c.points), 0),
        func.coalesce(func.sum(query.c.bonus), 0),
        func.coalesce(func.sum(query.c.disqualified), 0))).one()
    page_query = select(query).order_by(query.c.employee_no)
    if page is not None and per_page is not None:
        page_query = page_query.offset((page - 1) * per_page).limit(per_page)
    items = [_row(r) for r in session.execute(page_query).all()]
    return {"unit": unit["code"], "period": period.code, "starts_on": period.starts_on,
            "ends_on": period.ends_on, "employees_with_incidents": int(totals_row[0]),
            "points_deducted": int(totals_row[1]),
            "bonus_deducted": Decimal(totals_row[2]).quantize(Decimal("0.01")),
            "disqualified": int(totals_row[3]), "items": items, "total": int(totals_row[0]),
            "page": page or 1, "per_page": per_page or len(items)}


def points_by_month(*, session: Session, unit: dict[str, Any], period: Period) -> list[
        tuple[str, int]]:
    """(`YYYY-MM`, points) for every month of the period, zeros included."""
    rows = session.execute(select(Incident.occurred_on, Incident.points).where(
        _in_subtree(unit["path"]), Incident.occurred_on >= period.starts_on,
        Incident.occurred_on <= period.ends_on, Incident.status.in_(STANDING))).all()
    months = dict.fromkeys(period.months(), 0)
    for occurred_on, points in rows:
        months[f"{occurred_on.year:04d}-{occurred_on.month:02d}"] += points or 0
    return list(months.items())


def sign_off(*, session: Session, unit: dict[str, Any], period: Period, actor: Actor,
             comment: str | None = None) -> SignOff:
    """Sign off (审核) a unit's period: from now on it is frozen for the unit's subtree."""
    signed = SignOff(unit_code=unit["code"], unit_path=unit["path"], period=period.code,
                     starts_on=period.starts_on, ends_on=period.ends_on, signed_by=actor.sub,
                     signed_by_emp=actor.emp, comment=comment)
    session.add(signed)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise Conflict(f"Unit {unit['code']}'s period {period.code} is already signed off.") \
            from error
    record(session, AuditEvent, actor=actor, action="period.sign_off", target_type="unit",
           target_id=unit["code"], after={"period": period.code, "comment": comment,
                                          "starts_on": period.starts_on.isoformat(),
                                          "ends_on": period.ends_on.isoformat()})
    session.commit()
    return signed


def sign_offs(*, session: Session, unit: dict[str, Any], page: int,
              per_page: int) -> tuple[list[SignOff], int]:
    query = select(SignOff).where(SignOff.unit_code == unit["code"])
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(SignOff.starts_on.desc(), SignOff.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
