"""A role covers its unit and the subtree below it, decided by materialised path."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import Forbidden
from shared.permissions import covers, grant_for, has_permission, require, scope_paths
from shared.tokens import Principal

code = st.from_regex(r"[A-Z][A-Z0-9]{0,4}", fullmatch=True)
path = st.lists(code, min_size=1, max_size=6).map("/".join)


@given(path, st.lists(code, max_size=4))
def test_a_grant_covers_its_own_unit_and_everything_below(scope, below):
    assert covers(scope, "/".join([scope, *below]))


@given(path, path)
def test_a_grant_covers_another_unit_only_when_it_is_an_ancestor_by_whole_codes(a, b):
    expected = a == b or b.split("/")[: len(a.split("/"))] == a.split("/")
    assert covers(a, b) is expected


def test_a_code_prefix_is_not_an_ancestor():
    assert covers("HQ/BR01", "HQ/BR01/SB01")
    assert not covers("HQ/BR01", "HQ/BR010")
    assert not covers("HQ/BR01/SB01", "HQ/BR01")  # above the scope
    assert not covers("HQ/BR01/SB01", "HQ/BR01/SB02")  # a sibling


def test_the_whole_organisation_covers_every_unit_including_new_roots():
    assert covers("*", "HQ") and covers("*", "NEWROOT/X")
    assert not covers("HQ", "*")


def _user(*roles):
    return Principal.from_claims({"sub": "u1", "emp": "E1", "token_kind": "user", "roles": [
        {"role": r, "org": p.rsplit("/", 1)[-1], "path": p, "permissions": perms}
        for r, p, perms in roles]})


def test_a_permission_is_granted_by_the_role_that_holds_it_over_the_target():
    principal = _user(("branch_head", "HQ/BR01/SB01", ["leave:approve"]),
                      ("employee", "HQ/BR01/SB01", ["leave:request"]))
    grant = grant_for(principal, "leave:approve", "HQ/BR01/SB01/D1")
    assert grant is not None and grant.role == "branch_head"
    assert grant_for(principal, "leave:approve", "HQ/BR01/SB02") is None
    assert grant_for(principal, "leave:request", "HQ/BR01/SB01") .role == "employee"
    assert not has_permission(principal, "leave:final-approve", "HQ/BR01/SB01")


def test_require_refuses_with_403_beside_a_positive_control():
    principal = _user(("hr", "HQ/BR01", ["staff:write"]))
    require(principal, "staff:write", "HQ/BR01/SB01")
    with pytest.raises(Forbidden):
        require(principal, "staff:write", "HQ/BR02/SB03")


def test_a_client_token_is_judged_by_its_flat_scope():
    client = Principal.from_claims({"sub": "svc-leave", "client_id": "svc-leave", "roles": [],
                                    "scope": "staff:read auth:check", "token_kind": "client"})
    assert client.kind == "client"
    assert has_permission(client, "staff:read", "HQ/BR01")
    assert not has_permission(client, "staff:write", "HQ/BR01")
    assert scope_paths(client, "staff:read") == ["*"]


def test_scope_paths_lists_each_subtree_once():
    principal = _user(("hr", "HQ/BR01", ["staff:read"]), ("auditor", "HQ/BR02", ["staff:read"]),
                      ("dept_manager", "HQ/BR01", ["staff:read"]))
    assert scope_paths(principal, "staff:read") == ["HQ/BR01", "HQ/BR02"]
