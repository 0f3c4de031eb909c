"""`GET /performance/incidents?awaiting=me`: only what the caller may decide now — the
decision endpoints' own predicate, so the list and the decision never disagree."""

from __future__ import annotations

from typing import Any

import pytest

from services.performance.service import decisions
from tests.performance.helpers import PEOPLE


def awaiting(perf, who: str, **params: Any) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in {"awaiting": "me", **params}.items())
    resp = perf.get(who, f"/performance/incidents?{query}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def ids(perf, who: str, **params: Any) -> set[int]:
    return {i["id"] for i in awaiting(perf, who, per_page=100, **params)["items"]}


def appealed(perf) -> dict[str, Any]:
    return perf.appealed()


def test_the_recorder_does_not_see_their_own_recorded_incident_but_a_second_confirmer_does(perf):
    incident = perf.recorded("head")
    assert incident["id"] not in ids(perf, "head")
    assert incident["id"] in ids(perf, "deputy")


def test_the_subject_never_sees_their_own_incident_even_holding_the_confirm_role(perf, tokens):
    incident = perf.recorded("manager")
    token = tokens.user(sub="u-e100", emp="E100", roles=[("branch_head", "SB01", "HQ/BR01/SB01")])
    resp = perf.client.get("/performance/incidents?awaiting=me",
                           headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200 and resp.get_json()["total"] == 0
    assert perf.get("subject", "/performance/incidents").get_json()["total"] == 1  # theirs
    assert incident["id"] in ids(perf, "head")  # control


def test_a_related_party_does_not_see_the_incident_but_an_unrelated_head_does(perf):
    incident = perf.recorded("manager")
    assert incident["id"] not in ids(perf, "relative")
    assert incident["id"] in ids(perf, "deputy")


def test_a_head_out_of_scope_does_not_see_it(perf):
    incident = perf.recorded("manager")
    assert ids(perf, "other_head") == set()
    assert incident["id"] in ids(perf, "head")


def test_an_over_cap_incident_awaits_the_governing_hr_not_the_branch_head(perf):
    incident = perf.recorded("manager", rule="CM-ETH-01", deduction_amount="300",
                             override_reason="repeated breach")
    assert incident["id"] not in ids(perf, "head")
    assert incident["id"] in ids(perf, "hr")


def test_a_normal_incident_does_not_await_hr_who_holds_no_confirm_permission(perf):
    incident = perf.recorded("manager")
    assert incident["id"] not in ids(perf, "hr")
    assert incident["id"] in ids(perf, "head")


def test_an_appealed_incident_awaits_the_next_level_only(perf):
    incident = appealed(perf)
    assert incident["id"] not in ids(perf, "head")  # the first confirmer
    assert incident["id"] not in ids(perf, "deputy")  # not a level up
    assert incident["id"] not in ids(perf, "subject")
    assert incident["id"] in ids(perf, "hr")
    assert incident["id"] in ids(perf, "hr2")


def test_a_decided_incident_no_longer_awaits_anyone(perf):
    incident = perf.confirmed("manager", by="head")
    assert incident["id"] not in ids(perf, "deputy")
    waiting = perf.recorded("manager")
    assert waiting["id"] in ids(perf, "deputy")  # control


def test_pages_are_cut_after_filtering_and_total_counts_what_awaits(perf):
    mine = [perf.recorded("manager")["id"] for _ in range(5)]
    theirs = [perf.recorded("head")["id"] for _ in range(3)]  # interleaved, not for head
    mine += [perf.recorded("manager")["id"]]
    seen: list[int] = []
    for page in (1, 2, 3, 4):
        body = awaiting(perf, "head", page=page, per_page=2)
        assert body["total"] == 6
        seen += [i["id"] for i in body["items"]]
    assert seen == sorted(mine, reverse=True)  # newest first, each once, none of theirs
    assert not set(theirs) & set(seen)
    assert set(theirs) <= ids(perf, "deputy")


def test_awaiting_combines_with_the_other_filters(perf):
    recorded = perf.recorded("manager")
    decided = appealed(perf)
    assert ids(perf, "hr", status="appealed") == {decided["id"]}
    assert ids(perf, "hr", status="confirmed") == set()
    assert ids(perf, "head", status="recorded") == {recorded["id"]}
    assert ids(perf, "head", org="SB01") == {recorded["id"]}


@pytest.mark.parametrize("value", ["you", "", "ME"])
def test_a_bad_awaiting_value_is_a_422(perf, value):
    resp = perf.get("head", f"/performance/incidents?awaiting={value}")
    assert resp.status_code == 422
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert perf.get("head", "/performance/incidents?awaiting=me").status_code == 200


def test_the_filter_agrees_exactly_with_what_the_decision_endpoints_allow(perf, monkeypatch):
    cases = perf.in_every_state()
    # Try every decision without keeping it: the attempt answers, the store stays as it was.
    monkeypatch.setattr(decisions, "_commit", lambda session: session.rollback())
    allowed_somewhere = 0
    for who in PEOPLE:
        listed = ids(perf, who)
        for incident in cases:
            if incident["status"] == "appealed":
                url = f"/performance/incidents/{incident['id']}/appeal/decision"
                resp = perf.post(who, url, {"decision": "uphold"})
            else:
                resp = perf.decide(who, incident["id"], "dismiss")
            allowed = resp.status_code == 200
            allowed_somewhere += allowed
            assert allowed == (incident["id"] in listed), (who, incident, resp.get_json())
    assert allowed_somewhere >= 5  # the comparison is not all refusals
    assert ids(perf, "deputy") >= {cases[1]["id"]}  # nothing was kept
