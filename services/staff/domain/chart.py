"""A pure-Python org-chart layout rendered as SVG (no Graphviz on the servers).

Layout: a simple tidy tree — each leaf takes one column, a parent is centred over its
children, depth gives the row; a legend under the tree says what the boxes show (a chart
read on paper has no API documentation beside it). Every piece of text is XML-escaped: unit
and employee names are user input.

Who heads a unit (负责人) is a rule here, not a stored fact: the most senior member of the
unit (grade `head` before `mid`) who reports to no one in the same unit. So a sub-branch
shows its 行长 rather than the deputy who reports to him, and a department its manager (grade
`mid`: department managers are not `head` grade) rather than the deputy manager.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

BOX_W, BOX_H = 190, 78
GAP_X, GAP_Y = 20, 46
MARGIN = 20
FILL = {"head_office": "#dbe8f7", "branch": "#e3f1e1", "sub_branch": "#fdf1d8",
        "outlet": "#f9e3e3", "department": "#eeeeee"}


#: Grades that can head a unit, most senior first; plain staff head nothing on the chart.
HEAD_GRADES = ("head", "mid")


@dataclass(frozen=True)
class Member:
    """What the head rule needs of one member of a unit."""

    employee_no: str
    label: str
    grade: str
    reports_within_unit: bool  # their manager is an active member of the same unit


def unit_head(members: list[Member]) -> str | None:
    """The label of the unit's head (see the module), None when no one qualifies.

    Among those of a head grade: those who report to no one inside the unit first, then the
    more senior grade, then the lowest employee number (a stable choice when two qualify)."""
    eligible = [m for m in members if m.grade in HEAD_GRADES]
    if not eligible:
        return None
    best = min(eligible, key=lambda m: (m.reports_within_unit, HEAD_GRADES.index(m.grade),
                                        m.employee_no))
    return best.label


#: The legend's lines, bilingual as the boxes are: what each line of a box means.
LEGEND = (
    "图例 Legend",
    "负责人 Head: the unit's most senior member reporting to no one in the unit",
    "人数 Staff: own / subtree — 本单位 / 含下级单位 (active and suspended staff)",
    "Dashed border: unit no longer active 已撤销",
)
LEGEND_LINE = 16


@dataclass
class ChartNode:
    code: str
    name: str
    type: str
    head: str | None = None
    direct: int = 0
    total: int = 0
    active: bool = True
    children: list[ChartNode] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0


def layout(root: ChartNode) -> tuple[float, float]:
    """Place every node (sets `x`, `y` of each box's top-left); returns the canvas size."""
    next_column = [0]
    depth_max = [0]

    def place(node: ChartNode, depth: int) -> None:
        depth_max[0] = max(depth_max[0], depth)
        node.y = MARGIN + depth * (BOX_H + GAP_Y)
        if not node.children:
            node.x = MARGIN + next_column[0] * (BOX_W + GAP_X)
            next_column[0] += 1
            return
        for child in node.children:
            place(child, depth + 1)
        node.x = (node.children[0].x + node.children[-1].x) / 2

    place(root, 0)
    width = 2 * MARGIN + next_column[0] * (BOX_W + GAP_X) - GAP_X
    height = 2 * MARGIN + (depth_max[0] + 1) * (BOX_H + GAP_Y) - GAP_Y
    return max(width, LEGEND_MIN_WIDTH), height + _legend_height()


LEGEND_MIN_WIDTH = 440


def _legend_height() -> int:
    return GAP_Y // 2 + LEGEND_LINE * len(LEGEND)


def _legend(top: float) -> list[str]:
    """The legend as a group of left-aligned lines starting at `top`."""
    parts = ['<g id="legend">']
    for i, line in enumerate(LEGEND):
        weight = "bold" if i == 0 else "normal"
        parts.append(f'<text x="{MARGIN}" y="{top + LEGEND_LINE * (i + 1) - 4:.1f}" '
                     f'font-size="11" font-weight="{weight}">{escape(line)}</text>')
    parts.append("</g>")
    return parts


def _text(x: float, y: float, content: str, *, size: int = 12, weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
            f'text-anchor="middle">{escape(content)}</text>')


def _clip(value: str, limit: int = 22) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def render(root: ChartNode, *, title: str = "Org chart") -> str:
    """The whole subtree as a standalone SVG document."""
    width, height = layout(root)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    stack = [root]
    while stack:
        node = stack.pop()
        cx = node.x + BOX_W / 2
        for child in node.children:
            mid = node.y + BOX_H + GAP_Y / 2
            parts.append(
                f'<path d="M{cx:.1f},{node.y + BOX_H:.1f} V{mid:.1f} '
                f'H{child.x + BOX_W / 2:.1f} V{child.y:.1f}" fill="none" stroke="#888"/>')
            stack.append(child)
        dash = "" if node.active else ' stroke-dasharray="4 3"'
        parts.append(f"<g id={quoteattr('unit-' + node.code)}>")
        parts.append(f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{BOX_W}" '
                     f'height="{BOX_H}" rx="6" fill="{FILL.get(node.type, "#fff")}" '
                     f'stroke="#555"{dash}/>')
        parts.append(_text(cx, node.y + 18, _clip(node.name), size=13, weight="bold"))
        parts.append(_text(cx, node.y + 35, f"{node.code} · {node.type}", size=10))
        parts.append(_text(cx, node.y + 52, _clip(f"负责人 Head: {node.head or '—'}", 26),
                           size=11))
        parts.append(_text(cx, node.y + 69, f"人数 Staff: {node.direct} / {node.total}",
                           size=11))
        parts.append("</g>")
    parts.extend(_legend(height - MARGIN - LEGEND_LINE * len(LEGEND)))
    parts.append("</svg>")
    return "\n".join(parts)
