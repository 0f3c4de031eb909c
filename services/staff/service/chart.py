"""Data for the org chart: each unit of a subtree with its head and head counts."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.staff.domain.chart import ChartNode, render
from services.staff.models import Employee, OrgUnit
from services.staff.service.common import get_unit, subtree_clause
from services.staff.service.org_units import ACTIVE_STAFF, subtree


def chart_svg(*, session: Session, code: str) -> str:
    """The subtree under `code` as SVG. Head: the unit's grade-`head` employee who does not
    report to another head in the same unit (the head, not a deputy); counts: staff who
    have not left, in the unit itself / in its whole subtree."""
    root = get_unit(session, code)
    units = subtree(session, root.path)
    staff = session.scalars(
        select(Employee).join(Employee.unit)
        .where(subtree_clause(OrgUnit.path, root.path), Employee.status.in_(ACTIVE_STAFF))
        .order_by(Employee.employee_no)).unique().all()
    direct = Counter(e.unit_id for e in staff)
    heads: dict[int, tuple[str, bool]] = {}  # unit id -> (label, is the top of the unit)
    for e in staff:
        if e.grade != "head":
            continue
        top = not (e.manager is not None and e.manager.unit_id == e.unit_id
                   and e.manager.status in ACTIVE_STAFF)
        if e.unit_id not in heads or (top and not heads[e.unit_id][1]):
            heads[e.unit_id] = (f"{e.name} ({e.employee_no})", top)
    nodes: dict[str, ChartNode] = {}
    for unit in units:
        node = ChartNode(code=unit.code, name=unit.name_zh, type=unit.type,
                         head=heads[unit.id][0] if unit.id in heads else None,
                         direct=direct.get(unit.id, 0), active=unit.active)
        nodes[unit.path] = node
        parent_path = unit.path.rpartition("/")[0]
        if unit.path != root.path and parent_path in nodes:
            nodes[parent_path].children.append(node)
    top = nodes[root.path]
    _totals(top)
    return render(top, title=f"{root.name_zh} ({root.code})")


def _totals(node: ChartNode) -> int:
    node.total = node.direct + sum(_totals(child) for child in node.children)
    return node.total
