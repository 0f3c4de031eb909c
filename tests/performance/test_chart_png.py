"""A unit's points by month as a PNG (issue #11): `format=png` or `Accept: image/png` on the
chart's route, the same bars as the SVG, the same scope as every roll-up."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from services.performance.service.exports import (
    BAR_STEP,
    CHART_BOTTOM,
    CHART_HEIGHT,
    CHART_LEFT,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
URL = "/performance/units/SB01/chart.svg?period=2026"
RED = (0xB2, 0x22, 0x22)


@pytest.fixture
def charted(perf):
    """SB01 in 2026: E100's incidents in January (10 points) and March (5 + 10 points)."""
    perf.confirmed(rule="CM-ETH-01", occurred_on="2026-01-15")
    perf.confirmed(rule="CM-ETH-03", occurred_on="2026-03-02")
    perf.confirmed(rule="CM-ETH-01", occurred_on="2026-03-20")


def _png(resp) -> Image.Image:
    assert resp.status_code == 200, resp.get_data()[:300]
    assert resp.mimetype == "image/png" and resp.data[:8] == PNG_SIGNATURE
    image = Image.open(io.BytesIO(resp.data))
    image.load()
    assert image.format == "PNG"
    return image.convert("RGB")


def _bar_height(image: Image.Image, month: int) -> int:
    """How many red pixels stand in the month's bar (1-based), counted up from the axis."""
    x = CHART_LEFT + 10 + BAR_STEP * (month - 1) + 15
    y, height = CHART_HEIGHT - CHART_BOTTOM - 1, 0
    while y >= 0 and image.getpixel((x, y)) == RED:
        height, y = height + 1, y - 1
    return height


def test_a_unit_chart_is_a_png_of_a_bar_a_month_scaled_to_the_points(perf, charted):
    image = _png(perf.get("hr", URL + "&format=png"))
    assert image.size == (60 + BAR_STEP * 12, CHART_HEIGHT)
    january, february, march = (_bar_height(image, m) for m in (1, 2, 3))
    assert february == 0 and march == CHART_HEIGHT - CHART_BOTTOM - 30  # the peak: 15 points
    assert january == round(march * 10 / 15) > 0
    quarter = _png(perf.get("hr", "/performance/units/SB01/chart.svg?period=2026-Q1"
                                  "&format=png"))
    assert quarter.size == (60 + BAR_STEP * 3, CHART_HEIGHT)


def test_the_png_changes_when_the_points_do(perf, charted):
    before = perf.get("head", URL + "&format=png")
    assert _bar_height(_png(before), 2) == 0
    perf.confirmed(rule="CM-ETH-01", occurred_on="2026-02-10")
    after = perf.get("head", URL + "&format=png")
    assert after.data != before.data and _bar_height(_png(after), 2) == _bar_height(
        _png(after), 1) > 0


def test_accept_chooses_the_format_when_the_query_does_not(perf, charted):
    headers = perf.headers("hr")
    png = perf.client.get(URL, headers={**headers, "Accept": "image/png"})
    assert _png(png).size == (60 + BAR_STEP * 12, CHART_HEIGHT)
    assert png.headers["Vary"] == "Accept"
    for accept in (None, "*/*", "image/svg+xml", "image/svg+xml, image/png;q=0.5",
                   "application/json"):
        resp = perf.client.get(URL, headers={**headers, **({"Accept": accept} if accept
                                                            else {})})
        assert resp.status_code == 200 and resp.mimetype == "image/svg+xml", accept
        assert resp.get_data(as_text=True).count("<rect") == 12
    # the query wins over Accept
    svg = perf.client.get(URL + "&format=svg", headers={**headers, "Accept": "image/png"})
    assert svg.mimetype == "image/svg+xml"


def test_an_unknown_format_is_a_422(perf, charted):
    resp = perf.get("hr", URL + "&format=gif")
    assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"format"}
    assert perf.get("hr", URL + "&format=png").status_code == 200  # control


def test_the_png_needs_performance_read_over_the_unit(perf, charted, tokens):
    png = URL + "&format=png"
    assert perf.get("head", png).status_code == 200  # control: SB01's head
    assert perf.get("hr", "/performance/units/BR01/chart.svg?period=2026&format=png") \
        .status_code == 200  # control: hr of the branch above
    for who in ("other_head", "subject"):
        resp = perf.get(who, png)
        assert resp.status_code == 404 and resp.mimetype == "application/problem+json", who
    accepting = perf.client.get(URL, headers={**perf.headers("other_head"),
                                              "Accept": "image/png"})
    assert accepting.status_code == 404
    assert perf.client.get(png).status_code == 401
