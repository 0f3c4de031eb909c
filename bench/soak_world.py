"""The organisation a soak runs against, built through the public APIs as an admin would:
two branches, three sub-branches each with a head and employees, an hr per branch.

Built over HTTP (not loaded into the stores) so that the soak's own writes meet data the
services wrote themselves, exactly as in production."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

PASSWORD = "Soak-Passw0rd-2026!"
POSTS = ("CREDIT_OFFICER", "RETAIL_CUSTOMER_MANAGER", "CORPORATE_CUSTOMER_MANAGER")


@dataclass
class Persona:
    username: str
    employee_no: str
    role: str  # employee | branch_head | hr
    org: str   # the unit the role is bound over
    unit: str  # where the person works
    branch: str


@dataclass
class World:
    prefix: str
    branches: list[str] = field(default_factory=list)
    personas: list[Persona] = field(default_factory=list)
    rule: str = ""

    def of_role(self, role: str) -> list[Persona]:
        return [p for p in self.personas if p.role == role]


def build(stack: Any, *, prefix: str = "SK", employees_per_unit: int = 30,
          sub_branches: int = 3, branches: int = 2) -> World:
    """Create units, hires, users and bindings; returns who is who (raises on any refusal:
    a soak on a half-built world would measure nothing)."""
    admin = stack.admin_token()
    world = World(prefix=prefix)
    hq = f"{prefix}HQ"
    _unit(stack, admin, hq, "head_office", None)
    hired = dt.date(dt.date.today().year - 12, 3, 2).isoformat()  # long enough for leave
    for b in range(1, branches + 1):
        branch = f"{prefix}B{b}"
        world.branches.append(branch)
        _unit(stack, admin, branch, "branch", hq)
        dept = f"{branch}HR"
        _unit(stack, admin, dept, "department", branch)
        hr_no = f"{branch}HR1"
        _hire(stack, admin, hr_no, dept, "HR_ADMIN_SUPERVISOR", hired)
        world.personas.append(_person(stack, admin, hr_no, "hr", branch, dept, branch))
        for s in range(1, sub_branches + 1):
            unit = f"{branch}S{s}"
            _unit(stack, admin, unit, "sub_branch", branch)
            head_no = f"{unit}H"
            _hire(stack, admin, head_no, unit, "SUB_BRANCH_HEAD", hired)
            world.personas.append(_person(stack, admin, head_no, "branch_head", unit, unit,
                                          branch))
            for e in range(1, employees_per_unit + 1):
                no = f"{unit}E{e:02d}"
                _hire(stack, admin, no, unit, POSTS[e % len(POSTS)], hired)
                world.personas.append(_person(stack, admin, no, "employee", unit, unit, branch))
    world.rule = _plain_rule(stack, admin)
    return world


def _unit(stack: Any, admin: str, code: str, kind: str, parent: str | None) -> None:
    resp = stack.request("POST", "staff", "/org-units", token=admin, json={
        "code": code, "name_zh": f"压测{code}", "type": kind, "parent": parent})
    if resp.status_code != 201:
        raise RuntimeError(f"unit {code}: {resp.status_code} {resp.text[:300]}")


def _hire(stack: Any, admin: str, no: str, org: str, position: str, hired: str) -> None:
    stack.hire(admin, no, org, position, hire_date=hired)


def _person(stack: Any, admin: str, no: str, role: str, org: str, unit: str,
            branch: str) -> Persona:
    username = f"soak.{no.lower()}"
    user = stack.request("POST", "auth", "/users", token=admin, json={
        "username": username, "password": PASSWORD, "display_name": username,
        "employee_no": no})
    if user.status_code != 201:
        raise RuntimeError(f"user {username}: {user.status_code} {user.text[:300]}")
    for bound_role, bound_org in {(role, org), ("employee", unit)}:
        bound = stack.request("POST", "auth", f"/users/{user.json()['id']}/roles", token=admin,
                              json={"role": bound_role, "org": bound_org})
        if bound.status_code not in (200, 201):
            raise RuntimeError(f"bind {username}: {bound.status_code} {bound.text[:300]}")
    return Persona(username=username, employee_no=no, role=role, org=org, unit=unit,
                   branch=branch)


def _plain_rule(stack: Any, admin: str) -> str:
    """A rule an incident can cite with nothing but a description: points, no range, no
    consequence (so that confirming it changes nobody's qualification mid-soak)."""
    resp = stack.request("GET", "performance", "/rules?per_page=100", token=admin)
    if resp.status_code != 200:
        raise RuntimeError(f"rules: {resp.status_code} {resp.text[:300]}")
    for rule in resp.json()["items"]:
        if (not rule.get("consequence") and rule.get("deduction_min") is None
                and rule.get("deduction_max") is None and rule.get("points")):
            return rule["code"]
    raise RuntimeError("no plain rule in the rulebook")
