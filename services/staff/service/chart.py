"""Data for the org chart: each unit of a subtree with its head and head counts."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.staff.domain.chart import ChartNode, Member, render, unit_head
from services.staff.models import Employee, OrgUnit
from services.staff.service.common import get_unit, subtree_clause
from services.staff.service.org_units import ACTIVE_STAFF, subtree


def chart_svg(*, session: Session, code: str) -> str:
    """The subtree under `code` as SVG. Head: `domain.chart.unit_head` over the unit's staff
    who have not left; counts: those staff in the unit itself / in its whole subtree."""
    root = get_unit(session, code)
    units = subtree(session, root.path)
    staff = session.scalars(
        select(Employee).join(Employee.unit)
        .where(subtree_clause(OrgUnit.path, root.path), Employee.status.in_(ACTIVE_STAFF))
        .order_by(Employee.employee_no)).unique().all()
    direct = Counter(e.unit_id for e in staff)
    members: dict[int, list[Member]] = defaultdict(list)
    for e in staff:
        within = (e.manager is not None and e.manager.unit_id == e.unit_id
                  and e.manager.status in ACTIVE_STAFF)
        members[e.unit_id].append(Member(employee_no=e.employee_no,
                                         label=f"{e.name} ({e.employee_no})", grade=e.grade,
                                         reports_within_unit=within))
    heads = {unit_id: unit_head(found) for unit_id, found in members.items()}
    nodes: dict[str, ChartNode] = {}
    for unit in units:
        node = ChartNode(code=unit.code, name=unit.name_zh, type=unit.type,
                         head=heads.get(unit.id),
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
