"""Pure rules: periods, scope nesting, check decisions and the password policy."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.auth.domain.decisions import BindingView, decide
from services.auth.domain.passwords import policy_errors
from services.auth.domain.scope import Period, end_instant, scopes_nest, today_in

D = dt.date(2026, 5, 10)
segment = st.sampled_from(["HQ", "BR01", "BR010", "SB01", "SB02"])
paths = st.lists(segment, min_size=1, max_size=4).map("/".join)


def test_periods_are_inclusive_and_open_ends_are_unbounded():
    p = Period(D, D + dt.timedelta(days=2))
    assert p.contains(D) and p.contains(D + dt.timedelta(days=2))
    assert not p.contains(D - dt.timedelta(days=1)) and not p.contains(D + dt.timedelta(days=3))
    assert Period().contains(D) and Period(None, D).overlaps(Period(D, None))
    assert not Period(None, D).overlaps(Period(D + dt.timedelta(days=1), None))


def test_a_binding_ends_at_midnight_after_its_last_day_in_the_organisations_zone():
    end = end_instant(D, "Asia/Shanghai")
    assert end == dt.datetime(2026, 5, 10, 16, 0, tzinfo=dt.UTC)
    assert today_in(end - dt.timedelta(seconds=1), "Asia/Shanghai") == D


@given(paths, paths)
def test_scope_nesting_is_symmetric_and_never_confuses_sibling_prefixes(a, b):
    assert scopes_nest(a, b) == scopes_nest(b, a)
    assert not scopes_nest("HQ/BR01", "HQ/BR010")
    assert scopes_nest("*", b)


def _b(role, path, start=None, end=None):
    return BindingView(id=1, role=role, org=path.rsplit("/", 1)[-1], path=path,
                       period=Period(start, end))


PERMS = {"branch_head": {"leave:approve"}, "employee": {"leave:request"}}


def test_the_decision_codes_follow_their_order():
    def code(bindings, perm="leave:approve", target="HQ/BR01/SB01", active=True):
        return decide(active=active, bindings=bindings, role_permissions=PERMS,
                      permission=perm, org=target, target_path=target, today=D).code

    head = _b("branch_head", "HQ/BR01/SB01")
    assert code([head]) == "allowed"
    assert code([head], active=False) == "user_disabled"
    assert code([_b("branch_head", "HQ/BR01/SB01", end=D - dt.timedelta(days=1))]) == \
        "binding_expired"
    assert code([_b("branch_head", "HQ/BR01/SB02")]) == "out_of_scope"
    assert code([_b("employee", "HQ/BR01/SB01")]) == "not_in_role"
    assert code([]) == "no_binding"
    assert code([_b("branch_head", "HQ/BR01/SB01", start=D + dt.timedelta(days=1))]) == \
        "binding_expired"


def test_the_password_policy_names_every_rule_broken():
    assert policy_errors("Good-Passphrase-42", "alice") == []
    assert len(policy_errors("alice", "alice")) == 2
    assert policy_errors("QWERTYUIOP", "bob") == ["This password is too common."]
    assert policy_errors("x" * 300, "bob") == ["Use at most 256 characters."]
