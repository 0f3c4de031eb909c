"""Default routing (docs/api.md "Default routing"): the 网点's branch head up to 5 days, a
preliminary review 初审 then the governing branch's hr above, hr for heads and for staff with
no 网点, and self-approval skipped upwards to hr, then admin."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from services.leave.domain.calendar import WorkingCalendar
from services.leave.domain.errors import RoutingError
from services.leave.domain.routing import (
    Chain,
    Delegation,
    Requester,
    RoutingPolicy,
    Span,
    Step,
    covers,
    related_days,
    route,
)

POLICY = RoutingPolicy()
ME = Requester(employee_no="E001")

#: A branch network: head office HQ, branch BR01, sub-branch SB01, its outlet OU01 and a
#: department inside the outlet; a department of the branch and one of the head office.
UNITS = {
    "HQ": ("head_office", "HQ"),
    "HQ-HR": ("department", "HQ/HQ-HR"),
    "BR01": ("branch", "HQ/BR01"),
    "BR01-HR": ("department", "HQ/BR01/BR01-HR"),
    "SB01": ("sub_branch", "HQ/BR01/SB01"),
    "SB01-GB": ("department", "HQ/BR01/SB01/SB01-GB"),
    "OU01": ("outlet", "HQ/BR01/SB01/OU01"),
    "OU01-HALL": ("department", "HQ/BR01/SB01/OU01/OU01-HALL"),
}


def chain(unit: str, grade: str = "staff") -> Chain:
    """What staff answers for an employee of `unit`: own unit first, up to the head office."""
    path = UNITS[unit][1]
    codes = path.split("/")
    units = [{"code": c, "type": UNITS[c][0], "path": "/".join(codes[:i + 1])}
             for i, c in enumerate(codes)]
    return Chain.from_staff({"grade": grade, "units": list(reversed(units))})


def steps(unit: str, days: str | int, *, grade: str = "staff", roles=(), related: str | int = 0,
          policy: RoutingPolicy = POLICY) -> list[tuple]:
    routed = route(requester=ME, chain=chain(unit, grade), days=Decimal(str(days)),
                   related_days=Decimal(str(related)), policy=policy, requester_roles=list(roles))
    assert [s.level for s in routed] == list(range(1, len(routed) + 1))
    return [(s.role, s.org, s.final, s.status) for s in routed]


# --- the 网点 rule ------------------------------------------------------------------------

def test_five_days_exactly_are_approved_by_the_outlet_s_branch_head_alone():
    assert steps("OU01", 5) == [("branch_head", "OU01", True, "pending")]


def test_half_a_day_is_approved_by_the_outlet_s_branch_head_alone():
    assert steps("OU01-HALL", "0.5") == [("branch_head", "OU01", True, "pending")]


@pytest.mark.parametrize("days", ["5.5", "6", "30"])
def test_more_than_five_days_needs_the_governing_branch_after_preliminary_review(days):
    assert steps("OU01", days) == [("branch_head", "OU01", False, "pending"),
                                   ("hr", "BR01", True, "waiting")]


def test_six_days_needs_the_governing_branch_after_preliminary_review():
    routed = route(requester=ME, chain=chain("OU01-HALL", "mid"), days=Decimal(6),
                   policy=POLICY, requester_roles=[])
    assert routed == [
        Step(level=1, role="branch_head", org="OU01", org_path="HQ/BR01/SB01/OU01",
             final=False, status="pending"),
        Step(level=2, role="hr", org="BR01", org_path="HQ/BR01", final=True, status="waiting"),
    ]
    assert routed[0].as_dict()["org_path"] == "HQ/BR01/SB01/OU01"


def test_staff_of_a_sub_branch_without_an_outlet_go_to_the_sub_branch_s_head():
    # The sub-branch is itself the 网点.
    assert steps("SB01-GB", 3) == [("branch_head", "SB01", True, "pending")]


def test_a_head_grade_requester_goes_to_the_governing_branch_s_hr():
    assert steps("OU01", 1, grade="head") == [("hr", "BR01", True, "pending")]
    assert steps("SB01", 9, grade="head") == [("hr", "BR01", True, "pending")]


def test_branch_office_staff_with_no_outlet_above_go_to_the_branch_s_hr():
    assert steps("BR01-HR", 2) == [("hr", "BR01", True, "pending")]


def test_head_office_staff_go_to_head_office_hr_as_there_is_no_branch_above():
    assert steps("HQ-HR", 10, grade="mid") == [("hr", "HQ", True, "pending")]


def test_a_chain_without_a_head_office_type_routes_to_its_root():
    root_only = Chain.from_staff({"grade": "staff", "units": [
        {"code": "X", "type": "department", "path": "R/X"},
        {"code": "R", "type": "department", "path": "R"}]})
    routed = route(requester=ME, chain=root_only, days=Decimal(1), policy=POLICY,
                   requester_roles=[])
    assert [(s.role, s.org) for s in routed] == [("hr", "R")]


# --- anti-splitting ---------------------------------------------------------------------

def test_split_requests_across_a_weekend_route_as_one_six_day_absence():
    earlier = Span(date(2025, 3, 5), date(2025, 3, 7), days=Decimal(3))  # Wed–Fri
    new = Span(date(2025, 3, 10), date(2025, 3, 12))  # Mon–Wed
    related = related_days(new, [earlier], WorkingCalendar())
    assert related == 3
    assert steps("OU01", 3, related=related) == [("branch_head", "OU01", False, "pending"),
                                                  ("hr", "BR01", True, "waiting")]


def test_related_days_that_keep_the_total_at_five_stay_with_the_branch_head():
    assert steps("OU01", 2, related=3) == [("branch_head", "OU01", True, "pending")]


# --- nobody approves their own request --------------------------------------------------

def test_a_requester_acting_as_the_outlet_s_branch_head_is_skipped_to_governing_hr():
    assert steps("OU01", 2, grade="mid", roles=[("branch_head", "HQ/BR01/SB01/OU01")]) == [
        ("branch_head", "OU01", False, "skipped"), ("hr", "BR01", True, "pending")]


def test_a_branch_head_binding_on_the_sub_branch_covers_its_outlet():
    assert steps("OU01", 8, grade="mid", roles=[("branch_head", "HQ/BR01/SB01")]) == [
        ("branch_head", "OU01", False, "skipped"), ("hr", "BR01", True, "pending")]


def test_a_branch_head_of_a_sibling_unit_is_not_skipped():
    assert steps("OU01", 2, roles=[("branch_head", "HQ/BR01/SB02")]) == [
        ("branch_head", "OU01", True, "pending")]


def test_the_outlet_s_own_head_goes_straight_to_governing_hr():
    assert steps("OU01", 2, grade="head", roles=[("branch_head", "HQ/BR01/SB01/OU01")]) == [
        ("hr", "BR01", True, "pending")]


def test_a_requester_who_is_hr_of_the_governing_branch_is_skipped_to_admin():
    assert steps("BR01-HR", 2, roles=[("hr", "HQ/BR01")]) == [
        ("hr", "BR01", False, "skipped"), ("admin", "*", True, "pending")]


def test_hr_of_the_governing_branch_working_in_an_outlet_still_gets_a_preliminary_review():
    assert steps("OU01", 6, roles=[("hr", "HQ/BR01")]) == [
        ("branch_head", "OU01", False, "pending"), ("hr", "BR01", False, "skipped"),
        ("admin", "*", True, "waiting")]


def test_head_office_hr_is_skipped_to_admin_for_a_branch_step_too():
    assert steps("BR01-HR", 1, roles=[("hr", "HQ")]) == [
        ("hr", "BR01", False, "skipped"), ("admin", "*", True, "pending")]


def test_a_requester_holding_both_roles_is_skipped_twice_to_admin():
    roles = [("branch_head", "HQ/BR01/SB01/OU01"), ("hr", "HQ/BR01")]
    assert steps("OU01", 7, grade="mid", roles=roles) == [
        ("branch_head", "OU01", False, "skipped"), ("hr", "BR01", False, "skipped"),
        ("admin", "*", True, "pending")]


def test_an_admin_requester_is_still_routed_to_admin_as_the_last_resort():
    assert steps("HQ-HR", 1, roles=[("hr", "HQ"), ("admin", "*")]) == [
        ("hr", "HQ", False, "skipped"), ("admin", "*", True, "pending")]


def test_other_roles_of_the_requester_skip_nothing():
    assert steps("OU01", 6, roles=[("employee", "HQ/BR01/SB01/OU01"), ("auditor", "HQ")]) == [
        ("branch_head", "OU01", False, "pending"), ("hr", "BR01", True, "waiting")]


# --- policy data decides ----------------------------------------------------------------

def test_a_lower_threshold_in_the_policy_routes_four_days_upwards():
    policy = replace(POLICY, threshold_days=Decimal(3))
    assert steps("OU01", 4, policy=policy) == [("branch_head", "OU01", False, "pending"),
                                               ("hr", "BR01", True, "waiting")]
    assert steps("OU01", 3, policy=policy) == [("branch_head", "OU01", True, "pending")]


def test_the_department_manager_delegation_is_off_by_default():
    assert steps("OU01-HALL", 1) == [("branch_head", "OU01", True, "pending")]


def enabled_delegation() -> RoutingPolicy:
    delegation = replace(POLICY.delegations[0], enabled=True)
    assert isinstance(delegation, Delegation)
    return replace(POLICY, delegations=(delegation,))


def test_an_enabled_delegation_lets_the_department_manager_approve_one_day():
    policy = enabled_delegation()
    assert steps("OU01-HALL", 1, policy=policy) == [("dept_manager", "OU01-HALL", True,
                                                     "pending")]


def test_a_delegation_stops_at_its_limit_related_days_included():
    policy = enabled_delegation()
    assert steps("OU01-HALL", "1.5", policy=policy) == [("branch_head", "OU01", True,
                                                         "pending")]
    assert steps("OU01-HALL", "0.5", related="1", policy=policy) == [
        ("branch_head", "OU01", True, "pending")]


def test_a_delegation_needs_a_department_and_a_matching_grade():
    policy = enabled_delegation()
    assert steps("OU01", 1, policy=policy) == [("branch_head", "OU01", True, "pending")]
    assert steps("OU01-HALL", 1, grade="mid", policy=policy) == [
        ("branch_head", "OU01", True, "pending")]


def test_a_department_manager_s_own_one_day_goes_to_governing_hr():
    policy = enabled_delegation()
    roles = [("dept_manager", "HQ/BR01/SB01/OU01/OU01-HALL")]
    assert steps("OU01-HALL", 1, roles=roles, policy=policy) == [
        ("dept_manager", "OU01-HALL", False, "skipped"), ("hr", "BR01", True, "pending")]


# --- input checks and scope arithmetic --------------------------------------------------

def test_negative_days_are_refused():
    with pytest.raises(RoutingError):
        route(requester=ME, chain=chain("OU01"), days=Decimal(-1), policy=POLICY,
              requester_roles=[])


def test_an_empty_chain_is_refused():
    with pytest.raises(RoutingError):
        route(requester=ME, chain=Chain(units=(), grade="staff"), days=Decimal(1),
              policy=POLICY, requester_roles=[])


def test_the_chain_is_read_nearest_first_whatever_order_staff_sends():
    top_down = chain("OU01-HALL")
    shuffled = Chain.from_staff({"grade": "staff", "units": [
        {"code": u.code, "type": u.type, "path": u.path} for u in reversed(top_down.units)]})
    assert shuffled == top_down


@pytest.mark.parametrize(("scope", "target", "expected"), [
    ("HQ/BR01", "HQ/BR01", True),
    ("HQ/BR01", "HQ/BR01/SB01", True),
    ("HQ/BR01", "HQ/BR010", False),
    ("HQ/BR01/SB01", "HQ/BR01", False),
    ("*", "HQ/BR01", True),
    ("HQ", "*", False),
])
def test_a_role_covers_its_unit_and_subtree_by_whole_path_segments(scope, target, expected):
    assert covers(scope, target) is expected
