"""`python -m bench.chart [RESULT.json ...]` (`make bench-chart`): draw a bench run as a PNG
beside its JSON — one bar per row for its rate as a share of the bare-Flask baseline's, with
p95 written at the bar's end. Without arguments, the newest run.

Drawn with Pillow's own font (no system font needed); labels are kept to ASCII for it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from bench.__main__ import RESULTS

WIDTH = 1400
ROW = 34
TOP = 110
LEFT = 560
BAR_MAX = 1.25  # the axis runs to 1.25× bare: a row faster than bare is drawn past 1.0
ASCII = str.maketrans({"→": "->", "×": "x", "µ": "u", "≤": "<=", "≥": ">=", "—": "-",
                       "…": "...", "·": "."})


def _text(value: str) -> str:
    return value.translate(ASCII).encode("ascii", "replace").decode()


def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def draw(report: dict[str, Any]) -> Image.Image:
    rows = [r for r in report["rows"] if r.get("status") == "ok"]
    height = TOP + ROW * max(len(rows), 1) + 60
    image = Image.new("RGB", (WIDTH, height), "white")
    pen = ImageDraw.Draw(image)
    title, small = _font(20), _font(14)
    host = report.get("host", {})
    settings = report.get("settings", {})
    pen.text((20, 16), _text(f"bench {report.get('started_at', '')[:19]}  store="
                             f"{report.get('store')}  host={host.get('hostname', '?')}"),
             fill="black", font=title)
    pen.text((20, 46), _text(
        f"{host.get('cpu_model') or '?'}  cpus={host.get('cpus')}  "
        f"workers={settings.get('workers')} threads={settings.get('threads')} "
        f"concurrency={settings.get('concurrency')} rounds={settings.get('rounds')}  "
        f"load at start={_load(host.get('load_average_at_start'))}"), fill="#444", font=small)
    scale = (WIDTH - LEFT - 260) / BAR_MAX
    for mark in (0.25, 0.5, 0.8, 1.0):
        x = LEFT + int(mark * scale)
        pen.line([(x, TOP - 18), (x, TOP + ROW * len(rows))], fill="#ddd", width=1)
        pen.text((x - 14, TOP - 36), f"{mark:g}x", fill="#666", font=small)
    for n, row in enumerate(rows):
        result = row["result"]
        y = TOP + n * ROW
        ratio = (result.get("ratios") or {}).get("rate_per_s") or 0.0
        pen.text((20, y + 8), _text(row["name"])[:70], fill="black", font=small)
        colour = "#7a7a7a" if row["name"] == report.get("baseline") else (
            "#2b7bb9" if ratio >= 0.25 else "#d9822b")
        pen.rectangle([LEFT, y + 6, LEFT + max(2, int(min(ratio, BAR_MAX) * scale)), y + ROW - 6],
                      fill=colour)
        label = (f"{ratio:.2f}x  {_num(result.get('rate_per_s'))}/s  "
                 f"p95 {_num(result.get('p95_ms'), 1)} ms")
        pen.text((LEFT + int(min(ratio, BAR_MAX) * scale) + 8, y + 8), label, fill="black",
                 font=small)
    pen.text((20, height - 36), "bar: rate as a share of the bare Flask baseline's in the same "
             "run (blue >= 0.25x, orange below)", fill="#444", font=small)
    return image


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _load(values: list[float] | None) -> str:
    return "-" if not values else "/".join(f"{v:.1f}" for v in values)


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    if not paths:
        runs = sorted(p for p in RESULTS.glob("*.json") if not p.name.startswith("soak-"))
        if not runs:
            print("no bench results yet: run `make bench` first", file=sys.stderr)
            return 1
        paths = [runs[-1]]
    for path in paths:
        out = path.with_suffix(".png")
        draw(json.loads(path.read_text())).save(out, "PNG")
        print(f"drew {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
