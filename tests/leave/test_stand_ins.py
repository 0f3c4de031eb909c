"""`GET /leave/stand-ins`: the caller's colleagues of their own unit, each available over the
dates or not (and why, to the unit's head) — never another unit's people, at a constant
number of statements."""

from __future__ import annotations

from tests.leave.conftest import decide, file
from tests.leave.test_query_counts import statements

DATES = "start_date=2025-09-01&end_date=2025-09-02"


def stand_ins(client, headers, query: str = DATES):
    return client.get(f"/leave/stand-ins?{query}", headers=headers)


def test_the_list_is_the_callers_own_unit_without_the_caller(client, who, directory):
    resp = stand_ins(client, who("E1"))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["employee_no"], body["org"], body["must_cover"]) == ("E1", "SB01", False)
    # SB01's people; not OT01's (E2, OH) nor its department's (K1), though below it.
    assert [p["employee_no"] for p in body["items"]] == ["D1", "E4", "H1", "M1"]
    assert all(p["available"] and "reason" not in p for p in body["items"])
    assert directory.units_listed == ["SB01"]  # only the own unit was asked for
    assert stand_ins(client, who("E4")).get_json()["must_cover"] is True


def test_a_colleague_on_leave_or_not_active_is_shown_unavailable_to_the_head_with_why(
        client, who, directory):
    pending = file(client, who("E4"), type="sick", start_date="2025-09-02",
                   end_date="2025-09-03", stand_in="M1")
    assert pending.status_code == 201, pending.get_json()
    away = file(client, who("D1"), type="sick", start_date="2025-08-29",
                end_date="2025-09-01")
    assert decide(client, who("HR1"), away.get_json()["id"]).status_code == 200
    directory.status["E1"] = "suspended"
    directory.status["M1"] = "left"
    # The branch head (leave:approve over SB01) is told why (test_stand_in_privacy.py: an
    # employee is not).
    items = {p["employee_no"]: (p["available"], p["reason"])
             for p in stand_ins(client, who("H1")).get_json()["items"]}
    assert items == {"D1": (False, "on_leave"), "E4": (False, "leave_pending"),
                     "E1": (False, "not_active")}  # a leaver is not listed at all
    # Outside those dates (and half-days that do not meet) they are available again.
    later = stand_ins(client, who("H1"), "start_date=2025-09-03&end_date=2025-09-03"
                      "&start_half=pm").get_json()
    assert {p["employee_no"]: p["reason"] for p in later["items"]} == {
        "D1": None, "E4": "leave_pending", "E1": "not_active"}
    after = stand_ins(client, who("H1"), "start_date=2025-09-04&end_date=2025-09-05")
    assert {p["employee_no"]: p["reason"] for p in after.get_json()["items"]} == {
        "D1": None, "E4": None, "E1": "not_active"}


def test_only_an_employee_gets_a_list(client, who, tokens):
    assert stand_ins(client, {}).status_code == 401
    assert stand_ins(client, who(None, roles=[("admin", "*")], sub="admin")).status_code == 403
    robot = {"Authorization": "Bearer " + tokens.client("c", ["leave:read"])}
    assert stand_ins(client, robot).status_code == 403
    assert stand_ins(client, who("E5")).status_code == 200


def test_bad_dates_are_a_422_naming_the_field(client, who):
    for query, field in (("start_date=2025-09-05&end_date=2025-09-01", "end_date"),
                         ("start_date=2025-09-01", "end_date"),
                         (f"{DATES}&start_half=noon", "start_half")):
        resp = stand_ins(client, who("E1"), query)
        assert resp.status_code == 422 and field in resp.get_json()["errors"], query


def test_staff_down_is_a_503(client, who, directory):
    directory.down = True
    assert stand_ins(client, who("E1")).status_code == 503
    directory.down = False
    assert stand_ins(client, who("E1")).status_code == 200


def test_the_list_costs_the_same_statements_at_two_unit_sizes(app, client, who, directory):
    def grow(first: int, count: int) -> None:
        for i in range(first, first + count):
            directory.people[f"P{i}"] = ("SB01", "staff")
            assert file(client, who(f"P{i}"), type="sick", start_date="2025-09-01",
                        end_date="2025-09-02").status_code == 201

    grow(0, 2)
    small = statements(app, lambda: stand_ins(client, who("E1")))
    grow(2, 18)
    large = statements(app, lambda: stand_ins(client, who("E1")))
    assert small == large, (small, large)
    listed = stand_ins(client, who("E1")).get_json()["items"]
    assert sum(not p["available"] for p in listed) == 20
