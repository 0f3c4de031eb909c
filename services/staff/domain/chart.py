"""A pure-Python org-chart layout rendered as SVG (no Graphviz on the servers).

Layout: a simple tidy tree — each leaf takes one column, a parent is centred over its
children, depth gives the row. Every piece of text is XML-escaped: unit and employee names
are user input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

BOX_W, BOX_H = 190, 78
GAP_X, GAP_Y = 20, 46
MARGIN = 20
FILL = {"head_office": "#dbe8f7", "branch": "#e3f1e1", "sub_branch": "#fdf1d8",
        "outlet": "#f9e3e3", "department": "#eeeeee"}


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
    return width, height


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
    parts.append("</svg>")
    return "\n".join(parts)
