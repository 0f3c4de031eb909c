"""Loss accountability (责任追究) over HTTP: shares recorded per person exact to the fen, the
superior who ordered it as the direct party, internal audit's confirmation (never by the
recorder or a party), reading in scope, the percentages as policy, and lifelong records."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.testing import write_as_operator
from tests.performance.fakes import UNITS, FakeStaff, chain_of

#: Extra staff at SB01 for many-party losses.
EXTRA = [f"L{n:03d}" for n in range(1, 11)]


class LossStaff(FakeStaff):
    def chain(self, employee_no):
        if employee_no in EXTRA:
            self._check(f"chain {employee_no}")
            found = chain_of("E100")
            return {**found, "employee_no": employee_no, "unit": UNITS["SB01"]}
        return super().chain(employee_no)


@pytest.fixture
def staff():
    return LossStaff()


def _token(perf, sub, emp, *roles):
    paths = {"SB01": "HQ/BR01/SB01", "SB02": "HQ/BR01/SB02", "BR01": "HQ/BR01", "HQ": "HQ"}
    token = perf.tokens.user(sub=sub, emp=emp, roles=[(r, o, paths[o]) for r, o in roles])
    return {"Authorization": f"Bearer {token}"}


def _auditor(perf, org="BR01", emp="E900"):
    return _token(perf, f"u-aud-{emp}", emp, ("auditor", org))


def _body(**change):
    return {"amount": 10000.01, "audit_reference": "IA-2026-001", "occurred_on": "2026-03-01",
            "description": "Loan signed out of procedure.", "direct": ["E100"],
            "indirect": ["E103", "E300"], **change}


def _exact(resp):
    """The answer read with every number as a Decimal, as written on the wire."""
    return json.loads(resp.get_data(as_text=True), parse_float=Decimal, parse_int=Decimal)


def _problem(resp, status):
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def test_hr_records_a_loss_and_each_persons_share_sums_exactly_to_it(perf):
    resp = perf.post("hr", "/performance/losses", _body())
    assert resp.status_code == 201, resp.get_json()
    loss = _exact(resp)
    assert loss["status"] == "recorded" and loss["amount"] == Decimal("10000.01")
    assert [(s["employee_no"], s["role"], s["amount"]) for s in loss["shares"]] == [
        ("E100", "direct", Decimal("8000.01")), ("E103", "indirect", Decimal("1000.00")),
        ("E300", "indirect", Decimal("1000.00"))]
    assert sum(s["amount"] for s in loss["shares"]) == loss["amount"]
    assert (loss["direct_part"], loss["indirect_part"]) == ("0.8000", "0.2000")


def test_a_superior_who_ordered_it_is_the_direct_party_and_the_doer_indirect(perf):
    loss = perf.post("hr", "/performance/losses",
                     _body(amount=1000, indirect=["E103"], ordered_by="E101")).get_json()
    assert [(s["employee_no"], s["role"], s["amount"]) for s in loss["shares"]] == [
        ("E101", "direct", 800), ("E100", "indirect", 100), ("E103", "indirect", 100)]
    assert loss["ordered_by"] == "E101"


def test_a_recorder_must_hold_performance_record_over_every_party(perf):
    outside = _problem(perf.post("head", "/performance/losses", _body()), 422)
    assert outside["errors"] == {"indirect.1": ["No employee E300."]}
    unknown = _problem(perf.post("head", "/performance/losses",
                                 _body(indirect=["E103", "E999"])), 422)
    assert unknown["errors"] == {"indirect.1": ["No employee E999."]}
    _problem(perf.post("subject", "/performance/losses", _body()), 403)
    assert perf.post("head", "/performance/losses",
                     _body(indirect=["E103"])).status_code == 201


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": 1.001}, "amount"), ({"amount": 0}, "amount"), ({"amount": -5}, "amount"),
    ({"amount": "NaN"}, "amount"), ({"amount": True}, "amount"), ({"amount": 1e10}, "amount"),
    ({"direct": []}, "direct"), ({"direct": ["E100", "E100"]}, "direct"),
    ({"indirect": ["E100"]}, "indirect"), ({"ordered_by": "E100"}, "ordered_by"),
    ({"occurred_on": "2999-01-01"}, "occurred_on"), ({"audit_reference": ""}, "audit_reference"),
    ({"shares": []}, "shares"), ({"description": None}, "description"),
])
def test_bad_loss_input_is_a_422_problem_naming_the_field(perf, change, field):
    errors = _problem(perf.post("hr", "/performance/losses", _body(**change)), 422)["errors"]
    assert field in errors


def test_one_loss_per_audit_finding(perf):
    assert perf.post("hr", "/performance/losses", _body()).status_code == 201
    _problem(perf.post("hr", "/performance/losses", _body(amount=5)), 409)


def test_internal_audit_confirms_over_every_party_never_a_party_or_the_recorder(perf):
    loss = perf.post("hr", "/performance/losses", _body()).get_json()
    url = f"/performance/losses/{loss['id']}/confirm"
    _problem(perf.client.post(url, headers=perf.headers("hr")), 403)  # hr is not audit
    _problem(perf.client.post(url, headers=perf.headers("head")), 403)
    _problem(perf.client.post(url, headers=_auditor(perf, org="SB01")), 403)  # not E300's unit
    _problem(perf.client.post(url, headers=_auditor(perf, emp="E103")), 403)  # a party
    _problem(perf.client.post(url, headers=_auditor(perf, emp="E200")), 403)  # the recorder
    done = perf.client.post(url, headers=_auditor(perf))
    assert done.status_code == 200 and done.get_json()["status"] == "confirmed"
    assert done.get_json()["confirmed_by"] == "u-aud-E900"
    _problem(perf.client.post(url, headers=_auditor(perf, emp="E901")), 409)


def test_losses_are_read_by_parties_and_in_scope_of_any_party(perf):
    mixed = perf.post("hr", "/performance/losses", _body()).get_json()
    sb01 = perf.post("hr", "/performance/losses",
                     _body(audit_reference="IA-2", indirect=["E103"])).get_json()

    def ids(who, query=""):
        resp = perf.get(who, f"/performance/losses{query}")
        assert resp.status_code == 200, resp.get_json()
        return [item["id"] for item in resp.get_json()["items"]]

    assert ids("hr") == [sb01["id"], mixed["id"]]
    assert ids("other_head") == [mixed["id"]]
    assert ids("subject") == [sb01["id"], mixed["id"]]
    assert ids("hr", "?employee_no=E300") == [mixed["id"]]
    assert perf.get("other_head", f"/performance/losses/{sb01['id']}").status_code == 404
    assert perf.get("other_head", f"/performance/losses/{mixed['id']}").status_code == 200
    assert perf.get("hr", "/performance/losses/999").status_code == 404


def test_the_percentages_are_policy_and_a_new_version_never_resplits_an_old_loss(perf):
    old = perf.post("hr", "/performance/losses", _body(amount=100, indirect=["E103"])).get_json()
    edit = {"direct": "0.70", "indirect": "0.30", "reason": "board decision"}
    _problem(perf.client.put("/performance/loss-policy", json=edit,
                             headers=perf.headers("hr")), 403)
    _problem(perf.client.put("/performance/loss-policy", json={**edit, "indirect": "0.4"},
                             headers=perf.headers("policy")), 422)
    resp = perf.client.put("/performance/loss-policy", json=edit, headers=perf.headers("policy"))
    assert resp.status_code == 200 and resp.get_json()["version"] == 2
    new = perf.post("hr", "/performance/losses",
                    _body(amount=100, indirect=["E103"], audit_reference="IA-3")).get_json()
    assert [s["amount"] for s in new["shares"]] == [70, 30]
    again = perf.get("hr", f"/performance/losses/{old['id']}").get_json()
    assert [s["amount"] for s in again["shares"]] == [80, 20] and again["policy_version"] == 1


def test_a_loss_is_kept_for_life_the_database_refuses_deleting_it_or_changing_a_share(perf,
                                                                                      app):
    loss = perf.post("hr", "/performance/losses", _body()).get_json()
    assert perf.client.delete(f"/performance/losses/{loss['id']}",
                              headers=perf.headers("admin")).status_code == 405
    url = app.extensions["hr_settings"].database_url
    with pytest.raises(Exception, match=r"(?i)life|append-only"):
        write_as_operator(url, "DELETE FROM losses WHERE id = :id", id=loss["id"])
    with pytest.raises(Exception, match="append-only"):
        write_as_operator(url, "UPDATE loss_shares SET amount = 0 WHERE loss_id = :id",
                          id=loss["id"])
    assert perf.get("hr", f"/performance/losses/{loss['id']}").get_json() == loss


_amounts = st.integers(min_value=1, max_value=999_999_999_999).map(lambda f: Decimal(f) / 100)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=_amounts, direct=st.integers(1, 5), indirect=st.integers(0, 5))
def test_any_loss_splits_exactly_to_the_fen_on_the_wire(perf, amount, direct, indirect):
    people = EXTRA[:direct + indirect]
    reference = f"IA-P-{amount}-{direct}-{indirect}"
    resp = perf.post("hr", "/performance/losses", {
        **_body(direct=people[:direct], indirect=people[direct:], audit_reference=reference),
        "amount": float(amount)})
    if resp.status_code == 409:  # the same example drawn twice
        return
    assert resp.status_code == 201, resp.get_json()
    shares = [s["amount"] for s in _exact(resp)["shares"]]
    assert sum(shares) == amount
    assert all(s == s.quantize(Decimal("0.01")) for s in shares)


def test_staff_down_is_a_503_and_no_loss_is_half_written(perf, staff):
    staff.down = True
    _problem(perf.post("hr", "/performance/losses", _body()), 503)
    staff.down = False
    assert perf.get("hr", "/performance/losses").get_json()["total"] == 0
    assert perf.post("hr", "/performance/losses", _body()).status_code == 201


def test_recording_and_confirming_a_loss_are_audited(perf, app):
    from services.performance.models import AuditEvent, db

    loss = perf.post("hr", "/performance/losses", _body()).get_json()
    perf.client.post(f"/performance/losses/{loss['id']}/confirm", headers=_auditor(perf))
    with app.app_context():
        events = [(e.action, e.actor) for e in db.session.query(AuditEvent)
                  .filter(AuditEvent.target_type == "loss").order_by(AuditEvent.id)]
        assert events == [("loss.record", "u-e200"), ("loss.confirm", "u-aud-E900")]
