"""The new-request form counts nothing and routes nothing itself: it shows what the server
would decide (POST /leave/requests/preview) and offers the stand-ins leave lists (GET
/leave/stand-ins) — in chromium, against the four running services with the demo data."""

from __future__ import annotations

import pytest

from tests.console.browser import six_working_days, working_days

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (fails under CI=true) without it
    expect = None

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_form_shows_the_servers_route_and_offers_colleagues_as_stand_ins(user,
                                                                              console_stack):
    stack, _base = console_stack
    start, end = six_working_days(working_days(stack))
    # 罗婷 (E0015, SB01_HALL) has leave pending then: offered, but not to be chosen.
    away = stack.request("POST", "leave", "/requests", token=stack.admin_token(), json={
        "type": "sick", "start_date": start, "end_date": start, "reason": "console test",
        "employee_no": "E0015", "stand_in": "E0016"})
    assert away.status_code == 201, away.text

    with user("counting-tangmin") as tang:
        tang.login("tangmin", english=True)
        page = tang.page
        # The browser's copy of the rules is gone; the calendar views' helpers stay.
        exported = page.evaluate("async () => Object.keys(await import('/console/js/days.js'))")
        assert "countDays" not in exported and "routeOf" not in exported
        assert {"isWorking", "isoDate"} <= set(exported)
        # Sick leave may start up to 30 days back (filed after the fact); personal not
        # before today.
        first_day = page.get_by_label("First day", exact=True).first
        page.get_by_label("Leave type").select_option("sick")
        back_30 = page.evaluate("async () => { const d = await import('/console/js/days.js'); "
                                "const t = d.parseDate(d.todayIso()); "
                                "t.setUTCDate(t.getUTCDate() - 30); return d.isoDate(t); }")
        assert first_day.get_attribute("min") == back_30
        page.get_by_label("Leave type").select_option("personal")
        assert first_day.get_attribute("min") == page.evaluate(
            "async () => (await import('/console/js/days.js')).todayIso()")
        page.get_by_label("First day", exact=True).first.fill(start)
        page.get_by_label("Last day", exact=True).first.fill(end)
        # The server's count and route (branch head's review, then the branch's hr).
        expect(page.locator("#quote")).to_have_text(
            "6 working days · route: branch head review → branch HR")
        kinds = {stack.request("GET", "leave", f"/calendar?year={year}",
                               token=stack.admin_token()).json()["calendar"]
                 for year in range(int(start[:4]), int(end[:4]) + 1)}
        expect(page.locator("#quote-notes")).to_contain_text(
            "official calendar" if kinds == {"official"} else "Provisional calendar")
        stand_in = page.get_by_label("Stand-in", exact=True)
        stand_in.select_option("E0020")
        offered = stand_in.locator("option")
        expect(offered.filter(has_text="(E0020)")).to_be_enabled()
        # Unavailable, but why (her pending leave) is not hers to know: only the unit's
        # head and hr are told.
        expect(offered.filter(has_text="(E0015) — unavailable")).to_be_disabled()
        assert offered.filter(has_text="leave pending").count() == 0
        assert offered.filter(has_text="(E0019)").count() == 0  # not herself
        assert offered.filter(has_text="(E0011)").count() == 0  # SB01's head: another unit
        tang.shot("preview")
