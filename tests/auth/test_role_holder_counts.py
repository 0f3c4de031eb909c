"""`POST /auth/role-holders`: several `(role, org)` questions in one call — each pair's
total as the GET answers it, the same readers and 422 wording, a fixed number of queries."""
# ruff: noqa: F811 - the fixtures are test_role_holders' own, imported by name

from __future__ import annotations

from tests.auth.test_check_queries import _statements
from tests.auth.test_role_holders import LATE_UTC, branch, holders, leave, tall  # noqa: F401
from tests.conftest import bearer

PAIRS = [("branch_head", "SB01"), ("hr", "SB01"), ("hr", "SB02"), ("branch_head", "SB02"),
         ("branch_head", "*"), ("branch_head", "BR01")]


def counts(client, headers, pairs):
    return client.post("/auth/role-holders", headers=headers,
                       json={"pairs": [{"role": r, "org": o} for r, o in pairs]})


def test_each_pairs_total_is_the_one_the_get_answers_in_the_order_asked(client, clock, leave,
                                                                       branch):
    clock.frozen = LATE_UTC
    resp = counts(client, leave, PAIRS)
    assert resp.status_code == 200, resp.get_json()
    expected = [holders(client, leave, role=r, org=o).get_json()["total"] for r, o in PAIRS]
    assert resp.get_json() == {"items": [{"role": r, "org": o, "total": t}
                                         for (r, o), t in zip(PAIRS, expected, strict=True)]}
    assert expected[:3] == [5, 1, 0]  # the fixture's holders, one, and none


def test_an_unknown_role_or_unit_is_422_naming_the_pair(client, leave):
    assert counts(client, leave, [("hr", "SB01")]).status_code == 200  # positive control
    resp = counts(client, leave, [("hr", "SB01"), ("pope", "SB01"), ("hr", "NOWHERE")])
    assert resp.status_code == 422
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert resp.get_json()["errors"] == {"pairs.1.role": ["Unknown role: pope."],
                                         "pairs.2.org": ["Unknown org unit: NOWHERE."]}
    assert counts(client, leave, []).status_code == 422
    assert counts(client, leave, [("hr", "SB01")] * 21).status_code == 422


def test_only_the_gets_readers_may_ask(auth, client, leave):
    auth.user("hq_hr", ("hr", "HQ"))
    resp = counts(client, bearer(auth.token("hq_hr")), [("hr", "SB01")])
    assert resp.status_code == 403
    assert counts(client, auth.admin, [("hr", "SB01")]).status_code == 200
    assert counts(client, leave, [("hr", "SB01")]).status_code == 200


def test_many_pairs_cost_the_queries_of_one(app, client, leave, tall):
    def ask(pairs):
        return lambda: counts(client, leave, pairs)

    ask([("dept_manager", "SB01")])()  # warm the per-process key cache
    one = _statements(app, ask([("dept_manager", "SB01")]))
    many = _statements(app, ask([("dept_manager", "L7"), ("dept_manager", "U59"),
                                 ("hr", "SB01"), ("dept_manager", "*")]))
    assert len(one) == len(many) <= 5, many
    assert [i["total"] for i in counts(client, leave, [
        ("dept_manager", "L7"), ("dept_manager", "SB01")]).get_json()["items"]] == [7, 1]
