"""The listing's plain-query path (`api.plain_query`) reads exactly what `EmployeeQuery`
loads, and hands everything else to the schema: same status, headers and bytes either way."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from services.staff.api import employees as employees_api
from services.staff.api.plain_query import plain_listing_query
from services.staff.schemas.employees import EmployeeQuery
from tests.conftest import bearer

RID = "plain-query-test-0001"
KEYS = ["page", "per_page", "org", "subtree", "q", "position", "status", "grade", "sutbree"]
TRICKY = ["", "0", "1", "01", "+1", " 1", "1 ", "1_0", "٣", "2147483647", "2147483648", "200",
          "201", "50", "true", "false", "True", "yes", "BR01", "br01", "SB01\n", "HQ", "NOPE",
          "CASH_TELLER", "active", "left", "head", "staff", "x" * 100, "x" * 101, "唐",
          "a\x00b", "a\u202eb", "\n", "E1", "-", "_"]


@given(st.lists(st.tuples(st.sampled_from(KEYS),
                          st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))),
                max_size=5))
@settings(max_examples=400, deadline=None)
def test_a_plain_query_reads_what_the_schema_loads(pairs):
    args = MultiDict(pairs)
    plain = plain_listing_query(args)
    if plain is not None:
        assert plain == EmployeeQuery().load(args.to_dict())


@pytest.mark.parametrize("query", [{}, {"org": "BR01", "subtree": "true"},
                                   {"page": "2", "per_page": "1", "status": "active"},
                                   {"q": "唐", "grade": "staff", "position": "CASH_TELLER"}])
def test_the_common_listings_take_the_plain_path(query):
    assert plain_listing_query(MultiDict(query)) is not None


@pytest.mark.parametrize("query", [{"page": "01"}, {"sutbree": "true"}, {"org": "br01"},
                                   {"per_page": "201"}, [("org", "BR01"), ("org", "BR02")]])
def test_anything_unusual_is_left_to_the_schema(query):
    assert plain_listing_query(MultiDict(query)) is None


QUERIES = ["", "org=BR01&subtree=true", "org=BR01&subtree=1&per_page=1&page=2",
           "org=SB01", "org=HQ&subtree=true&status=active", "q=%E5%94%90", "q=e&grade=staff",
           "position=CASH_TELLER", "org=NOPE", "org=BR02&subtree=true", "page=99",
           # the schema's own answers: each must be what it always was
           "page=0", "page=01", "per_page=201", "subtree=yes", "org=br01", "sutbree=true",
           "org=BR01&org=BR02", "q=", "q=a%00b", "status=gone", "page=%2B1", "page=1_0"]


@pytest.mark.parametrize("token", ["admin", "branch", "own"])
def test_both_paths_answer_the_same_bytes(client, tokens, staffed, token):
    headers = {"X-Request-ID": RID, **{
        "admin": bearer(tokens.user(sub="a", roles=[("admin", "*", "*")])),
        "branch": bearer(tokens.user(sub="b", roles=[("branch_head", "BR01", "HQ/BR01")])),
        "own": bearer(tokens.user(sub="c", emp="E3")),
    }[token]}
    statuses = set()
    for query in QUERIES:
        answers = []
        for fast in (True, False):
            employees_api.FAST_PATH = fast
            try:
                resp = client.get(f"/staff/employees?{query}", headers=headers)
            finally:
                employees_api.FAST_PATH = True
            answers.append((resp.status_code, sorted(resp.headers.items()), resp.get_data()))
        assert answers[0] == answers[1], query
        statuses.add(answers[0][0])
    assert statuses == {200, 422}


def test_the_plain_path_is_taken_for_a_plain_listing(client, admin, staffed, monkeypatch):
    """A positive control for the comparison above: a plain listing never reaches webargs'
    schema load, an unusual one does."""
    loads = []
    load = employees_api.EMPLOYEE_QUERY.load
    monkeypatch.setattr(employees_api.EMPLOYEE_QUERY, "load",
                        lambda *a, **k: loads.append(a) or load(*a, **k))
    assert client.get("/staff/employees?" + urlencode({"org": "BR01", "subtree": "true"}),
                      headers=admin).status_code == 200
    assert loads == []
    assert client.get("/staff/employees?page=01", headers=admin).status_code == 200
    assert len(loads) == 1
