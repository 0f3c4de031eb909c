"""Confirming and dismissing (four-eyes, recusal, caps), appeals, and the signed trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from services.performance.models import AuditEvent, db


def test_another_branch_head_confirms_and_it_is_signed_and_audited(app, perf):
    incident = perf.recorded("manager")
    resp = perf.decide("head", incident["id"], comment="checked the file")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "confirmed" and body["decided_by"] == "u-e101"
    assert body["appeal_deadline"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "incident.confirm"))
        assert event.actor == "u-e101" and event.after["comment"] == "checked the file"


@pytest.mark.parametrize("who", ["head", "subject", "relative"])
def test_the_recorder_the_subject_and_a_related_party_never_confirm(perf, who):
    incident = perf.recorded("head")
    if who == "subject":
        # the subject, given the confirm role over their own unit, is still refused
        perf.tokens  # noqa: B018
        token = perf.tokens.user(sub="u-e100", emp="E100",
                                 roles=[("branch_head", "SB01", "HQ/BR01/SB01")])
        resp = perf.client.post(f"/performance/incidents/{incident['id']}/decision",
                                json={"decision": "confirm"},
                                headers={"Authorization": f"Bearer {token}"})
    else:
        resp = perf.decide(who, incident["id"])
    assert resp.status_code == 403, resp.get_json()
    assert perf.decide("deputy", incident["id"]).status_code == 200  # control


def test_recusal_holds_for_dismissals_too(perf):
    incident = perf.recorded("head")
    assert perf.decide("head", incident["id"], "dismiss").status_code == 403
    resp = perf.decide("deputy", incident["id"], "dismiss")
    assert resp.status_code == 200 and resp.get_json()["status"] == "dismissed"
    assert perf.decide("deputy", incident["id"]).status_code == 409  # decided once


def test_confirming_needs_the_confirm_permission_over_the_subjects_unit(perf):
    incident = perf.recorded("manager")
    assert perf.decide("other_head", incident["id"]).status_code == 404  # cannot see it
    assert perf.decide("hr", incident["id"]).status_code == 403  # sees it, may not confirm
    assert perf.decide("head", incident["id"]).status_code == 200


def test_relations_come_from_staff_and_staff_down_is_a_503(perf, staff):
    incident = perf.recorded("manager")
    staff.down = True
    assert perf.decide("head", incident["id"]).status_code == 503
    staff.down = False
    assert perf.decide("head", incident["id"]).status_code == 200
    assert "relations E100" in staff.calls


@pytest.mark.parametrize(("amount", "needs_hr"), [("99.99", False), ("100.00", False),
                                                  ("100.01", True)])
def test_above_the_recorders_cap_only_hr_of_the_governing_branch_confirms(perf, amount,
                                                                         needs_hr):
    incident = perf.recorded("manager", rule="CM-ETH-01", deduction_amount=amount,
                             override_reason="kept a customer waiting twice")
    by_head = perf.decide("head", incident["id"])
    if needs_hr:
        assert by_head.status_code == 403
        assert perf.decide("hr", incident["id"]).status_code == 200
    else:
        assert by_head.status_code == 200


def test_hr_recording_above_cap_needs_a_second_hr(perf):
    incident = perf.recorded("hr", rule="CM-ETH-01", deduction_amount="300",
                             override_reason="repeated breach")
    assert perf.decide("hr", incident["id"]).status_code == 403  # four-eyes
    assert perf.decide("head", incident["id"]).status_code == 403  # over the cap
    assert perf.decide("hr2", incident["id"]).status_code == 200


def test_the_subject_appeals_within_the_window_and_the_next_level_decides(perf):
    incident = perf.confirmed("manager", by="head")
    assert perf.post("head", f"/performance/incidents/{incident['id']}/appeal",
                     {"reason": "not me"}).status_code == 403  # only the subject
    resp = perf.post("subject", f"/performance/incidents/{incident['id']}/appeal",
                     {"reason": "The customer asked me to keep it."})
    assert resp.status_code == 200 and resp.get_json()["status"] == "appealed"
    url = f"/performance/incidents/{incident['id']}/appeal/decision"
    assert perf.post("head", url, {"decision": "overturn"}).status_code == 403  # first confirmer
    assert perf.post("deputy", url, {"decision": "overturn"}).status_code == 403  # not a level up
    resp = perf.post("hr", url, {"decision": "overturn", "comment": "the customer confirms"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "overturned"
    assert perf.post("hr2", url, {"decision": "uphold"}).status_code == 409


def test_an_upheld_appeal_keeps_the_incident_standing(perf):
    incident = perf.confirmed()
    perf.post("subject", f"/performance/incidents/{incident['id']}/appeal", {"reason": "no"})
    resp = perf.post("hr", f"/performance/incidents/{incident['id']}/appeal/decision",
                     {"decision": "uphold"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "upheld"


def test_an_appeal_after_the_window_is_a_409(app, perf):
    incident = perf.confirmed()
    with app.app_context():
        db.session.execute(text("UPDATE incidents SET appeal_deadline = :d"), {"d": "2026-01-01"})
        db.session.commit()
    resp = perf.post("subject", f"/performance/incidents/{incident['id']}/appeal",
                     {"reason": "late"})
    assert resp.status_code == 409


def test_an_unconfirmed_incident_cannot_be_appealed(perf):
    incident = perf.recorded()
    assert perf.post("subject", f"/performance/incidents/{incident['id']}/appeal",
                     {"reason": "x"}).status_code == 409


def test_the_trail_verifies_and_detects_an_edited_step(app, perf):
    incident = perf.confirmed()
    trail = perf.get("head", f"/performance/incidents/{incident['id']}/trail").get_json()
    assert trail["valid"] is True
    assert [s["action"] for s in trail["steps"]] == ["record", "confirm"]
    assert trail["steps"][1]["prev_hash"] == trail["steps"][0]["hash"]
    with app.app_context():
        db.session.execute(text("UPDATE incident_steps SET comment = 'all fine' WHERE seq = 2"))
        db.session.commit()
    trail = perf.get("head", f"/performance/incidents/{incident['id']}/trail").get_json()
    assert trail["valid"] is False and trail["broken_at"] == 1


def test_the_trail_detects_an_edited_incident(app, perf):
    incident = perf.confirmed()
    with app.app_context():
        db.session.execute(text("UPDATE incidents SET points = 1"))
        db.session.commit()
    trail = perf.get("subject", f"/performance/incidents/{incident['id']}/trail").get_json()
    assert trail["valid"] is False


def test_the_list_is_the_callers_scope_and_own(perf):
    mine = perf.recorded("manager")
    other = perf.recorded("other_head", employee_no="E300")

    def ids(who):
        resp = perf.get(who, "/performance/incidents")
        assert resp.status_code == 200
        body = resp.get_json()
        assert set(body) == {"items", "total", "page", "per_page"}
        return {i["id"] for i in body["items"]}

    assert ids("head") == {mine["id"]}
    assert ids("other_head") == {other["id"]}
    assert ids("hr") == ids("admin") == {mine["id"], other["id"]}
    assert ids("subject") == {mine["id"]}
    assert perf.get("subject", f"/performance/incidents/{other['id']}").status_code == 404


def test_an_incident_about_a_unit_head_or_deputy_is_decided_one_level_up(perf):
    incident = perf.recorded("manager", employee_no="E102")  # SB01's deputy (行领导)
    assert perf.decide("head", incident["id"]).status_code == 403  # not by SB01's own head
    assert perf.decide("hr", incident["id"]).status_code == 200


def test_the_list_narrows_to_a_units_subtree(perf):
    mine = perf.recorded("manager")
    perf.recorded("other_head", employee_no="E300")
    body = perf.get("hr", "/performance/incidents?org=SB01").get_json()
    assert [i["id"] for i in body["items"]] == [mine["id"]] and body["total"] == 1
    assert perf.get("hr", "/performance/incidents?org=BR01").get_json()["total"] == 2
    for org in ("SB02", "NOPE"):  # outside the head's scope, or unknown: alike
        resp = perf.get("head", f"/performance/incidents?org={org}")
        assert resp.status_code == 422 and resp.get_json()["errors"] == {
            "org": [f"No unit {org}."]}
