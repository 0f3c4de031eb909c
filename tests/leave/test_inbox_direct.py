"""The inbox's direct lane (`api.direct`, in front of Flask) answers exactly what Flask
answers — status, headers, body, the access line and the request metrics — for many callers
and pages; whatever it does not plainly understand (a first-seen or expired token, an odd
query string, another method) goes to Flask, which answers as documented."""

from __future__ import annotations

import time

import pytest

from services.leave.api.direct import INBOX
from shared.testing import both_paths, seen_answer
from tests.conftest import bearer
from tests.leave.fakes import path
from tests.leave.test_inbox_fast_path import CALLERS, QUERIES, history  # noqa: F401

RID = "inbox-direct-test-0001"


@pytest.fixture
def lanes(app):
    return app.extensions["leave_direct"]


def _both(client, caplog, lanes, headers, query="", method="GET"):
    def send():
        return seen_answer(client, caplog, service="leave", route=INBOX, method=method,
                           url=INBOX + query, headers={**headers, "X-Request-ID": RID})
    return both_paths(lanes, send)


def _warm(client, headers):
    """A token's first request goes through Flask, which verifies it."""
    assert client.get(INBOX, headers=headers).status_code == 200


@pytest.mark.usefixtures("history")
def test_every_callers_pages_answer_the_same_on_both_paths(client, who, caplog, lanes):
    taken = non_empty = 0
    for emp, roles in CALLERS:
        headers = who(emp, roles=roles, sub=f"user-{emp}-{len(roles or ())}")
        _warm(client, headers)
        for query in QUERIES:
            fast, slow, took = _both(client, caplog, lanes, headers, query)
            assert fast == slow, (emp, roles, query)
            assert fast[0] == 200 and fast[4] == 1 and len(fast[3]) == 1
            taken += took
            non_empty += b'"items":[]' not in fast[2]
    assert taken == len(CALLERS) * len(QUERIES)  # every one of them answered in front
    assert non_empty > len(CALLERS) * 2


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize("query", [
    "?per_page=201", "?page=0", "?page=01", "?page=1&page=2", "?sort=id", "?page=%2B1",
    "?per_page=%FF", "?page=", "?page=2147483648", "?page=1;per_page=2", "?page=+1",
])
def test_a_query_it_does_not_plainly_read_goes_to_flask(client, who, caplog, lanes, query):
    headers = who("H1")
    _warm(client, headers)
    fast, slow, took = _both(client, caplog, lanes, headers, query)
    assert (fast, took) == (slow, 0), query
    assert fast[0] in (200, 422)
    fast, slow, took = _both(client, caplog, lanes, headers, "?page=1&per_page=2")
    assert (fast, took) == (slow, 1)  # the control: a plain query is answered in front


@pytest.mark.usefixtures("history")
def test_a_first_seen_token_goes_to_flask_then_is_answered_in_front(client, who, caplog,
                                                                    lanes):
    headers = who("H2", sub="first-seen-H2")
    fast, slow, took = _both(client, caplog, lanes, headers)
    assert (fast, took) == (slow, 0) and fast[0] == 200
    fast, slow, took = _both(client, caplog, lanes, headers)
    assert (fast, took) == (slow, 1)


@pytest.mark.usefixtures("history")
def test_a_token_past_its_expiry_is_refused_by_flask_even_once_remembered(client, tokens,
                                                                         caplog, lanes):
    # Expired 4 s ago: within the 10 s leeway for about 6 s more (room for a slow machine
    # to run the control), then refused.
    token = tokens.user(sub="expiring-H1", emp="H1", ttl=-4,
                        roles=[("branch_head", "SB01", path("SB01"))])
    trusted_until = time.time() + 6
    headers = bearer(token)
    _warm(client, headers)
    fast, slow, took = _both(client, caplog, lanes, headers)
    assert (fast[0], took) == (200, 1)  # the control, while still trusted
    time.sleep(max(0.0, trusted_until - time.time()) + 1.2)
    fast, slow, took = _both(client, caplog, lanes, headers)
    assert (fast, took) == (slow, 0) and fast[0] == 401


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "},
    {"Authorization": "Bearer not.a.token"},
])
def test_no_or_a_bad_token_is_refused_by_flask(client, caplog, lanes, headers):
    fast, slow, took = _both(client, caplog, lanes, headers)
    assert (fast, took) == (slow, 0) and fast[0] == 401


@pytest.mark.usefixtures("history")
def test_another_method_goes_to_flask(client, who, caplog, lanes):
    headers = who("H1")
    _warm(client, headers)
    fast, slow, took = _both(client, caplog, lanes, headers, method="POST")
    assert (fast, took) == (slow, 0) and fast[0] == 405


@pytest.mark.usefixtures("history")
def test_a_decision_shows_in_the_very_next_inbox_answered_in_front(client, who, caplog,
                                                                   lanes):
    from tests.leave.conftest import decide

    headers = who("H1")
    _warm(client, headers)
    fast, slow, took = _both(client, caplog, lanes, headers, "?per_page=200")
    assert (fast, took) == (slow, 1)
    import json

    before = json.loads(fast[2])
    first = before["items"][0]["id"]
    assert decide(client, headers, first).status_code == 200
    fast, slow, took = _both(client, caplog, lanes, headers, "?per_page=200")
    assert (fast, took) == (slow, 1)
    after = json.loads(fast[2])
    assert after["total"] == before["total"] - 1
    assert first not in [item["id"] for item in after["items"]]
