"""The real staff gateway over HTTP against a tiny stub of auth's token endpoint and staff:
performance's own client token, 404 → none, relations paged, staff down → 503."""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from services.performance.staff import StaffGateway
from shared.errors import ServiceUnavailable
from shared.settings import TestSettings
from shared.testing import free_port
from tests.performance.fakes import chain_of


class StubStaff:
    """Answers `/auth/token` and the staff routes performance uses; records what it saw."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str | None]] = []
        self.bodies: list[tuple[str | None, bytes]] = []
        self.failing = False

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.seen.append((request.method, request.full_path.rstrip("?"),
                          request.headers.get("Authorization")))
        self.bodies.append((request.content_type, request.get_data()))
        if request.path == "/auth/token":
            body = {"access_token": "svc-token", "token_type": "Bearer", "expires_in": 300}
            return Response(json.dumps(body), mimetype="application/json")(environ,
                                                                           start_response)
        if self.failing:
            return Response("down", status=503)(environ, start_response)
        parts = request.path.strip("/").split("/")
        answer, status = None, 404
        if parts[:2] == ["staff", "employees"] and parts[3:] == ["chain"]:
            answer = chain_of(parts[2])
        elif parts[:2] == ["staff", "employees"] and parts[3:] == ["relations"]:
            page = int(request.args["page"])
            items = [{"employee_no": "E100", "related_no": f"R{n}"} for n in range(3)]
            answer = {"items": items[page - 1:page], "total": 3, "page": page, "per_page": 1}
        elif parts[:2] == ["staff", "employees"] and parts[3:] == ["qualifications"]:
            answer, status = {"id": 1}, 201
        if answer is not None and status == 404:
            status = 200
        return Response(json.dumps(answer), status=status, mimetype="application/json")(
            environ, start_response)


@pytest.fixture
def stub():
    app = StubStaff()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    settings = TestSettings("performance", {"HR_STAFF_URL": url, "HR_AUTH_URL": url,
                                            "HR_PERFORMANCE_CLIENT_ID": "svc-performance",
                                            "HR_PERFORMANCE_CLIENT_SECRET": "s3cret"})
    gateway = StaffGateway(settings)
    gateway.client.backoff = 0
    yield app, gateway
    server.shutdown()


def test_the_gateway_asks_staff_with_performances_own_token(stub):
    app, gateway = stub
    assert gateway.chain("E100")["unit"]["code"] == "SB01"
    assert gateway.chain("NOPE") is None
    assert gateway.related("E100") == {"R0", "R1", "R2"}
    assert gateway.send("staff", "/staff/employees/E100/qualifications", {"x": 1}) == 201
    token_calls = [s for s in app.seen if s[1] == "/auth/token"]
    assert len(token_calls) == 1  # fetched once, reused
    staff_calls = [s for s in app.seen if s[1] != "/auth/token"]
    assert all(auth == "Bearer svc-token" for _, _, auth in staff_calls)
    pages = [path for _, path, _ in staff_calls if "/relations" in path]
    assert pages == [f"/staff/employees/E100/relations?page={n}&per_page=200"
                     for n in (1, 2, 3)]  # followed to the last page staff answers


def test_staff_answering_503_becomes_service_unavailable(stub):
    app, gateway = stub
    app.failing = True
    with pytest.raises(ServiceUnavailable):
        gateway.chain("E100")
    with pytest.raises(ServiceUnavailable):
        gateway.send("staff", "/staff/employees/E100/qualifications", {})
    app.failing = False
    assert gateway.chain("E100") is not None  # and it recovers by itself


def test_staff_unreachable_becomes_service_unavailable(stub):
    _app, gateway = stub
    assert gateway.chain("E100") is not None  # control: staff answers
    gateway.client.base_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(ServiceUnavailable):
        gateway.chain("E100")
    with pytest.raises(ServiceUnavailable):
        gateway.send("staff", "/staff/employees/E100/qualifications", {"x": 1})


def test_the_gateway_sends_json_bodies_as_requests_would(stub):
    app, gateway = stub
    payload = {"reason": "取消资格", "reference": "incident:7", "n": 1}
    assert gateway.send("staff", "/staff/employees/E100/qualifications", payload) == 201
    content_type, body = app.bodies[-1]
    assert content_type == "application/json" and json.loads(body) == payload
