"""Filing leave: counted on the working calendar and routed by the default policy (docs/api.md
"Default routing"), as a branch head and HR see it through the API."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from tests.leave.conftest import file

D = dt.date.fromisoformat


def steps(resp):
    return [(s["role"], s["org"], s["status"], s["final"]) for s in resp.get_json()["steps"]]


@pytest.mark.parametrize("end_date, end_half, days, route", [
    ("2025-09-05", "am", 4.5, [("branch_head", "SB01", "pending", True)]),
    ("2025-09-05", None, 5, [("branch_head", "SB01", "pending", True)]),
    ("2025-09-08", "am", 5.5, [("branch_head", "SB01", "pending", False),
                               ("hr", "BR01", "waiting", True)]),
    ("2025-09-08", None, 6, [("branch_head", "SB01", "pending", False),
                             ("hr", "BR01", "waiting", True)]),
])
def test_five_days_included_go_to_the_branch_head_and_more_need_the_governing_branch(
        client, who, end_date, end_half, days, route):
    resp = file(client, who("E1"), type="sick", start_date="2025-09-01", end_date=end_date,
                end_half=end_half)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["days"] == days and body["status"] == "pending"
    assert body["calendar"] == "official" and body["employee_no"] == "E1"
    assert steps(resp) == route


def test_weekends_holidays_and_make_up_days_inside_a_request_count_as_the_state_says(
        client, who):
    # 2025: 28 Sep (Sun) and 11 Oct (Sat) are make-up working days (调休); 1–8 Oct is the
    # National Day holiday. 27 Sep (Sat) – 12 Oct (Sun): 28, 29, 30 Sep and 9, 10, 11 Oct.
    resp = file(client, who("E1"), type="sick", start_date="2025-09-27", end_date="2025-10-12")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["days"] == 6
    # Six working days: the preliminary review and the governing branch.
    assert [s[0] for s in steps(resp)] == ["branch_head", "hr"]


def test_maternity_leave_counts_calendar_days_holidays_included(client, who):
    resp = file(client, who("E1"), type="maternity", start_date="2025-09-29",
                end_date="2025-10-12", attachment_ref="birth-cert-001")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["days"] == 14


def test_half_days_start_at_noon_and_end_at_noon(client, who):
    one = file(client, who("E1"), type="sick", start_date="2025-09-01", end_date="2025-09-01",
               start_half="pm")
    two = file(client, who("E1"), type="sick", start_date="2025-09-02", end_date="2025-09-03",
               start_half="pm", end_half="am")
    assert (one.get_json()["days"], two.get_json()["days"]) == (0.5, 1)
    both = file(client, who("E1"), type="sick", start_date="2025-09-04", end_date="2025-09-04",
                start_half="pm", end_half="am")
    assert both.status_code == 422 and "end_date" in both.get_json()["errors"]


def first_unpublished_year() -> int:
    year = dt.date.today().year
    while True:
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            return year
        year += 1


def test_a_year_the_library_does_not_know_counts_weekends_and_says_provisional(client, who,
                                                                            clock):
    year = first_unpublished_year()  # chosen at run time: a library update breaks nothing
    clock.today = dt.date(year, 1, 1) - dt.timedelta(days=30)
    monday = dt.date(year, 3, 1) + dt.timedelta(days=(7 - dt.date(year, 3, 1).weekday()) % 7)
    resp = file(client, who("E1"), type="sick", start_date=monday.isoformat(),
                end_date=(monday + dt.timedelta(days=13)).isoformat())
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["calendar"] == "provisional"
    assert resp.get_json()["days"] == 10
    view = client.get(f"/leave/calendar?year={year}", headers=who("E1")).get_json()
    assert view["calendar"] == "provisional" and view["exceptions"] == []


def test_a_deputy_goes_straight_to_the_governing_branch_hr(client, who):
    resp = file(client, who("D1"), type="sick", start_date="2025-09-01", end_date="2025-09-02")
    assert steps(resp) == [("hr", "BR01", "pending", True)]


def test_an_outlet_under_a_sub_branch_is_its_own_network_point(client, who):
    resp = file(client, who("E2"), type="sick", start_date="2025-09-01", end_date="2025-09-02")
    assert steps(resp) == [("branch_head", "OT01", "pending", True)]


def test_the_branch_heads_own_leave_goes_to_the_level_above(client, who):
    resp = file(client, who("H1"), type="sick", start_date="2025-09-01", end_date="2025-09-02")
    assert steps(resp) == [("hr", "BR01", "pending", True)]


def test_a_step_the_requester_holds_is_skipped_upward(client, who):
    # M1 (mid-level) is acting head of SB01 for the month: their own step goes up to hr.
    acting = who("M1", roles=[("branch_head", "SB01")])
    resp = file(client, acting, type="sick", start_date="2025-09-01", end_date="2025-09-02")
    assert steps(resp) == [("branch_head", "SB01", "skipped", False),
                           ("hr", "BR01", "pending", True)]


def test_branch_and_head_office_staff_go_to_the_governing_hr(client, who):
    resp = file(client, who("R1"), type="sick", start_date="2025-09-01", end_date="2025-09-02")
    assert steps(resp) == [("hr", "BR01", "pending", True)]


def test_a_step_nobody_holds_is_flagged_unassigned(client, who, directory):
    directory.no_holders.add(("branch_head", "SB02"))
    resp = file(client, who("E5"), type="sick", start_date="2025-09-01", end_date="2025-09-02")
    assert resp.get_json()["steps"][0]["unassigned"] is True
    control = file(client, who("E1"), type="sick", start_date="2025-09-01",
                   end_date="2025-09-02")
    assert control.get_json()["steps"][0]["unassigned"] is False


def test_the_manager_delegation_is_available_but_off_by_default(client, who):
    resp = file(client, who("K1"), type="sick", start_date="2025-09-01", end_date="2025-09-01")
    assert steps(resp) == [("branch_head", "SB01", "pending", True)]


def test_auth_is_asked_once_about_every_step_of_a_request(client, who, directory):
    directory.no_holders.add(("hr", "BR01"))
    resp = file(client, who("E1"), type="sick", start_date="2025-09-01", end_date="2025-09-10")
    assert [(s["role"], s["unassigned"]) for s in resp.get_json()["steps"]] == [
        ("branch_head", False), ("hr", True)]
    assert directory.holder_questions == [[("branch_head", "SB01"), ("hr", "BR01")]]


def test_a_step_that_anti_splitting_adds_is_asked_about_after_routing(client, who, directory):
    directory.no_holders.add(("hr", "BR01"))
    file(client, who("E1"), type="sick", start_date="2025-09-01", end_date="2025-09-05")
    directory.holder_questions.clear()
    # Alone one day (the branch head); with the week before, six: hr is a step too.
    second = file(client, who("E1"), type="personal", start_date="2025-09-08",
                  end_date="2025-09-08")
    assert [(s["role"], s["unassigned"]) for s in second.get_json()["steps"]] == [
        ("branch_head", False), ("hr", True)]
    assert directory.holder_questions == [[("branch_head", "SB01")], [("hr", "BR01")]]
