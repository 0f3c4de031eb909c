"""The shipped leave policy (data/reference/leave_policy.yaml) and strict parsing of edits."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from services.leave.domain.errors import PolicyError
from services.leave.domain.policy import (
    DEFAULT_POLICY_PATH,
    RoutingPolicy,
    calendar_overrides,
    load_policy,
    policy_from_yaml,
)

SHIPPED = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))


def test_the_shipped_policy_file_is_the_default_policy():
    assert load_policy() == RoutingPolicy()


def test_the_shipped_policy_routes_five_days_or_fewer_to_the_branch_head():
    policy = load_policy()
    assert policy.version == 1
    assert policy.threshold_days == Decimal(5)
    assert (policy.outlet_role, policy.final_role, policy.last_resort_role) == (
        "branch_head", "hr", "admin")
    assert policy.outlet_unit_types == {"sub_branch", "outlet"}
    assert policy.outlet_grades == {"staff", "mid"}


def test_the_shipped_department_manager_delegation_is_one_day_and_off():
    (delegation,) = load_policy().delegations
    assert (delegation.role, delegation.max_days, delegation.enabled) == (
        "dept_manager", Decimal(1), False)


def test_the_shipped_calendar_has_no_overrides():
    assert calendar_overrides(SHIPPED) == {}


def edited(**changes) -> dict:
    document = copy.deepcopy(SHIPPED)
    document["routing"].update(changes)
    return document


def test_a_half_day_threshold_is_read_exactly():
    assert RoutingPolicy.from_mapping(edited(threshold_days=3.5)).threshold_days == Decimal("3.5")


@pytest.mark.parametrize("threshold", [0, -1, "five", True, 2.25, None])
def test_a_threshold_that_is_not_a_positive_number_of_half_days_is_refused(threshold):
    with pytest.raises(PolicyError):
        RoutingPolicy.from_mapping(edited(threshold_days=threshold))


def test_a_misspelt_key_is_refused_rather_than_defaulted():
    with pytest.raises(PolicyError, match="treshold_days"):
        RoutingPolicy.from_mapping(edited(treshold_days=3))


def test_another_policy_version_is_refused():
    document = copy.deepcopy(SHIPPED)
    document["version"] = 2
    with pytest.raises(PolicyError):
        RoutingPolicy.from_mapping(document)


@pytest.mark.parametrize("text", ["[1, 2]", "version: 1\nrouting: {", "version: 1\n"])
def test_a_document_that_is_not_a_policy_is_refused(text):
    with pytest.raises(PolicyError):
        policy_from_yaml(text)


def test_a_delegation_with_a_non_boolean_switch_is_refused():
    delegation = dict(SHIPPED["routing"]["delegations"][0], enabled="yes")
    with pytest.raises(PolicyError):
        RoutingPolicy.from_mapping(edited(delegations=[delegation]))


def test_an_empty_list_of_outlet_grades_is_refused():
    outlet = dict(SHIPPED["routing"]["outlet"], grades=[])
    with pytest.raises(PolicyError):
        RoutingPolicy.from_mapping(edited(outlet=outlet))
