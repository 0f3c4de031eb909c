"""`actions` on `GET /performance/incidents/{id}`: what the caller may send now, by the
endpoints' own rules — so the console shows exactly the buttons that would work."""

from __future__ import annotations

from services.performance.service import decisions
from tests.performance.helpers import PEOPLE

#: Every verb, the endpoint that takes it and a body it accepts.
VERBS = {
    "confirm": ("/decision", {"decision": "confirm"}),
    "dismiss": ("/decision", {"decision": "dismiss"}),
    "appeal": ("/appeal", {"reason": "The customer asked me to keep it."}),
    "uphold": ("/appeal/decision", {"decision": "uphold"}),
    "overturn": ("/appeal/decision", {"decision": "overturn"}),
}


def actions(perf, who: str, incident_id: int) -> list[str]:
    resp = perf.get(who, f"/performance/incidents/{incident_id}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["actions"]


def test_the_actions_agree_exactly_with_what_every_endpoint_allows(perf, monkeypatch):
    cases = perf.in_every_state()
    # Try every verb without keeping it: the attempt answers, the store stays as it was.
    monkeypatch.setattr(decisions, "_commit", lambda session: session.rollback())
    offered = 0
    for who in PEOPLE:
        for incident in cases:
            read = perf.get(who, f"/performance/incidents/{incident['id']}")
            shown = read.get_json()["actions"] if read.status_code == 200 else []
            assert read.status_code in (200, 404)
            allowed = [verb for verb, (path, body) in VERBS.items()
                       if perf.post(who, f"/performance/incidents/{incident['id']}{path}",
                                    body).status_code == 200]
            assert shown == allowed, (who, incident["status"], incident["id"])
            offered += bool(allowed)
    assert offered >= 6  # the comparison is not all refusals


def test_the_recorder_sees_no_decision_but_a_second_confirmer_sees_both(perf):
    incident = perf.recorded("head")
    assert actions(perf, "head", incident["id"]) == []
    assert actions(perf, "deputy", incident["id"]) == ["confirm", "dismiss"]


def test_only_the_subject_is_offered_the_appeal_and_only_the_next_level_decides_it(perf):
    confirmed = perf.confirmed("manager", by="head")
    assert actions(perf, "subject", confirmed["id"]) == ["appeal"]
    assert actions(perf, "head", confirmed["id"]) == []
    incident = perf.appealed()
    assert actions(perf, "subject", incident["id"]) == []
    assert actions(perf, "head", incident["id"]) == []  # confirmed it first
    assert actions(perf, "hr", incident["id"]) == ["uphold", "overturn"]


def test_with_staff_down_the_incident_reads_without_the_verbs_that_need_recusal(perf, staff):
    incident = perf.recorded("manager")
    staff.down = True
    try:
        assert actions(perf, "head", incident["id"]) == []
        assert perf.decide("head", incident["id"], "dismiss").status_code == 503
    finally:
        staff.down = False
    assert actions(perf, "head", incident["id"]) == ["confirm", "dismiss"]  # control
