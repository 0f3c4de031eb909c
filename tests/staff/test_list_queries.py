"""A constant number of SQL statements per request, whatever the tree's size (issue #5).

The same requests on a small and on a ten-times larger organisation (built by the bench's
generator, `bench.staff_data`, and bulk-loaded into a fresh store) must run the same number
of statements: no N+1 over the page's units, positions, managers or duties, and none over
the chain's depth. Statements are counted with SQLAlchemy's `before_cursor_execute` event.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bench import staff_data
from services.staff.app import MIGRATIONS, create_app
from services.staff.models import db
from services.staff.service import loading
from shared.settings import TestSettings
from shared.testing import statements_sent
from tests.conftest import ISSUER, bearer

SIZES = {"small": (40, 400), "larger": (400, 8_000)}


@contextmanager
def counting(app: Any) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as statements:
        yield statements


@pytest.fixture(scope="module")
def trees(databases, verifier, tmp_path_factory):
    """One app per size, each on its own store holding a generated organisation."""
    made = {}
    for size, (units, employees) in SIZES.items():
        url = databases.fresh("staff", MIGRATIONS)
        settings = TestSettings("staff", {"HR_DATA_DIR": str(tmp_path_factory.mktemp(size))},
                                database_url=url, issuer=ISSUER)
        app = create_app(settings, verifier=verifier, sender=lambda *_a: 202)
        with app.app_context():
            loading.load_catalogue(session=db.session)
            db.session.commit()
        org = staff_data.build(units, employees,
                               positions=staff_data.read_positions(url))
        staff_data.load(url, org)
        made[size] = (app, org, url)
    yield made
    for app, _org, url in made.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(url)


def _requests(org: staff_data.Org, tokens: Any) -> dict[str, tuple[str, dict[str, str]]]:
    """The same kinds of request on either tree: a branch subtree, the whole tree, a unit,
    a chain from the deepest unit, with a whole-organisation and a branch-scoped token."""
    branch = next(u for u in org.units if u.type == staff_data.BRANCH)
    deepest = max(org.units, key=lambda u: (u.path.count("/"), bool(org.employees_in(u))))
    in_branch = next(u for u in org.units if u.path.startswith(branch.path + "/")
                     and u.type == staff_data.OUTLET and org.employees_in(u))
    whole = bearer(tokens.user(sub="hr", roles=[("hr", "*", "*")]))
    scoped = bearer(tokens.user(sub="bh", roles=[("branch_head", branch.code, branch.path)]))
    return {
        "subtree": (f"/staff/employees?org={branch.code}&subtree=true", whole),
        "subtree, branch token": (f"/staff/employees?org={branch.code}&subtree=true", scoped),
        "whole tree": ("/staff/employees?org=HQ&subtree=true&per_page=200", whole),
        "whole tree, branch token": ("/staff/employees?org=HQ&subtree=true", scoped),
        "filtered": (f"/staff/employees?org={branch.code}&subtree=true&grade=staff"
                     "&status=active&page=2", whole),
        "one unit": (f"/staff/employees?org={in_branch.code}", whole),
        "chain": (f"/staff/employees/{org.employees_in(deepest)[-1]}/chain", whole),
        "chain, branch token": (f"/staff/employees/{org.employees_in(in_branch)[-1]}/chain",
                                scoped),
    }


def _statements(app: Any, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    client = app.test_client()
    client.get(path, headers=headers)  # warm: first-use look-ups are not per request
    with counting(app) as statements:
        resp = client.get(path, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return len(statements), resp.get_json()


def test_query_counts_do_not_grow_with_the_tree(trees, tokens):
    counts: dict[str, dict[str, int]] = {}
    for size, (app, org, _url) in trees.items():
        counts[size] = {}
        for name, (path, headers) in _requests(org, tokens).items():
            n, body = _statements(app, path, headers)
            counts[size][name] = n
            if "items" in body:
                assert body["items"], (size, name)  # something was listed
    assert counts["small"] == counts["larger"]
    listing = {k: v for k, v in counts["larger"].items() if not k.startswith("chain")}
    chains = {k: v for k, v in counts["larger"].items() if k.startswith("chain")}
    assert max(listing.values()) <= 3, counts  # the unit, the total, the page
    assert max(chains.values()) <= 2, counts  # the employee, the units above


def test_the_page_is_the_same_whatever_the_plan(trees, tokens):
    """A large subtree's page walks the number index, a small one the path index: the
    answer is the same rows as a plain sort of the whole subtree would give."""
    app, org, _url = trees["larger"]
    whole = bearer(tokens.user(sub="hr", roles=[("hr", "*", "*")]))
    client = app.test_client()
    for unit in (org.units[0], next(u for u in org.units if u.type == staff_data.BRANCH),
                 next(u for u in org.units if u.type == staff_data.SUB_BRANCH)):
        by_id = {u.id: u for u in org.units}
        expected = sorted(e[1] for e in org.employees
                          if by_id[e[4]].path == unit.path
                          or by_id[e[4]].path.startswith(unit.path + "/"))
        body = client.get(f"/staff/employees?org={unit.code}&subtree=true&per_page=200",
                          headers=whole).get_json()
        assert body["total"] == len(expected)
        assert [e["employee_no"] for e in body["items"]] == expected[:200]


def test_every_way_of_finding_a_page_gives_the_rows_of_a_plain_sort(trees, tokens):
    """Pages walked in number order (large subtrees, early pages) and pages gathered and
    sorted (small subtrees, deep pages) are exactly the slices of a sorted list, with the
    exact total, with and without a status filter."""
    app, org, _url = trees["larger"]
    whole = bearer(tokens.user(sub="hr", roles=[("hr", "*", "*")]))
    client = app.test_client()
    by_id = {u.id: u for u in org.units}
    units = [org.units[0], next(u for u in org.units if u.type == staff_data.BRANCH),
             next(u for u in org.units if u.type == staff_data.OUTLET and org.employees_in(u))]
    for unit in units:
        for status in (None, "active", "left"):
            expected = sorted(e[1] for e in org.employees
                              if (by_id[e[4]].path == unit.path
                                  or by_id[e[4]].path.startswith(unit.path + "/"))
                              and status in (None, e[10]))
            for page, per_page in ((1, 50), (2, 7), (40, 50), (1, 200), (2**31 - 1, 200)):
                query = (f"/staff/employees?org={unit.code}&subtree=true&page={page}"
                         f"&per_page={per_page}" + (f"&status={status}" if status else ""))
                body = client.get(query, headers=whole).get_json()
                assert body["total"] == len(expected), query
                start = (page - 1) * per_page
                assert [e["employee_no"] for e in body["items"]] == \
                    expected[start:start + per_page], query


def test_the_bulk_loaded_head_counts_match_the_employees(trees):
    """The bench loader writes employees straight into the tables (COPY / executemany): the
    triggers count them all the same."""
    from sqlalchemy import text

    for app, _org, _url in trees.values():
        with app.app_context():
            stored = set(db.session.execute(text(
                "SELECT unit_id, status, employees FROM unit_headcounts "
                "WHERE employees <> 0")).all())
            counted = set(db.session.execute(text(
                "SELECT unit_id, status, count(*) FROM employees "
                "GROUP BY unit_id, status")).all())
            db.session.remove()
        assert stored == counted


def _reference_chain(no: str) -> dict[str, Any]:
    """The chain as the ORM objects and `ChainRead` gave it before the plain-column path."""
    from sqlalchemy import select

    from services.staff.domain import org as rules
    from services.staff.models import OrgUnit
    from services.staff.schemas.employees import ChainRead
    from services.staff.service.common import get_employee

    employee = get_employee(db.session, no)
    codes = rules.ancestor_codes(employee.unit.path)
    found = {u.code: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    up = [found[c] for c in reversed(codes) if c in found]

    def brief(unit: Any) -> Any:
        return None if unit is None else {k: getattr(unit, k)
                                          for k in ("code", "type", "path", "name_zh", "name_en")}

    outlet = next((u for u in up if u.type in rules.OUTLET_TYPES), None)
    branch = next((u for u in up if u.type == rules.BRANCH), None)
    head_office = next((u for u in up if u.type == rules.HEAD_OFFICE), None)
    return ChainRead().dump({
        "employee_no": employee.employee_no, "name": employee.name,
        "status": employee.status, "grade": employee.grade,
        "position": employee.position.code, "must_cover": employee.position.must_cover,
        "manager": employee.manager_no, "unit": brief(up[0]), "outlet": brief(outlet),
        "governing_branch": brief(branch or head_office), "head_office": brief(head_office),
        "units": [brief(u) for u in up]})


def test_pages_and_chains_are_what_the_schemas_dump(trees, tokens):
    """The listing and the chain answer plain values built without marshmallow: they are
    exactly (same JSON, same key order) what `EmployeeRead`/`ChainRead` dump from the ORM
    objects, for every filter and token."""
    from services.staff.schemas.employees import EmployeeRead
    from services.staff.service.common import get_employee
    from shared.web import page_of

    app, org, _url = trees["small"]
    client = app.test_client()
    page_schema = page_of(EmployeeRead)()
    for name, (path, headers) in _requests(org, tokens).items():
        resp = client.get(path, headers=headers)
        assert resp.status_code == 200, (name, resp.get_json())
        body = resp.get_json()
        with app.app_context():
            if "items" in body:
                employees = [get_employee(db.session, item["employee_no"])
                             for item in body["items"]]
                expected = page_schema.dump({**body, "items": employees})
            else:
                expected = _reference_chain(body["employee_no"])
            assert app.json.response(expected).get_data() == resp.get_data(), name


def test_reading_keeps_a_begun_transaction(trees):
    """`reading` (autocommit for a request that only reads) never takes a session that has
    begun out of its transaction: a write before it stays atomic."""
    from sqlalchemy import text

    from services.staff.service.common import reading

    app, _org, _url = trees["small"]
    with app.app_context():
        with reading(db.session) as conn:
            assert conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
            assert not db.session().in_transaction()
        db.session.remove()
        db.session.execute(text("SELECT 1"))
        with reading(db.session) as conn:
            assert conn is db.session.connection()
            assert conn.get_execution_options().get("isolation_level") is None
        db.session.remove()
