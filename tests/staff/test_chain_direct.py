"""The chain's direct lane (`api.direct`, in front of Flask) answers exactly what Flask
answers — status, headers, body, the access line and the request metrics — for service
clients, the employee, heads and hr in and out of scope; a refusal, an unknown or odd
employee number, a query string or a token not yet verified here goes to Flask."""

from __future__ import annotations

import itertools

import pytest

from shared.testing import both_paths, seen_answer
from tests.conftest import bearer
from tests.staff.test_scheduled_changes import MARCH, MARCH_MORNING, clock, transfer  # noqa: F401

ROUTE = "/staff/employees/<employee_no>/chain"
RID = "chain-direct-test-000001"


@pytest.fixture
def lanes(app):
    return app.extensions["staff_direct"]


@pytest.fixture
def callers(tokens, admin) -> dict[str, dict[str, str]]:
    return {
        "admin": admin,
        "leave": bearer(tokens.client("svc-leave", ["staff:read"])),
        "no staff:read": bearer(tokens.client("svc-other", ["auth:check"])),
        "E1 self": bearer(tokens.user(sub="u-e1", emp="E1", roles=[])),
        "head SB01": bearer(tokens.user(sub="u-h1", emp="H1", roles=[
            ("branch_head", "SB01", "HQ/BR01/SB01")])),
        "hr BR02": bearer(tokens.user(sub="u-hr2", emp="X2", roles=[("hr", "BR02", "HQ/BR02")])),
    }


def _both(client, caplog, lanes, url, headers):
    def send():
        return seen_answer(client, caplog, service="staff", route=ROUTE, method="GET", url=url,
                           headers={**headers, "X-Request-ID": RID})
    return both_paths(lanes, send)


@pytest.mark.usefixtures("staffed")
def test_every_caller_and_employee_answers_the_same_on_both_paths(client, caplog, lanes,
                                                                  callers):
    for headers in callers.values():  # each token's first request: Flask verifies it
        client.get("/staff/employees/E1/chain", headers=headers)
    taken: dict[str, int] = {}
    statuses = set()
    for (who, headers), no in itertools.product(callers.items(),
                                                ("E1", "E2", "E3", "H1", "NOPE")):
        fast, slow, took = _both(client, caplog, lanes, f"/staff/employees/{no}/chain",
                                 headers)
        assert fast == slow, (who, no)
        assert took == 0 or fast[0] == 200
        statuses.add(fast[0])
        taken[who] = taken.get(who, 0) + took
    assert statuses == {200, 403, 404} or statuses == {200, 404}
    assert taken["leave"] == 4 and taken["admin"] == 4 and taken["head SB01"] >= 2
    assert taken["E1 self"] == 1 and taken["no staff:read"] == 0


@pytest.mark.usefixtures("staffed")
@pytest.mark.parametrize("url", [
    "/staff/employees/E1/chain?x=1", "/staff/employees/E1/chain/",
    "/staff/employees//chain", "/staff/employees/%45%31/chain", "/staff/employees/E%FF/chain",
    "/staff/employees/唐/chain", "/staff/employees/E1/chainx",
])
def test_odd_requests_answer_the_same_on_both_paths(client, caplog, lanes, callers, url):
    headers = callers["leave"]
    client.get("/staff/employees/E1/chain", headers=headers)
    fast, slow, _took = _both(client, caplog, lanes, url, headers)
    assert fast == slow, url


@pytest.mark.usefixtures("staffed")
def test_a_first_seen_token_goes_to_flask_then_is_answered_in_front(client, caplog, lanes,
                                                                    tokens):
    headers = bearer(tokens.client("svc-performance", ["staff:read"]))
    fast, slow, took = _both(client, caplog, lanes, "/staff/employees/E2/chain", headers)
    assert (fast, took) == (slow, 0) and fast[0] == 200
    fast, slow, took = _both(client, caplog, lanes, "/staff/employees/E2/chain", headers)
    assert (fast, took) == (slow, 1)


@pytest.mark.usefixtures("staffed")
def test_a_transfer_shows_on_the_very_next_chain_answered_in_front(client, caplog, lanes,
                                                                   callers, admin):
    headers = callers["leave"]
    client.get("/staff/employees/E2/chain", headers=headers)
    fast, _slow, took = _both(client, caplog, lanes, "/staff/employees/E2/chain", headers)
    assert took == 1 and b'"governing_branch":{"code":"BR01"' in fast[2]
    resp = client.post("/staff/employees/E2/transfer", headers=admin,
                       json={"org": "SB03", "position": "LOBBY_MANAGER",
                             "effective_date": "2025-03-01", "handover_supervisor": "H1"})
    assert resp.status_code == 200, resp.get_json()
    fast, slow, took = _both(client, caplog, lanes, "/staff/employees/E2/chain", headers)
    assert (fast, took) == (slow, 1) and b'"governing_branch":{"code":"BR02"' in fast[2]


@pytest.mark.usefixtures("staffed")
def test_the_first_chain_after_midnight_shows_a_transfer_dated_that_day(client, caplog, lanes,
                                                                        callers, admin,
                                                                        clock):  # noqa: F811
    """Flask applies the day's scheduled changes on its first request of the day; a chain
    asked before any other request that day must not predate them."""
    headers = callers["leave"]
    assert transfer(client, admin, "E1", {"org": "SB03", "effective_date": MARCH}) \
        .status_code == 200
    client.get("/staff/employees/E1/chain", headers=headers)
    fast, slow, took = _both(client, caplog, lanes, "/staff/employees/E1/chain", headers)
    assert took == 1 and b'"unit":{"code":"SB01"' in fast[2]  # before the date, in front
    clock(MARCH_MORNING)
    answered = lanes.answered
    first = client.get("/staff/employees/E1/chain", headers=headers)
    assert lanes.answered == answered  # Flask's: it applied the day's changes first
    assert first.get_json()["unit"]["code"] == "SB03"
    fast, slow, took = _both(client, caplog, lanes, "/staff/employees/E1/chain", headers)
    assert (fast, took) == (slow, 1) and b'"unit":{"code":"SB03"' in fast[2]
