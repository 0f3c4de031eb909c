"""Customers and their visits (定期访客制度) over HTTP: who may take a customer on, log a
visit or contact, and confirm a visit report; the tiers as versioned, audited policy."""

from __future__ import annotations

import pytest

from services.performance.models import AuditEvent, db
from tests.performance.visits_helpers import contact, customer


def _problem(resp, status):
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def test_a_branch_head_takes_a_customer_on_for_their_manager_kept_by_the_sub_branch(perf):
    body = customer(perf, "C1", deposits=5000000.5, credit="1000000")
    assert body["unit"] == "SB01" and body["manager"] == "E100"
    assert body["deposits"] == 5000000.5 and body["credit"] == 1000000
    assert perf.get("subject", "/performance/customers/C1").status_code == 200


def test_a_manager_outside_the_recorders_scope_answers_like_an_unknown_one(perf):
    base = {"code": "C2", "name": "X", "deposits": 1, "credit": 0}
    outside = _problem(perf.post("head", "/performance/customers", {**base, "manager": "E300"}),
                       422)
    unknown = _problem(perf.post("head", "/performance/customers", {**base, "manager": "E999"}),
                       422)
    assert outside["errors"]["manager"] == ["No employee E300."]
    assert unknown["errors"]["manager"] == ["No employee E999."]
    assert perf.post("other_head", "/performance/customers",
                     {**base, "manager": "E300"}).status_code == 201


def test_an_employee_without_performance_record_cannot_take_a_customer_on(perf):
    body = {"code": "C3", "name": "X", "deposits": 1, "credit": 0, "manager": "E100"}
    _problem(perf.post("subject", "/performance/customers", body), 403)
    assert perf.post("manager", "/performance/customers", body).status_code == 201


@pytest.mark.parametrize(("change", "field"), [
    ({"deposits": 1.001}, "deposits"), ({"deposits": -1}, "deposits"),
    ({"credit": "lots"}, "credit"), ({"credit": 1e12}, "credit"), ({"credit": 1.5e308}, "credit"),
    ({"name": " "}, "name"),
    ({"since": "2999-01-01"}, "since"), ({"colour": "red"}, "colour"), ({"code": "A/B"}, "code"),
])
def test_bad_customer_input_is_a_422_problem_naming_the_field(perf, change, field):
    body = {"code": "C4", "name": "X", "deposits": 1, "credit": 0, "manager": "E100", **change}
    assert field in _problem(perf.post("head", "/performance/customers", body), 422)["errors"]


def test_a_customer_number_is_taken_once(perf):
    customer(perf, "C5")
    body = {"code": "C5", "name": "X", "deposits": 1, "credit": 0, "manager": "E100"}
    _problem(perf.post("head", "/performance/customers", body), 409)


def test_customers_are_listed_in_the_readers_scope_and_to_their_own_manager(perf):
    customer(perf, "C6")
    customer(perf, "C7", manager="E300", who="other_head")
    seen = {who: [c["code"] for c in perf.get(who, "/performance/customers").get_json()["items"]]
            for who in ("head", "other_head", "subject", "hr")}
    assert seen == {"head": ["C6"], "other_head": ["C7"], "subject": ["C6"],
                    "hr": ["C6", "C7"]}
    assert perf.get("other_head", "/performance/customers/C6").status_code == 404


def test_the_manager_logs_their_own_visit_and_contact_and_a_colleague_may_not(perf):
    customer(perf, "C8")
    visit = contact(perf, "C8", "2026-05-04", confirm=False)
    call = contact(perf, "C8", "2026-05-05", "phone")
    assert (visit["status"], call["status"]) == ("reported", "logged")
    body = {"customer": "C8", "employee_no": "E300", "on": "2026-05-06", "kind": "visit",
            "report": "covering"}
    unknown = _problem(perf.post("manager", "/performance/visits",
                                 {**body, "employee_no": "E999"}), 422)
    outside = _problem(perf.post("manager", "/performance/visits", body), 422)  # E300: SB02
    assert unknown["errors"]["employee_no"] == ["No employee E999."]
    assert outside["errors"]["employee_no"] == ["No employee E300."]
    assert perf.post("hr", "/performance/visits", body).status_code == 201
    colleague = perf.tokens.user(sub="u-e300", emp="E300",
                                 roles=[("employee", "SB02", "HQ/BR01/SB02")])
    resp = perf.client.post("/performance/visits", json={**body, "customer": "C8"},
                            headers={"Authorization": f"Bearer {colleague}"})
    _problem(resp, 422)  # not their customer, not in their scope: like an unknown one


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "fax"}, "kind"), ({"on": "2999-01-01"}, "on"), ({"report": ""}, "report"),
    ({"customer": "NOPE"}, "customer"), ({"on": "2026-02-30"}, "on"),
])
def test_bad_visit_input_is_a_422_problem_naming_the_field(perf, change, field):
    customer(perf, "C9")
    body = {"customer": "C9", "on": "2026-05-04", "kind": "visit", "report": "r", **change}
    assert field in _problem(perf.post("subject", "/performance/visits", body), 422)["errors"]


def test_the_branch_head_confirms_a_visit_report_but_never_one_they_made_or_logged(perf):
    customer(perf, "C10")
    by_manager = contact(perf, "C10", "2026-05-04", confirm=False)
    by_head = perf.post("head", "/performance/visits", {
        "customer": "C10", "employee_no": "E100", "on": "2026-05-06", "kind": "visit",
        "report": "logged by the head"}).get_json()
    _problem(perf.post("subject", f"/performance/visits/{by_manager['id']}/confirm", {}), 403)
    _problem(perf.post("manager", f"/performance/visits/{by_manager['id']}/confirm", {}), 403)
    _problem(perf.post("other_head", f"/performance/visits/{by_manager['id']}/confirm", {}), 404)
    _problem(perf.post("head", f"/performance/visits/{by_head['id']}/confirm", {}), 403)
    done = perf.post("head", f"/performance/visits/{by_manager['id']}/confirm", {})
    assert done.status_code == 200 and done.get_json()["status"] == "confirmed"
    assert perf.post("deputy", f"/performance/visits/{by_head['id']}/confirm",
                     {}).status_code == 200
    _problem(perf.post("deputy", f"/performance/visits/{by_manager['id']}/confirm", {}), 409)


def test_phone_and_sms_contacts_need_no_confirmation(perf):
    customer(perf, "C11")
    call = contact(perf, "C11", "2026-05-04", "sms")
    _problem(perf.post("head", f"/performance/visits/{call['id']}/confirm", {}), 409)


def test_the_tiers_are_read_by_anyone_and_published_as_a_new_audited_version(perf, app):
    tiers = perf.get("subject", "/performance/visit-tiers").get_json()
    assert tiers["version"] == 1 and tiers["basis"] == "max(deposits, credit)"
    assert tiers["missed_visit_rule"] == "CM-BAS-01"
    assert [(t["min_amount"], t["required"], t["window"]) for t in tiers["tiers"]] == [
        (5000000, 2, "month"), (1000000, 1, "month"), (0, 1, "half_year")]
    edit = {"missed_visit_rule": "CM-BAS-01", "reason": "three visits for key accounts",
            "tiers": [dict(tiers["tiers"][0], required=3), *tiers["tiers"][1:]]}
    _problem(perf.client.put("/performance/visit-tiers", json=edit,
                             headers=perf.headers("hr")), 403)
    resp = perf.client.put("/performance/visit-tiers", json=edit, headers=perf.headers("policy"))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["version"] == 2 and resp.get_json()["tiers"][0]["required"] == 3
    assert perf.get("head", "/performance/visit-tiers").get_json()["version"] == 2
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="visit_tiers.publish").one()
        assert event.actor == "u-policy" and event.after["reason"] == edit["reason"]


@pytest.mark.parametrize(("change", "field"), [
    ({"missed_visit_rule": "NO-SUCH"}, "missed_visit_rule"),
    ({"tiers": [{"code": "all", "min_amount": 10, "required": 1, "window": "month",
                 "counts": ["visit"]}]}, "tiers"),
    ({"tiers": [{"code": "all", "min_amount": 0, "required": 1, "window": "week",
                 "counts": ["visit"]}]}, "tiers.0.window"),
])
def test_tiers_that_cannot_be_used_are_refused(perf, change, field):
    edit = {"missed_visit_rule": "CM-BAS-01", "reason": "r",
            "tiers": [{"code": "all", "min_amount": 0, "required": 1, "window": "month",
                       "counts": ["visit"]}], **change}
    resp = perf.client.put("/performance/visit-tiers", json=edit, headers=perf.headers("policy"))
    assert field in _problem(resp, 422)["errors"]


def test_visits_are_listed_in_scope_and_to_the_one_who_made_them(perf):
    customer(perf, "C12")
    first = contact(perf, "C12", "2026-05-04")
    second = contact(perf, "C12", "2026-05-05", "phone")

    def ids(who, query=""):
        resp = perf.get(who, f"/performance/visits{query}")
        assert resp.status_code == 200, resp.get_json()
        return [v["id"] for v in resp.get_json()["items"]]

    assert ids("head") == ids("subject") == [second["id"], first["id"]]
    assert ids("head", "?status=confirmed") == [first["id"]]
    assert ids("other_head") == []
    assert perf.get("other_head", f"/performance/visits/{first['id']}").status_code == 404
    assert perf.get("subject", f"/performance/visits/{first['id']}").status_code == 200


def test_every_write_is_audited_with_who_and_which_token(perf, app):
    customer(perf, "C13")
    visit = contact(perf, "C13", "2026-05-04")
    with app.app_context():
        events = db.session.query(AuditEvent).order_by(AuditEvent.id).all()
        mine = [(e.action, e.actor, e.target_id) for e in events
                if e.action.startswith(("customer.", "visit."))]
        assert mine == [("customer.create", "u-e101", "C13"),
                        ("visit.log", "u-e100", str(visit["id"])),
                        ("visit.confirm", "u-e101", str(visit["id"]))]
        assert all(e.token_jti for e in events if e.action.startswith(("customer.", "visit.")))


def test_staff_down_is_a_503_and_nothing_is_written(perf, staff):
    staff.down = True
    body = {"code": "C14", "name": "X", "deposits": 1, "credit": 0, "manager": "E100"}
    _problem(perf.post("head", "/performance/customers", body), 503)
    staff.down = False
    assert perf.get("head", "/performance/customers/C14").status_code == 404
    assert perf.post("head", "/performance/customers", body).status_code == 201


def test_new_amounts_move_a_customer_between_tiers_and_a_new_manager_moves_it(perf):
    customer(perf, "C15", deposits="10")
    url = "/performance/customers/C15"
    _problem(perf.client.patch(url, json={"deposits": 6000000},
                               headers=perf.headers("subject")), 403)  # reads, may not edit
    _problem(perf.client.patch(url, json={}, headers=perf.headers("head")), 422)
    _problem(perf.client.patch(url, json={"manager": "E300"}, headers=perf.headers("head")), 422)
    resp = perf.client.patch(url, json={"deposits": 6000000}, headers=perf.headers("head"))
    assert resp.status_code == 200 and resp.get_json()["deposits"] == 6000000
    moved = perf.client.patch(url, json={"manager": "E300"}, headers=perf.headers("hr"))
    assert moved.status_code == 200 and moved.get_json()["unit"] == "SB02"
    assert perf.get("head", url).status_code == 404


def test_the_tiers_and_loss_shares_are_in_the_store_from_the_first_start(app):
    from services.performance.models.visits import NamedPolicy

    with app.app_context():
        loaded = sorted((p.name, p.version, p.published_by)
                        for p in db.session.query(NamedPolicy))
    assert loaded == [("loss_shares", 1, "reference-data"), ("visit_tiers", 1, "reference-data")]
