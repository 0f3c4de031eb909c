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
            "bonus_deducted": _fen(row.bonus),
            "incidents": int(row.incidents), "excellence_eligible": not row.no_excellence,
            "disqualified": bool(row.disqualified)}


def rollup(*, session: Session, unit: dict[str, Any], period: Period, page: int | None = None,
           per_page: int | None = None) -> dict[str, Any]:
    """Per employee with standing incidents in the subtree and period (employees without any
    have an all-clear scorecard and are not listed), and the unit's totals.

    One statement: the page's rows carry the totals over every group (window functions run
    before LIMIT); only a page past the end asks again for the totals. Sums of money are
    exact on PostgreSQL (numeric); SQLite adds in binary floating point, exact to far below
    the fen at any realistic total, and the result is quantised back to the fen.
    """
    grouped = _rollup_query(unit["path"], period).subquery()
    stmt = select(grouped, func.count().over().label("all_employees"),
                  func.sum(grouped.c.points).over().label("all_points"),
                  func.sum(grouped.c.bonus).over().label("all_bonus"),
                  func.sum(grouped.c.disqualified).over().label("all_disqualified")
                  ).order_by(grouped.c.employee_no)
    if page is not None and per_page is not None:
        stmt = stmt.offset((page - 1) * per_page).limit(per_page)
    rows = session.execute(stmt).all()
    if rows:
        first = rows[0]
        totals_row = (first.all_employees, first.all_points, first.all_bonus,
                      first.all_disqualified)
    else:
        totals_row = session.execute(select(
            func.count(), func.coalesce(func.sum(grouped.c.points), 0),
            func.coalesce(func.sum(grouped.c.bonus), 0),
            func.coalesce(func.sum(grouped.c.disqualified), 0))).one()
    items = [_row(r) for r in rows]
    return {"unit": unit["code"], "period": period.code, "starts_on": period.starts_on,
            "ends_on": period.ends_on, "employees_with_incidents": int(totals_row[0]),
            "points_deducted": int(totals_row[1]),
            "bonus_deducted": _fen(totals_row[2]),
            "disqualified": int(totals_row[3]), "items": items, "total": int(totals_row[0]),
            "page": page or 1, "per_page": per_page or len(items)}


def _fen(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


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
