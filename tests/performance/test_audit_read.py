"""The audit trail and the outbox are read by auditors (and policy holders over `*`) only."""

from __future__ import annotations


def test_an_auditor_reads_who_decided_what(perf):
    incident = perf.confirmed(rule="CM-ETH-05")
    auditor = perf.tokens.user(sub="u-audit", emp=None, roles=[("auditor", "HQ", "HQ")])
    resp = perf.client.get(f"/performance/audit?target_type=incident&target_id={incident['id']}",
                           headers={"Authorization": f"Bearer {auditor}"})
    assert resp.status_code == 200, resp.get_json()
    events = resp.get_json()["items"]
    assert [e["action"] for e in events] == ["incident.confirm", "incident.record"]
    assert events[0]["actor"] == "u-e101" and events[0]["token_jti"]
    outbox = perf.client.get("/performance/outbox",
                             headers={"Authorization": f"Bearer {auditor}"}).get_json()
    assert outbox["total"] == 1 and outbox["items"][0]["status"] == "delivered"
    for who in ("hr", "head", "subject"):
        assert perf.get(who, "/performance/audit").status_code == 403
        assert perf.get(who, "/performance/outbox").status_code == 403
    assert perf.get("admin", "/performance/audit").status_code == 200
