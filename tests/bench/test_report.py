"""The bench's report: the table's figures beside their share of bare, the machine described,
and the chart drawn from a saved run."""

from __future__ import annotations

import io

from PIL import Image

from bench.__main__ import render
from bench.chart import LEFT, ROW, TOP, draw
from bench.machine import describe


def _row(name, ratio):
    result = {"unit": "req", "rate_per_s": 1000 * ratio, "p50_ms": 1.0, "p95_ms": 2.0,
              "p99_ms": 3.0, "server_cpu_us": 500, "requests": 10, "errors": 0,
              "ratios": {"rate_per_s": ratio, "p50_ms": 1.0, "p95_ms": 1.0, "p99_ms": 1.0,
                         "server_cpu_us": 1.0}}
    return {"name": name, "status": "ok", "result": result}


def test_the_table_shows_each_rows_rate_beside_its_share_of_bare():
    table = render([_row("bare", 1.0), _row("check", 0.8)])
    header, _rule, bare, check = table.splitlines()
    assert header.split()[:3] == ["scenario", "rate/s", "×bare"]
    assert check.split()[1:3] == ["800", "0.80×"] and bare.split()[1:3] == ["1,000", "1.00×"]


def test_the_machine_is_described():
    host = describe("sqlite")
    assert host["cpus"] and host["python"] and host["hostname"]
    assert len(host["load_average_at_start"]) == 3


def test_the_chart_draws_one_bar_per_row_as_long_as_its_share_of_bare():
    report = {"baseline": "bare", "store": "sqlite", "started_at": "2026-12-04T00:00:00",
              "host": {"hostname": "h", "cpus": 2}, "settings": {},
              "rows": [_row("bare", 1.0), _row("half", 0.5), _row("tenth", 0.1),
                       {"name": "skipped", "status": "skipped", "reason": "x"}]}
    image = draw(report)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    png = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")

    def bar_length(row: int) -> int:
        y = TOP + row * ROW + ROW // 2
        x = LEFT
        while png.getpixel((x, y)) != (255, 255, 255) and x < png.width - 1:
            x += 1
        return x - LEFT

    full, half, tenth = bar_length(0), bar_length(1), bar_length(2)
    assert abs(half * 2 - full) <= 4 and abs(tenth * 10 - full) <= 20
    blue, orange = (43, 123, 185), (217, 130, 43)
    assert png.getpixel((LEFT + 2, TOP + ROW + ROW // 2)) == blue  # >= 0.25× bare
    assert png.getpixel((LEFT + 2, TOP + 2 * ROW + ROW // 2)) == orange  # below it
