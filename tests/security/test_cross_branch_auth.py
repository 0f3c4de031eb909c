# ruff: noqa: F811 - pytest fixtures imported from the auth suite are parameters here
"""Cross-branch access on every object route of auth.

auth's objects (users, their bindings, clients, roles, separation-of-duties pairs) belong to
no branch: every route on them needs `auth:admin` over the whole organisation ("*"), so the
branch-scoped case is: an admin or hr bound to BR01 only is refused (403) even on a user who
works in BR01, and the whole-organisation admin is served — the same call on the same
object. Role-holder look-ups by employee are for service clients holding `auth:check`.
A route without a case or a stated reason fails the suite.
"""

from __future__ import annotations

import pytest

from tests.auth.conftest import (  # noqa: F401 - fixtures shared with the auth suite
    _rsa_pool,
    app,
    auth,
    client,
    clock,
    settings,
    staff,
)
from tests.conftest import bearer
from tests.security.cross_branch import uncovered

U = "/auth/users/<int:user_id>"

#: (method, rule) → (url template over the world, body, expected success status).
CASES = {
    ("GET", U): ("/auth/users/{uid}", None, 200),
    ("PATCH", U): ("/auth/users/{uid}", {"status": "active"}, 200),
    ("POST", U + "/roles"): ("/auth/users/{uid}/roles", {"role": "employee", "org": "SB01"},
                             201),
    ("DELETE", U + "/roles/<int:binding_id>"): ("/auth/users/{uid}/roles/{bid}", None, 204),
    ("POST", U + "/unlock"): ("/auth/users/{uid}/unlock", None, 200),
    ("POST", U + "/logout-all"): ("/auth/users/{uid}/logout-all", None, 200),
    ("GET", "/auth/employees/<employee_no>/roles"): ("/auth/employees/E7/roles", None, 200),
    ("GET", "/auth/clients/<client_id>"): ("/auth/clients/svc-leave", None, 200),
}

#: Object routes without a branch scope, and why.
UNSCOPED = {
    ("PATCH", "/auth/clients/<client_id>"): "clients are organisation-wide; editing one is "
        "tested in tests/auth/test_clients.py (a write here would disable a service client)",
    ("GET", "/auth/roles/<name>"): "role definitions are organisation-wide reference data "
                                   "(docs/api.md: outside systems read them)",
    ("PUT", "/auth/roles/<name>"): "role definitions are organisation-wide (auth:admin '*')",
    ("PATCH", "/auth/roles/<name>"): "role definitions are organisation-wide (auth:admin '*')",
    ("DELETE", "/auth/roles/<name>"): "role definitions are organisation-wide (auth:admin '*')",
    ("DELETE", "/auth/sod-pairs/<int:pair_id>"): "separation-of-duties pairs are "
                                                 "organisation-wide (auth:admin '*')",
}


def test_every_object_route_of_auth_has_a_cross_branch_case_or_a_reason(app):
    assert not uncovered(app, CASES, UNSCOPED)


@pytest.fixture
def branch_holders(auth) -> list[dict[str, str]]:
    """Headers of an hr of BR01 and of an admin bound to BR01 alone (an admin's scope is its
    subtree like any role's)."""
    holders = []
    for name, role in (("hrbr01", "hr"), ("adminbr01", "admin")):
        auth.user(name, (role, "BR01"))
        holders.append(bearer(auth.token(name)))
    return holders


def test_a_branch_scoped_holder_is_refused_on_every_object_and_the_admin_is_served(
        auth, client, branch_holders):
    uid = auth.user("alice", ("branch_head", "SB01"), employee_no="E7")
    failures = []
    for (method, _rule), (template, body, ok) in CASES.items():
        bid = auth.bind(uid, ("dept_manager", "SB01"))["id"] if "{bid}" in template else None
        url = template.format(uid=uid, bid=bid)
        kw = {} if body is None else {"json": body}
        for headers in branch_holders:
            denied = client.open(url, method=method, headers=headers, **kw)
            if denied.status_code != 403:
                failures.append(f"{method} {url}: {denied.status_code} to a branch holder")
        served = client.open(url, method=method, headers=auth.admin, **kw)
        if served.status_code != ok:
            failures.append(f"{method} {url}: the admin control got {served.status_code}: "
                            f"{served.get_data()[:200]!r}")
    assert not failures

