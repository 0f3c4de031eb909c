"""Rulebooks and the policy are versioned: a new version never rewrites what was judged."""

from __future__ import annotations

from sqlalchemy import select

from services.performance.models import AuditEvent, db

CHANGE = {"points": 15, "reason": "Board decision 2026-11: procedure breaches cost more."}


def test_a_policy_holder_publishes_a_rules_next_version_and_it_is_audited(app, perf):
    assert perf.post("hr", "/performance/rules/CM-ETH-01/versions", CHANGE).status_code == 403
    resp = perf.post("policy", "/performance/rules/CM-ETH-01/versions", CHANGE)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["version"] == 2 and body["points"] == 15 and body["rulebook_version"] == 2
    assert body["is_current"] is True and body["change_reason"] == CHANGE["reason"]
    current = perf.get("subject", "/performance/rules/CM-ETH-01").get_json()
    assert current["points"] == 15 and current["version"] == 2
    rules = perf.get("subject", "/performance/rules?per_page=200").get_json()
    assert rules["total"] == 23
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rule.publish"))
        assert event.before["points"] == 10 and event.after["points"] == 15
        assert event.actor == "u-policy"


def test_an_incident_keeps_the_rule_version_and_numbers_it_was_judged_with(perf):
    before = perf.recorded(rule="CM-ETH-01")
    perf.post("policy", "/performance/rules/CM-ETH-01/versions", CHANGE)
    after = perf.recorded(rule="CM-ETH-01")
    assert (before["rule_version"], before["points"]) == (1, 10)
    assert (after["rule_version"], after["points"]) == (2, 15)
    again = perf.get("head", f"/performance/incidents/{before['id']}").get_json()
    assert (again["rule_version"], again["points"]) == (1, 10)
    confirmed = perf.decide("head", before["id"]).get_json()
    assert confirmed["points"] == 10
    trail = perf.get("head", f"/performance/incidents/{before['id']}/trail").get_json()
    assert trail["valid"] is True


def test_older_versions_stay_readable(perf):
    perf.post("policy", "/performance/rules/CM-ETH-01/versions", CHANGE)
    perf.post("policy", "/performance/rules/FIR-01/versions",
              {"deduction_max": "2500.00", "reason": "inflation"})
    versions = perf.get("subject", "/performance/rules/CM-ETH-01/versions").get_json()
    assert [v["points"] for v in versions["items"]] == [15, 10]
    assert [v["is_current"] for v in versions["items"]] == [True, False]
    v1 = perf.get("subject", "/performance/rulebooks/customer_manager?version=1&per_page=200")
    assert v1.status_code == 200
    rules = {r["code"]: r for r in v1.get_json()["items"]}
    assert len(rules) == 19 and rules["CM-ETH-01"]["points"] == 10
    fir = perf.get("subject", "/performance/rulebooks/first_inquiry?version=2").get_json()
    assert {r["code"]: r["deduction_max"] for r in fir["items"]}["FIR-01"] == 2500
    assert perf.get("subject", "/performance/rulebooks/nope?version=1").status_code == 404


def test_a_version_that_breaks_the_rules_shape_is_refused(perf):
    bad = perf.post("policy", "/performance/rules/FIR-01/versions",
                    {"deduction_min": "3000", "reason": "typo"})
    assert bad.status_code == 422 and "deduction_min" in bad.get_json()["errors"]
    assert perf.post("policy", "/performance/rules/NOPE/versions", CHANGE).status_code == 404
    assert perf.post("policy", "/performance/rules/FIR-01/versions",
                     {"points": 3}).status_code == 422  # the reason is required


def test_the_policy_is_versioned_and_caps_bind_from_their_version_on(perf):
    policy = perf.get("subject", "/performance/policy").get_json()
    assert policy["authority_caps"] == {"dept_manager": 100, "branch_head": 500}
    assert policy["version"] == 1 and policy["appeal_window_days"] == 15
    before = perf.recorded(rule="CM-ETH-01", deduction_amount="150", override_reason="r")
    change = {**{k: policy[k] for k in ("over_cap_confirmer_roles", "appeal_decider_roles",
                                        "appeal_window_days")},
              "authority_caps": {"dept_manager": "200.00", "branch_head": "500.00"},
              "reason": "raise the department managers' cap"}
    assert perf.put("hr", "/performance/policy", change).status_code == 403
    resp = perf.put("policy", "/performance/policy", change)
    assert resp.status_code == 201 and resp.get_json()["version"] == 2
    after = perf.recorded(rule="CM-ETH-01", deduction_amount="150", override_reason="r")
    assert before["over_cap"] is True and after["over_cap"] is False
    assert before["policy_version"] == 1 and after["policy_version"] == 2
    old = perf.get("subject", "/performance/policy/versions/1").get_json()
    assert old["authority_caps"]["dept_manager"] == 100
    assert perf.decide("head", before["id"]).status_code == 403  # still judged under v1


def test_a_policy_change_needs_the_policy_permission_over_the_organisation(perf):
    change = {"authority_caps": {}, "over_cap_confirmer_roles": ["hr"],
              "appeal_window_days": 10, "appeal_decider_roles": ["hr"], "reason": "x"}
    assert perf.put("hr", "/performance/policy", change).status_code == 403
    bad = perf.put("policy", "/performance/policy", {**change, "appeal_decider_roles": ["x"]})
    assert bad.status_code == 422
    assert perf.put("policy", "/performance/policy", change).status_code == 201


def test_a_policy_holder_adds_a_rule_in_the_rulebooks_next_version(perf):
    new = {"code": "CM-CRD-07", "category": "credit_operations",
           "title_zh": "未按规定要求登录系统及时将信贷档案归档",
           "title_en": "Credit files not entered and filed in time", "points": 2,
           "source": "《银行客户经理工作制度》信贷操作及管理工作考核标准 第5条",
           "reason": "the seed's cut-off item"}
    assert perf.post("hr", "/performance/rulebooks/customer_manager/rules",
                     new).status_code == 403
    resp = perf.post("policy", "/performance/rulebooks/customer_manager/rules", new)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["version"] == 1 and resp.get_json()["rulebook_version"] == 2
    assert perf.post("policy", "/performance/rulebooks/customer_manager/rules",
                     new).status_code == 409
    assert perf.post("policy", "/performance/rulebooks/nope/rules", new).status_code == 404
    assert perf.get("subject", "/performance/rules?per_page=200").get_json()["total"] == 24
    old = perf.get("subject", "/performance/rulebooks/customer_manager?version=1&per_page=200")
    assert old.get_json()["total"] == 19
    assert perf.recorded(rule="CM-CRD-07")["points"] == 2
