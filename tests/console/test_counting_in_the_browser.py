"""The console's own rules, run where they run — in chromium — without any service: the
live working-day count (the calendar's holidays and make-up days, HR's overrides winning,
half days, calendar-day types) and the route the form announces (5 days included → the
branch head, final; above → the branch head's review, then the governing branch's hr;
grade head or no 网点 → hr, final)."""

from __future__ import annotations

import pytest

from console.server import serve
from shared.settings import SERVICES
from shared.testing import free_port

pytestmark = pytest.mark.e2e

# 2026-10: National Day holidays 1–7 Oct (Thu–Wed), make-up working day Sat 10 Oct.
CALENDARS = {2026: {"exceptions": [
    *({"date": f"2026-10-0{d}", "working": False} for d in range(1, 8)),
    {"date": "2026-10-10", "working": True}],
    "overrides": [{"date": "2026-10-12", "working": False}]}}
POLICY = {"document": {"routing": {"threshold_days": 5, "outlet": {"grades": ["staff", "mid"]}}}}
TELLER = {"grade": "staff", "outlet": {"code": "SB01"}, "governing_branch": {"code": "BR01"}}


@pytest.fixture(scope="module")
def days(chromium):
    """A page of the console (no service behind it) and a caller of days.js's functions."""
    down = {f"HR_{n.upper()}_URL": f"http://127.0.0.1:{free_port()}" for n in SERVICES}
    server = serve("127.0.0.1", free_port(), down)
    page = chromium.new_page()
    page.goto(f"http://127.0.0.1:{server.server_address[1]}/console/")

    def call(name: str, *args):
        return page.evaluate(
            "async ([name, args]) => (await import('/console/js/days.js'))[name](...args)",
            [name, list(args)])

    yield call
    page.close()
    server.shutdown()
    server.server_close()


def count(days, start, end, *, start_half=None, end_half=None, counts="working_days"):
    return days("countDays", {"start": start, "end": end, "startHalf": start_half,
                              "endHalf": end_half, "counts": counts}, CALENDARS)


def test_a_plain_week_counts_its_five_working_days(days):
    assert count(days, "2026-09-14", "2026-09-20") == 5


def test_holidays_are_skipped_and_the_make_up_saturday_counts(days):
    # 28 Sep – 11 Oct: Mon–Wed 28–30 Sep, Fri 9, Sat 10 (调休); 1–7 Oct off; 8 Thu works.
    assert count(days, "2026-09-28", "2026-10-11") == 3 + 1 + 1 + 1
    assert count(days, "2026-10-10", "2026-10-10") == 1


def test_hr_overrides_win_over_the_weekday(days):
    assert count(days, "2026-10-12", "2026-10-13") == 1  # Monday 12 Oct set off by HR


def test_half_days_take_half_of_the_first_and_last_day(days):
    assert count(days, "2026-09-14", "2026-09-18", start_half="pm", end_half="am") == 4
    assert count(days, "2026-09-14", "2026-09-14", start_half="pm") == 0.5
    # A half day on a day that is not counted takes nothing off.
    assert count(days, "2026-09-13", "2026-09-14", start_half="pm") == 1


def test_calendar_day_types_count_every_day(days):
    assert count(days, "2026-09-28", "2026-10-11", counts="calendar_days") == 14


def test_an_end_before_the_start_counts_nothing(days):
    assert count(days, "2026-09-18", "2026-09-14") is None
    assert count(days, "2026-09-14", "") is None


def test_five_days_go_to_the_branch_head_alone_and_six_add_branch_hr(days):
    assert days("routeOf", 5, TELLER, POLICY)["kind"] == "head_final"
    assert days("routeOf", 5.5, TELLER, POLICY)["kind"] == "head_then_hr"
    assert days("routeOf", 6, TELLER, POLICY)["kind"] == "head_then_hr"


def test_heads_and_people_without_an_outlet_go_to_branch_hr(days):
    assert days("routeOf", 1, {**TELLER, "grade": "head"}, POLICY)["kind"] == "hr_final"
    assert days("routeOf", 1, {**TELLER, "outlet": None}, POLICY)["kind"] == "hr_final"
    # The threshold is the policy's, not the console's.
    lower = {"document": {"routing": {"threshold_days": 3}}}
    assert days("routeOf", 4, TELLER, lower)["kind"] == "head_then_hr"
