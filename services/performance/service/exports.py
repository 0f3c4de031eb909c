"""A unit's roll-up as CSV or XLSX, and its points by month as an SVG or PNG chart.

Money is written from the Decimal as text in the CSV (exactly what is stored) and as a
number cell with a 0.00 format in the XLSX (spreadsheets sum it); CSV cells that a
spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are quoted with `'`.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

from shared.spreadsheets import defuse as _cell

COLUMNS = ("employee_no", "name", "unit", "points_deducted", "bonus_deducted", "incidents",
           "excellence_eligible", "disqualified")


def rollup_csv(rollup: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in rollup["items"]:
        writer.writerow([_cell(item[c]) for c in COLUMNS])
    return out.getvalue()


def rollup_xlsx(rollup: dict[str, Any]) -> bytes:
    from openpyxl import Workbook  # imported on use: only exports need it

    book = Workbook()
    sheet = book.active
    sheet.title = f"{rollup['unit']} {rollup['period']}"[:31]
    sheet.append(list(COLUMNS))
    for item in rollup["items"]:
        row = [item[c] for c in COLUMNS]
        sheet.append([_cell(v) if isinstance(v, str) else v for v in row])
        sheet.cell(row=sheet.max_row, column=COLUMNS.index("bonus_deducted") + 1) \
            .number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: The chart's geometry (both formats): a bar 30 px wide every 44 px, 260 px high.
CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM, CHART_TOP, BAR_STEP, BAR_WIDTH = 260, 40, 40, 30, 44, 30
BAR_COLOUR, AXIS_COLOUR = "#b22222", "#333333"


def chart_width(months: int) -> int:
    return 60 + BAR_STEP * months


def _bars(months: list[tuple[str, int]]) -> list[tuple[int, int, int]]:
    """(x, y, height) of each month's bar, scaled to the busiest month."""
    peak = max([p for _, p in months] + [1])
    plot = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    out = []
    for index, (_month, points) in enumerate(months):
        bar = round(plot * points / peak)
        out.append((CHART_LEFT + 10 + BAR_STEP * index, CHART_HEIGHT - CHART_BOTTOM - bar, bar))
    return out


def points_chart_png(unit: str, period: str, months: list[tuple[str, int]]) -> bytes:
    """The same bar chart as `points_chart_svg`, drawn with Pillow. Labels are ASCII (unit
    codes, digits), so Pillow's bundled default font draws them and no system font (nor a
    CJK one) is needed."""
    from PIL import Image, ImageDraw, ImageFont  # imported on use: only the PNG needs it

    width, height = chart_width(len(months)), CHART_HEIGHT
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title, label, small = (ImageFont.load_default(size) for size in (13, 11, 10))
    draw.text((CHART_LEFT, 5), f"{unit} - {period} - demerit points by month", fill="black",
              font=title)
    base = height - CHART_BOTTOM
    draw.line([(CHART_LEFT, base), (width - 10, base)], fill=AXIS_COLOUR)
    for (month, points), (x, y, bar) in zip(months, _bars(months), strict=True):
        if bar:
            draw.rectangle([x, y, x + BAR_WIDTH - 1, base - 1], fill=BAR_COLOUR)
        draw.text((x + BAR_WIDTH // 2, y - 4), str(points), fill="black", font=label,
                  anchor="ms")
        draw.text((x + BAR_WIDTH // 2, base + 16), month[5:], fill="black", font=small,
                  anchor="ms")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def points_chart_svg(unit: str, period: str, months: list[tuple[str, int]]) -> str:
    """A bar chart of demerit points per month (one bar a month, zeros drawn as gaps)."""
    width, height, left, bottom = chart_width(len(months)), CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">',
             f"<title>{escape(unit)} {escape(period)}: demerit points by month</title>",
             f'<text x="{left}" y="18" font-family="sans-serif" font-size="13">'
             f"{escape(unit)} · {escape(period)} · 过错积分 points by month</text>",
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" '
             f'y2="{height - bottom}" stroke="#333"/>']
    for (month, points), (x, y, bar) in zip(months, _bars(months), strict=True):
        parts.append(f'<rect x="{x}" y="{y}" width="30" height="{bar}" fill="#b22222">'
                     f"<title>{month}: {points}</title></rect>")
        parts.append(f'<text x="{x + 15}" y="{y - 4}" text-anchor="middle" '
                     f'font-family="sans-serif" font-size="11">{points}</text>')
        parts.append(f'<text x="{x + 15}" y="{height - bottom + 16}" text-anchor="middle" '
                     f'font-family="sans-serif" font-size="10">{month[5:]}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
