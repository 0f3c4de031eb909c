"""Ordered routing rules in the policy: grade, own unit type and total days (ranges) pick an
ordered list of steps before the default route; the self-approval skip still applies."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from services.leave.domain.errors import PolicyError
from services.leave.domain.policy import DEFAULT_POLICY_PATH, RoutingPolicy
from services.leave.domain.routing import Requester, route
from tests.leave.unit.test_routing import chain

SHIPPED = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
CREDIT_RULE = {
    "name": "department staff, more than 3 and at most 10 days",
    "grades": ["staff"], "unit_types": ["department"], "days": {"gt": 3, "lte": 10},
    "steps": [{"role": "dept_manager", "unit": "nearest:department"},
              {"role": "branch_head", "unit": "outlet"},
              {"role": "hr", "unit": "governing_branch"}],
}


def with_rules(*rules) -> RoutingPolicy:
    document = copy.deepcopy(SHIPPED)
    document["routing"]["rules"] = list(rules)
    return RoutingPolicy.from_mapping(document)


def routed(policy, unit, days, grade="staff", roles=()):
    steps = route(requester=Requester("E1"), chain=chain(unit, grade),
                  days=Decimal(str(days)), policy=policy, requester_roles=list(roles))
    return [(s.role, s.org, s.status, s.final) for s in steps]


@pytest.mark.parametrize("days, first", [(3, "branch_head"), (3.5, "dept_manager"),
                                         (10, "dept_manager"), (10.5, "branch_head")])
def test_a_rule_applies_inside_its_day_range_and_the_default_route_outside(days, first):
    assert routed(with_rules(CREDIT_RULE), "SB01-GB", days)[0][0] == first


def test_a_rule_gives_its_steps_in_order_the_last_one_final():
    assert routed(with_rules(CREDIT_RULE), "SB01-GB", 5) == [
        ("dept_manager", "SB01-GB", "pending", False),
        ("branch_head", "SB01", "waiting", False),
        ("hr", "BR01", "waiting", True)]


def test_a_rule_matches_only_its_grades_and_unit_types():
    policy = with_rules(CREDIT_RULE)
    assert routed(policy, "SB01-GB", 5, grade="mid")[0][0] == "branch_head"
    assert routed(policy, "SB01", 5)[0][0] == "branch_head"  # own unit is not a department


def test_the_first_matching_rule_wins_and_a_disabled_one_is_passed_over():
    hr_only = {"name": "all to hr", "steps": [{"role": "hr", "unit": "governing_branch"}]}
    assert routed(with_rules(CREDIT_RULE, hr_only), "SB01-GB", 5)[0][0] == "dept_manager"
    assert routed(with_rules(dict(CREDIT_RULE, enabled=False), hr_only), "SB01-GB", 5) == [
        ("hr", "BR01", "pending", True)]


def test_a_rule_whose_unit_does_not_exist_above_the_requester_is_passed_over():
    rule = dict(CREDIT_RULE, unit_types=[], grades=[])
    assert routed(with_rules(rule), "BR01-HR", 5) == [("hr", "BR01", "pending", True)]


def test_a_step_the_requester_holds_is_still_skipped_upward():
    roles = [("dept_manager", "HQ/BR01/SB01/SB01-GB")]
    assert routed(with_rules(CREDIT_RULE), "SB01-GB", 5, roles=roles)[0] == (
        "dept_manager", "SB01-GB", "skipped", False)


@pytest.mark.parametrize("broken", [
    {"steps": []}, {"days": {"between": 3}}, {"steps": [{"role": "hr", "unit": "moon"}]},
    {"steps": [{"role": "hr"}]}, {"enabled": "yes"}, {"colour": "red"}, {"name": ""}])
def test_a_broken_rule_is_refused(broken):
    with pytest.raises(PolicyError):
        with_rules(dict(CREDIT_RULE, **broken))
