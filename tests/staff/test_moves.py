"""Moving a unit: the subtree is re-pathed in one transaction, audited, and auth is told
through the outbox — a down auth never fails the move."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from services.staff.app import create_app, deliver_events
from services.staff.models import OutboxEvent, db
from shared.testing import free_port
from tests.conftest import bearer
from tests.staff.fixtures import hire


def test_a_move_repaths_the_whole_subtree(client, admin, org, catalogue):
    hire(client, admin, "E1", "OT01")
    resp = client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "BR02"})
    assert resp.status_code == 200
    assert resp.get_json()["path"] == "HQ/BR02/SB01"
    assert resp.get_json()["parent"] == "BR02"
    outlet = client.get("/staff/org-units/OT01", headers=admin).get_json()
    assert outlet["path"] == "HQ/BR02/SB01/OT01"
    assert client.get("/staff/employees/E1", headers=admin).get_json()["org_path"] == \
        "HQ/BR02/SB01/OT01"
    br01 = client.get("/staff/org-units/BR01/tree", headers=admin).get_json()
    assert [c["code"] for c in br01["children"]] == ["SB02"]


def test_a_unit_cannot_move_under_its_own_subtree(client, admin, org):
    client.post("/staff/org-units", headers=admin, json={
        "code": "OT01_D", "name_zh": "部门", "type": "department", "parent": "OT01"})
    resp = client.post("/staff/org-units/NOPE/move", headers=admin, json={"parent": "HQ"})
    assert resp.status_code == 404
    resp = client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "OT01"})
    assert resp.status_code == 422 and "parent" in resp.get_json()["errors"]
    resp = client.post("/staff/org-units/HQ/move", headers=admin, json={"parent": "OT01_D"})
    assert resp.status_code == 422
    assert client.get("/staff/org-units/OT01", headers=admin).get_json()["path"] == \
        "HQ/BR01/SB01/OT01"


def test_a_move_must_respect_the_type_rules(client, admin, org, sender):
    resp = client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "HQ"})
    assert resp.status_code == 422
    assert "sub_branch" in resp.get_json()["errors"]["parent"][0]
    resp = client.post("/staff/org-units/OT01/move", headers=admin, json={"parent": "SB02"})
    assert resp.status_code == 200
    assert sender.sent and sender.sent[-1][2]["code"] == "OT01"


def test_a_move_is_audited_and_tells_auth_what_moved(client, admin, tokens, org, sender):
    resp = client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "BR02"})
    assert resp.status_code == 200
    assert sender.sent == [("auth", "/auth/org-events", {
        "event": "moved", "code": "SB01", "old_path": "HQ/BR01/SB01",
        "new_path": "HQ/BR02/SB01"})]
    audit = client.get("/staff/audit?action=org_unit.moved", headers=admin).get_json()
    assert audit["total"] == 1
    entry = audit["items"][0]
    assert entry["actor"] == "admin" and entry["target_id"] == "SB01"
    assert entry["before"]["path"] == "HQ/BR01/SB01"
    assert entry["after"]["path"] == "HQ/BR02/SB01" and entry["after"]["units_moved"] == 2


def test_a_move_to_the_current_parent_changes_nothing_and_tells_nobody(client, admin, org,
                                                                       sender):
    resp = client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "BR01"})
    assert resp.status_code == 200 and resp.get_json()["path"] == "HQ/BR01/SB01"
    assert sender.sent == []


def test_a_down_auth_leaves_the_event_in_the_outbox_and_the_move_stands(
        client, admin, org, sender, app, settings):
    sender.down = True
    resp = client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "BR02"})
    assert resp.status_code == 200
    assert client.get("/staff/org-units/SB01", headers=admin).get_json()["path"] == \
        "HQ/BR02/SB01"
    pending = client.get("/staff/outbox?status=pending", headers=admin).get_json()
    assert pending["total"] == 1
    assert pending["items"][0]["payload"]["new_path"] == "HQ/BR02/SB01"
    assert pending["items"][0]["attempts"] == 1 and "down" in pending["items"][0]["last_error"]
    sender.down = False
    assert deliver_events(settings, sender) == {"delivered": 1, "rejected": 0, "failed": 0}
    assert [p["code"] for _d, _p, p in sender.sent] == ["SB01"]
    assert client.get("/staff/outbox?status=pending", headers=admin).get_json()["total"] == 0


def test_events_left_behind_are_retried_in_order_on_a_later_write(client, admin, org, sender,
                                                                  app):
    sender.down = True
    client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "BR02"})
    client.post("/staff/org-units/SB02/move", headers=admin, json={"parent": "BR02"})
    sender.down = False
    with app.app_context():  # make the backoff due now
        for event in db.session.query(OutboxEvent):
            event.next_attempt_at = None
        db.session.commit()
    resp = client.post("/staff/org-units", headers=admin, json={
        "code": "SB09", "name_zh": "新支行", "type": "sub_branch", "parent": "BR01"})
    assert resp.status_code == 201
    assert [p["code"] for _d, _p, p in sender.sent] == ["SB01", "SB02"]


class FakeAuth(BaseHTTPRequestHandler):
    """Answers the token endpoint and records org events (or refuses them when down)."""

    events: ClassVar[list[dict]] = []
    headers_seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/auth/token":
            self._answer(200, {"access_token": "staff-token", "token_type": "Bearer",
                               "expires_in": 300})
        elif self.path == "/auth/org-events":
            FakeAuth.headers_seen.append(self.headers.get("Authorization", ""))
            FakeAuth.events.append(json.loads(body))
            self._answer(202, {"status": "accepted"})
        else:
            self._answer(404, {})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_auth():
    FakeAuth.events, FakeAuth.headers_seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeAuth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _real_sender_app(settings, verifier, auth_url):
    settings.urls = {**settings.urls, "auth": auth_url}
    settings.token_url = f"{auth_url}/auth/token"
    # Generous, so a loaded machine cannot time the delivery out; "auth down" stays fast
    # because it points at a closed port, which refuses at once.
    settings.http_timeout = 5.0
    return create_app(settings, verifier=verifier)


def test_auth_receives_the_move_over_http_with_staffs_client_token(settings, verifier, tokens,
                                                                   fake_auth):
    app = _real_sender_app(settings, verifier, fake_auth)
    client = app.test_client()
    admin = bearer(tokens.user(sub="admin", roles=[("admin", "*", "*")]))
    for body in ({"code": "HQ", "name_zh": "总行", "type": "head_office", "parent": None},
                 {"code": "BR01", "name_zh": "一", "type": "branch", "parent": "HQ"},
                 {"code": "BR02", "name_zh": "二", "type": "branch", "parent": "HQ"},
                 {"code": "SB01", "name_zh": "支", "type": "sub_branch", "parent": "BR01"}):
        assert client.post("/staff/org-units", headers=admin, json=body).status_code == 201
    resp = client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "BR02"})
    assert resp.status_code == 200
    assert FakeAuth.events == [{"event": "moved", "code": "SB01", "old_path": "HQ/BR01/SB01",
                                "new_path": "HQ/BR02/SB01"}]
    assert FakeAuth.headers_seen == ["Bearer staff-token"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_with_auth_unreachable_over_http_the_move_succeeds_and_waits(settings, verifier,
                                                                    tokens):
    closed = f"http://127.0.0.1:{free_port()}"
    app = _real_sender_app(settings, verifier, closed)
    client = app.test_client()
    admin = bearer(tokens.user(sub="admin", roles=[("admin", "*", "*")]))
    for body in ({"code": "HQ", "name_zh": "总行", "type": "head_office", "parent": None},
                 {"code": "BR01", "name_zh": "一", "type": "branch", "parent": "HQ"},
                 {"code": "BR02", "name_zh": "二", "type": "branch", "parent": "HQ"},
                 {"code": "SB01", "name_zh": "支", "type": "sub_branch", "parent": "BR01"}):
        client.post("/staff/org-units", headers=admin, json=body)
    resp = client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "BR02"})
    assert resp.status_code == 200
    pending = client.get("/staff/outbox?status=pending", headers=admin).get_json()
    assert [e["payload"]["code"] for e in pending["items"]] == ["SB01"]
    assert deliver_events(settings)["failed"] == 1
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
