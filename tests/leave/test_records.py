"""What a reviewer relies on: the signed trail, the audit trail, idempotent retries, events
for other systems and the exports."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import text

from services.leave.models import db
from shared.testing import statements_sent
from tests.leave.conftest import decide, file


def test_the_trail_names_every_signer_and_detects_an_edited_row(client, who, app, store):
    rid = file(client, who("E1"), type="sick", start_date="2025-09-01",
               end_date="2025-09-08").get_json()["id"]
    decide(client, who("H1"), rid, comment="初审同意")
    decide(client, who("HR1"), rid, comment="同意")
    trail = client.get(f"/leave/requests/{rid}/trail", headers=who("E1")).get_json()
    assert trail["valid"] is True and trail["rows"] == 3
    assert [(e["action"], e["actor_emp"]) for e in trail["entries"]] == [
        ("submit", "E1"), ("approve", "H1"), ("approve", "HR1")]
    assert trail["entries"][1]["prev_hash"] == trail["entries"][0]["hash"]
    # An operator with the database's own powers rewrites who approved step 1.
    with app.app_context():
        if store == "postgresql" or db.engine.dialect.name == "postgresql":
            db.session.execute(text("ALTER TABLE leave_transitions DISABLE TRIGGER USER"))
        else:
            db.session.execute(text("DROP TRIGGER leave_transitions_no_update"))
        row = db.session.execute(text("SELECT id, content FROM leave_transitions "
                                      "WHERE seq = 2 AND request_id = :r"), {"r": rid}).one()
        content = row[1] if isinstance(row[1], dict) else json.loads(row[1])
        content["actor_emp"] = "H2"
        db.session.execute(text("UPDATE leave_transitions SET content = :c WHERE id = :i"),
                           {"c": json.dumps(content), "i": row[0]})
        db.session.commit()
    broken = client.get(f"/leave/requests/{rid}/trail", headers=who("E1")).get_json()
    assert broken["valid"] is False and broken["broken_at"] == 1


def test_the_trail_refuses_updates_in_the_database_itself(client, who, app):
    rid = file(client, who("E1"), type="sick", start_date="2025-09-01",
               end_date="2025-09-01").get_json()["id"]
    with app.app_context():
        with pytest.raises(Exception, match="append-only"):  # the store's own refusal
            db.session.execute(text("DELETE FROM leave_transitions WHERE request_id = :r"),
                               {"r": rid})
            db.session.commit()
        db.session.rollback()


def test_every_decision_is_audited_with_the_token(client, who, app):
    rid = file(client, who("E1"), type="sick", start_date="2025-09-01",
               end_date="2025-09-01").get_json()["id"]
    decide(client, who("H1"), rid)
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT actor, action, token_jti FROM audit_events WHERE target_id = :r "
            "AND target_type = 'leave_request' "
            "ORDER BY id"), {"r": str(rid)}).all()
    assert [(a, b) for a, b, _ in rows] == [("user-E1", "leave.submit"),
                                            ("user-H1", "leave.approve")]
    assert all(jti for _, _, jti in rows)


def test_a_retried_post_with_the_same_idempotency_key_files_once(client, who):
    headers = {**who("E1"), "Idempotency-Key": "req-2025-09-01-a"}
    body = {"type": "sick", "start_date": "2025-09-01", "end_date": "2025-09-01",
            "reason": "flu"}
    first = client.post("/leave/requests", headers=headers, json=body)
    again = client.post("/leave/requests", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert client.get("/leave/requests?mine=true", headers=who("E1")).get_json()["total"] == 1
    other = client.post("/leave/requests", headers=headers, json={**body, "reason": "cold"})
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["errors"]


def test_hr_overrides_a_date_and_pending_requests_are_recounted(client, who):
    rid = file(client, who("E1"), start_date="2025-09-01", end_date="2025-09-05").get_json()["id"]
    head_office_hr = who("HQHR", roles=[("hr", "HQ")])
    assert client.put("/leave/calendar/overrides/2025-09-03", headers=who("HR1"),
                      json={"working": False}).status_code == 403  # a branch's hr: no
    resp = client.put("/leave/calendar/overrides/2025-09-03", headers=head_office_hr,
                      json={"working": False, "note": "local holiday"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["recounted"] == [{"id": rid, "before": 5, "after": 4}]
    assert client.get(f"/leave/requests/{rid}", headers=who("E1")).get_json()["days"] == 4
    balance = client.get("/leave/balances/E1?year=2025", headers=who("E1")).get_json()
    assert balance["balances"][0]["pending"] == 4
    view = client.get("/leave/calendar?year=2025", headers=who("E1")).get_json()
    assert {"date": "2025-09-03", "working": False, "source": "override",
            "note": "local holiday"} in view["exceptions"]
    trail = client.get(f"/leave/requests/{rid}/trail", headers=who("E1")).get_json()
    assert trail["valid"] and trail["entries"][-1]["action"] == "recount"
    assert client.delete("/leave/calendar/overrides/2025-09-03",
                         headers=head_office_hr).status_code == 204
    assert client.get(f"/leave/requests/{rid}", headers=who("E1")).get_json()["days"] == 5


def test_the_official_calendar_shows_holidays_and_make_up_days(client, who):
    view = client.get("/leave/calendar?year=2025", headers=who("E1")).get_json()
    assert view["calendar"] == "official"
    days = {d["date"]: d["working"] for d in view["exceptions"]}
    assert days["2025-10-01"] is False and days["2025-09-28"] is True


def test_a_new_policy_version_routes_new_requests_and_leaves_filed_ones_alone(client, who):
    before = file(client, who("E1"), type="sick", start_date="2025-09-01",
                  end_date="2025-09-04").get_json()
    policy = client.get("/leave/policy", headers=who("E1")).get_json()
    document = policy["document"]
    document["routing"]["threshold_days"] = 3
    admin = who("ADM", roles=[("admin", "*")])
    bad = client.put("/leave/policy", headers=admin,
                     json={"document": {**document, "routing": {**document["routing"],
                                                                "treshold": 3}}})
    assert bad.status_code == 422
    resp = client.put("/leave/policy", headers=admin, json={"document": document,
                                                            "note": "3 days"})
    assert resp.status_code == 200 and resp.get_json()["version"] == 2
    after = file(client, who("E1"), type="sick", start_date="2025-09-15",
                 end_date="2025-09-18").get_json()
    assert [s["role"] for s in after["steps"]] == ["branch_head", "hr"]
    assert after["policy_version"] == 2
    again = client.get(f"/leave/requests/{before['id']}", headers=who("E1")).get_json()
    assert [s["role"] for s in again["steps"]] == ["branch_head"]


def test_hr_adds_a_leave_type(client, who):
    admin = who("ADM", roles=[("admin", "*")])
    body = {"code": "home_visit", "name_zh": "探亲假", "name_en": "Home visit leave",
            "counts": "calendar_days", "paid": True, "min_notice_days": 7}
    assert client.post("/leave/types", headers=who("E1"), json=body).status_code == 403
    assert client.post("/leave/types", headers=admin, json=body).status_code == 201
    assert client.post("/leave/types", headers=admin, json=body).status_code == 409
    off = client.patch("/leave/types/home_visit", headers=admin, json={"active": False})
    assert off.get_json()["active"] is False


def test_webhooks_receive_signed_events(client, who, posted):
    admin = who("ADM", roles=[("admin", "*")])
    hook = client.post("/leave/webhooks", headers=admin, json={
        "url": "https://hooks.example.test/leave", "topics": ["leave.submitted",
                                                              "leave.approved"]})
    assert hook.status_code == 201
    secret = hook.get_json()["secret"]
    assert "secret" not in client.get("/leave/webhooks", headers=admin).get_json()["items"][0]
    rid = file(client, who("E1"), type="sick", start_date="2025-09-01",
               end_date="2025-09-01").get_json()["id"]
    decide(client, who("H1"), rid)
    assert [h["X-HR-Event"] for _, _, h in posted] == ["leave.submitted", "leave.approved"]
    url, body, headers = posted[1]
    expected = hmac.new(secret.encode(), headers["X-HR-Timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-HR-Signature"] == f"sha256={expected}"
    assert json.loads(body)["data"]["id"] == rid and url.endswith("/leave")


def _outbox_reads(app, call) -> list[str]:
    """The statements `call` sends that read the outbox (delivery's lookups)."""
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as seen:
        assert call().status_code in (200, 201)
    return [s for s in seen if s.lstrip().upper().startswith("SELECT") and "outbox_events" in s]


def test_a_bank_without_webhooks_files_without_looking_for_deliveries(app, client, who,
                                                                      posted):
    assert _outbox_reads(app, lambda: file(client, who("E1"), type="sick",
                                           start_date="2025-09-01",
                                           end_date="2025-09-01")) == []
    # Positive control: with one active webhook (even for another topic) filing looks.
    admin = who("ADM", roles=[("admin", "*")])
    assert client.post("/leave/webhooks", headers=admin, json={
        "url": "https://hooks.example.test/leave", "topics": ["leave.cancelled"]}
    ).status_code == 201
    assert _outbox_reads(app, lambda: file(client, who("E2"), type="sick",
                                           start_date="2025-09-01",
                                           end_date="2025-09-01")) != []
    assert posted == []


def test_a_delivery_that_failed_goes_out_with_a_later_write(app, client, who, posted):
    admin = who("ADM", roles=[("admin", "*")])
    assert client.post("/leave/webhooks", headers=admin, json={
        "url": "https://hooks.example.test/leave", "topics": ["leave.submitted"]}
    ).status_code == 201
    failing = [True]
    real = app.extensions["leave_poster"]

    def flaky(url: str, body: bytes, headers: dict[str, str]) -> int:
        if failing[0]:
            raise OSError("receiver down")
        return real(url, body, headers)

    app.extensions["leave_poster"] = flaky
    first = file(client, who("E1"), type="sick", start_date="2025-09-01",
                 end_date="2025-09-01").get_json()["id"]
    assert posted == []
    failing[0] = False
    with app.app_context():  # the backoff has passed
        db.session.execute(text("UPDATE outbox_events SET next_attempt_at = NULL"))
        db.session.commit()
    second = file(client, who("E2"), type="sick", start_date="2025-09-08",
                  end_date="2025-09-08").get_json()["id"]
    assert sorted(json.loads(body)["data"]["id"] for _, body, _ in posted) == [first, second]


def test_csv_and_icalendar_exports_show_what_the_caller_may_read(client, who):
    rid = file(client, who("E1"), type="sick", start_date="2025-09-01",
               end_date="2025-09-02").get_json()["id"]
    decide(client, who("H1"), rid)
    csv_text = client.get("/leave/requests/export.csv", headers=who("H1")).get_data(
        as_text=True)
    assert csv_text.startswith("\ufeffid,employee_no") and f"\r\n{rid},E1,sick" in csv_text
    assert f"{rid},E1" not in client.get("/leave/requests/export.csv",
                                         headers=who("H2")).get_data(as_text=True)
    ics = client.get("/leave/units/SB01/calendar.ics?since=2025-01-01", headers=who("H1"))
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    text_ = ics.get_data(as_text=True)
    assert "DTSTART;VALUE=DATE:20250901\r\nDTEND;VALUE=DATE:20250903" in text_
    assert "flu" not in text_ and "family" not in text_
    assert client.get("/leave/units/SB01/calendar.ics",
                      headers=who("H2")).status_code == 404


def test_a_webhook_to_the_metadata_service_or_an_unlisted_host_is_refused(app, client, who):
    admin = who("ADM", roles=[("admin", "*")])
    body = {"topics": ["leave.submitted"]}
    metadata = client.post("/leave/webhooks", headers=admin,
                           json=body | {"url": "http://169.254.169.254/latest/meta-data/"})
    assert metadata.status_code == 422 and "url" in metadata.get_json()["errors"]
    settings = app.extensions["hr_settings"]
    settings.webhook_hosts = ["10.20.0.0/16"]
    unlisted = client.post("/leave/webhooks", headers=admin,
                           json=body | {"url": "http://192.0.2.7/leave"})
    assert unlisted.status_code == 422
    listed = client.post("/leave/webhooks", headers=admin,
                         json=body | {"url": "http://10.20.1.5/leave"})
    assert listed.status_code == 201, listed.get_json()  # positive control
    assert len(client.get("/leave/webhooks", headers=admin).get_json()["items"]) == 1


def test_a_delivery_goes_to_the_address_it_checked_and_never_to_a_forbidden_one():
    """DNS rebinding: the name is resolved once per delivery, checked, and the connection
    goes to that very address (here a name no real DNS knows, so any second lookup would
    fail); once the name answers the metadata address, nothing is sent."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from services.leave.app import webhook_poster
    from shared.settings import TestSettings
    from shared.testing import free_port

    seen = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            seen.append((self.headers["Host"], self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    lookups = []
    answer = {"hr-events.bank.test": "127.0.0.1"}

    def resolver(host):
        lookups.append(host)
        return [answer[host]]

    settings = TestSettings("leave", {"HR_WEBHOOK_HOSTS": "127.0.0.0/8"})
    deliver = webhook_poster(settings, resolver=resolver)
    url = f"http://hr-events.bank.test:{port}/leave?x=1"
    try:
        assert deliver(url, b'{"id": 1}', {"Content-Type": "application/json"}) == 204
        assert seen == [(f"hr-events.bank.test:{port}", b'{"id": 1}')]  # Host names the URL
        assert lookups == ["hr-events.bank.test"]  # one lookup, the one that was checked
        answer["hr-events.bank.test"] = "169.254.169.254"  # re-pointed since registration
        with pytest.raises(OSError, match="refused"):
            deliver(url, b'{"id": 2}', {"Content-Type": "application/json"})
        assert len(seen) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_a_code_a_spreadsheet_would_compute_is_exported_as_text(client, who, directory):
    """Staff allows employee numbers such as `-1-1`; Excel would show that cell as -2."""
    directory.people["-1-1"] = directory.people["E1"]
    rid = file(client, who("-1-1"), type="sick", start_date="2025-09-01",
               end_date="2025-09-01").get_json()["id"]
    plain = file(client, who("E1"), type="sick", start_date="2025-09-03",
                 end_date="2025-09-03").get_json()["id"]
    csv_text = client.get("/leave/requests/export.csv", headers=who("H1")).get_data(
        as_text=True)
    assert f"\r\n{rid},'-1-1,sick" in csv_text
    assert f"\r\n{plain},E1,sick" in csv_text  # an ordinary code stays as it is
