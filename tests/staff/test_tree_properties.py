"""Tree invariants under random moves (property-based): after every accepted or refused
move, each path is the parent's path + "/" + code, and the one-query subtree agrees with a
naive walk over parent links. Uses the Flask-free use cases directly on a fresh store."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.staff.app import MIGRATIONS
from services.staff.domain import org as rules
from services.staff.models import OrgUnit
from services.staff.service import org_units
from shared.audit import Actor
from shared.db import session_for
from shared.errors import Conflict, ValidationFailed

ACTOR = Actor.system("test")
CHILD_TYPES = {p: [c for c, parents in rules.ALLOWED_PARENTS.items() if p in parents]
               for p in rules.UNIT_TYPES}


@st.composite
def trees(draw: st.DrawFn) -> list[tuple[str, str, str | None]]:
    """A valid random tree: (code, type, parent code), parents first."""
    units: list[tuple[str, str, str | None]] = [("U0", rules.HEAD_OFFICE, None)]
    for i in range(1, draw(st.integers(min_value=2, max_value=14))):
        hosts = [u for u in units if CHILD_TYPES[u[1]]]
        code, utype, _ = draw(st.sampled_from(hosts))
        units.append((f"U{i}", draw(st.sampled_from(CHILD_TYPES[utype])), code))
    return units


def naive_subtree(parents: dict[str, str | None], root: str) -> set[str]:
    found = {root}
    changed = True
    while changed:
        changed = False
        for code, parent in parents.items():
            if parent in found and code not in found:
                found.add(code)
                changed = True
    return found


def check_invariants(session, parents: dict[str, str | None]) -> None:
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    assert set(units) == set(parents)
    for code, unit in units.items():
        parent = parents[code]
        assert unit.parent_code == parent
        expected = code if parent is None else f"{units[parent].path}/{code}"
        assert unit.path == expected
    for code, unit in units.items():
        got = {u.code for u in org_units.subtree(session, unit.path)}
        assert got == naive_subtree(parents, code)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tree=trees(), data=st.data())
def test_paths_and_subtrees_stay_consistent_under_random_moves(databases, tree, data):
    url = databases.fresh("staff", MIGRATIONS)
    try:
        with session_for(url) as session:
            types = {code: utype for code, utype, _ in tree}
            parents: dict[str, str | None] = {}
            for code, utype, parent in tree:
                org_units.create_org_unit(session=session, actor=ACTOR, unit_in={
                    "code": code, "name_zh": code, "type": utype, "parent": parent})
                parents[code] = parent
            check_invariants(session, parents)
            for _ in range(data.draw(st.integers(1, 8), label="moves")):
                code = data.draw(st.sampled_from(sorted(parents)), label="unit")
                legal = sorted(t for t in parents if t not in naive_subtree(parents, code)
                               and t != parents[code]
                               and rules.may_sit_under(types[code], types[t]))
                aim_legal = legal and data.draw(st.booleans(), label="aim at a legal parent")
                target = data.draw(st.sampled_from(legal if aim_legal else sorted(parents)),
                                   label="new parent")
                inside = target in naive_subtree(parents, code)
                valid = not inside and rules.may_sit_under(types[code], types[target])
                try:
                    _unit, moved = org_units.move_org_unit(
                        session=session, code=code, parent_code=target, actor=ACTOR)
                except (ValidationFailed, Conflict):
                    session.rollback()
                    event("move refused")
                    assert not valid or parents[code] == target
                else:
                    assert valid or parents[code] == target
                    assert moved == (parents[code] != target)
                    event("move accepted" if moved else "move to the same parent")
                    parents[code] = target
                check_invariants(session, parents)
    finally:
        databases.drop(url)
