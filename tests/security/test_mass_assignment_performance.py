"""Performance: an incident cannot be recorded already confirmed, on someone else's name as
recorder, or with chosen points outside its documented override — each refusal beside the
same incident without the field, which is recorded as `recorded` by the caller."""

from __future__ import annotations

from tests.performance.conftest import *  # noqa: F403 - the performance app, client, perf


def test_an_incident_carrying_a_field_it_may_not_set_is_refused_and_without_it_recorded(
        perf):
    for extra in ({"status": "confirmed"}, {"recorded_by": "E101"}, {"id": 1}, {"points": 0},
                  {"confirmed_by": "E101"}, {"unit": "SB02"}, {"org_path": "HQ"}):
        refused = perf.record("manager", **extra)
        assert refused.status_code == 422 and set(extra) <= set(refused.get_json()["errors"])
        assert perf.get("admin", "/performance/incidents").get_json()["total"] == 0
    made = perf.record("manager")
    assert made.status_code == 201 and made.get_json()["status"] == "recorded"
    trail = perf.get("admin", f"/performance/incidents/{made.get_json()['id']}").get_json()
    assert trail["status"] == "recorded"


def test_a_decision_cannot_choose_its_outcome_fields(perf):
    incident = perf.recorded("manager")
    for extra in ({"status": "overturned"}, {"decided_by": "E200"}):
        resp = perf.decide("head", incident["id"], **extra)
        assert resp.status_code == 422 and set(extra) <= set(resp.get_json()["errors"])
        assert perf.get("admin", f"/performance/incidents/{incident['id']}").get_json()[
            "status"] == "recorded"
    ok = perf.decide("head", incident["id"])
    assert ok.status_code == 200 and ok.get_json()["status"] == "confirmed"
