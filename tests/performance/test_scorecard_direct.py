"""A scorecard's direct lane (`api.direct`, in front of Flask) answers exactly what Flask
answers — status, headers, body, the access line and the request metrics — for every kind
of reader and period; a refusal, a staff failure, an odd query or path, or a token not yet
verified here goes to Flask, which answers as documented."""

from __future__ import annotations

import itertools

import pytest

from services.performance.api.direct import SCORECARDS
from shared.errors import ServiceUnavailable
from shared.testing import both_paths, seen_answer
from tests.performance.test_fast_answers import SCORECARD_QUERIES, _callers, history  # noqa: F401

ROUTE = SCORECARDS + "<employee_no>"
RID = "scorecard-direct-test-01"


@pytest.fixture
def lanes(app):
    return app.extensions["performance_direct"]


def _both(client, caplog, lanes, url, headers):
    def send():
        return seen_answer(client, caplog, service="performance", route=ROUTE, method="GET",
                           url=url, headers={**headers, "X-Request-ID": RID})
    return both_paths(lanes, send)


@pytest.mark.usefixtures("history")
def test_every_reader_and_period_answers_the_same_on_both_paths(perf, tokens, client, caplog,
                                                                lanes):
    callers = _callers(perf, tokens)
    for headers in callers.values():  # each token's first request: Flask verifies it
        client.get(SCORECARDS + "E100?period=2026", headers=headers)
    taken, statuses = {}, set()
    for (who, headers), employee, query in itertools.product(
            callers.items(), ("E100", "E101", "E300", "E400", "E999"), SCORECARD_QUERIES):
        fast, slow, took = _both(client, caplog, lanes, f"{SCORECARDS}{employee}?{query}",
                                 headers)
        assert fast == slow, (who, employee, query)
        statuses.add(fast[0])
        taken[who] = taken.get(who, 0) + took
        assert took == 0 or fast[0] == 200
    assert statuses == {200, 403, 404, 422}
    # in front: the subject's own, a head's and hr's within scope, a client's with the
    # permission; never a refusal
    assert taken["subject"] > 0 and taken["head"] > 0 and taken["client"] > 0
    assert taken["client without"] == 0 and taken["nobody"] > 0  # their own (empty) card


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize("path", ["E100/", "E100/x", "", "%45100", "E%FF100", "唐敏"])
def test_odd_paths_answer_the_same_on_both_paths(perf, client, caplog, lanes, path):
    headers = perf.headers("head")
    client.get(SCORECARDS + "E100?period=2026", headers=headers)
    fast, slow, _took = _both(client, caplog, lanes, f"{SCORECARDS}{path}?period=2026", headers)
    assert fast == slow, path


@pytest.mark.usefixtures("history")
def test_staff_down_leaves_a_heads_read_to_flask_which_answers_503(perf, client, caplog,
                                                                  lanes, app, monkeypatch):
    headers = perf.headers("head")
    url = SCORECARDS + "E100?period=2026"
    client.get(url, headers=headers)
    fast, slow, took = _both(client, caplog, lanes, url, headers)
    assert (fast, took) == (slow, 1) and fast[0] == 200  # the control
    staff = app.extensions["performance_staff"]

    def down(employee_no):
        raise ServiceUnavailable("The staff service cannot be reached.")

    monkeypatch.setattr(staff, "chain", down)
    fast, slow, took = _both(client, caplog, lanes, url, headers)
    assert (fast, took) == (slow, 0) and fast[0] == 503


@pytest.mark.usefixtures("history")
def test_a_first_seen_token_goes_to_flask_then_is_answered_in_front(tokens, client, caplog,
                                                                    lanes):
    from tests.conftest import bearer

    headers = bearer(tokens.user(sub="u-e100-new", emp="E100", roles=[]))
    url = SCORECARDS + "E100?period=2026"
    fast, slow, took = _both(client, caplog, lanes, url, headers)
    assert (fast, took) == (slow, 0) and fast[0] == 200
    fast, slow, took = _both(client, caplog, lanes, url, headers)
    assert (fast, took) == (slow, 1)
