"""shared.http.ServiceClient against real sockets: a server that is down, one that stumbles,
one that is slow — and the request id following a request from one service to the next.

The "other service" is a tiny threaded http.server on a free loopback port that answers from
a script and records what it received.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask

from shared.errors import ServiceUnavailable
from shared.http import ClientCredentialsToken, PooledTransport, ServiceClient
from shared.logging import install_request_logging
from shared.settings import TestSettings
from shared.testing import free_port


class Recorded:
    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes,
                 peer: int = 0) -> None:
        self.method, self.path, self.headers, self.body = method, path, headers, body
        self.peer = peer  # the client's port: one per connection


class FakeService:
    """Answers each request with the next `(status, body)` of `script` (the last repeats)."""

    def __init__(self, script: list[tuple[int, dict]] | None = None, delay: float = 0.0,
                 idle: float | None = None) -> None:
        """`idle`: close a kept-alive connection after that many seconds without a request
        (as gunicorn's keep-alive does)."""
        self.script = list(script or [(200, {"ok": True})])
        self.delay = delay
        self.seen: list[Recorded] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = idle

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake._lock:
                    fake.seen.append(Recorded(self.command, self.path,
                                              dict(self.headers.items()), body,
                                              self.client_address[1]))
                    status, payload = (fake.script.pop(0) if len(fake.script) > 1
                                       else fake.script[0])
                if fake.delay:
                    time.sleep(fake.delay)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a client that timed out has gone: nobody to answer

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                        daemon=True)

    def __enter__(self) -> FakeService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class CountingSession(PooledTransport):
    """The real transport, counting the attempts the client makes, including those that
    never reach a server."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts: list[tuple[str, str]] = []

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        self.attempts.append((method, url))
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def down_url() -> str:
    """A loopback port nobody listens on: connections are refused at once."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def fake() -> Iterator[FakeService]:
    with FakeService() as server:
        yield server


def client(url: str, **kw) -> tuple[ServiceClient, CountingSession]:
    session = CountingSession()
    # Generous: a stalled thread on a loaded machine must not turn into a timeout and a retry
    # the server also counts. Only the slow-server test asks for a short one.
    kw.setdefault("timeout", 5.0)
    kw.setdefault("backoff", 0.01)
    return ServiceClient(url, name="staff", session=session, **kw), session


# --- A service that is down --------------------------------------------------------------

def test_connection_refused_is_a_503_after_bounded_retries(down_url):
    svc, session = client(down_url, retries=2)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as info:
        svc.get("/staff/org-units/SB01")
    assert time.monotonic() - started < 3
    assert info.value.status == 503
    assert "staff" in info.value.detail
    assert len(session.attempts) == 3  # the first try and two retries, no more


def test_post_is_never_retried(down_url):
    svc, session = client(down_url, retries=5)
    with pytest.raises(ServiceUnavailable):
        svc.post("/staff/employees", json={"employee_no": "E1"})
    assert len(session.attempts) == 1


def test_post_that_gets_a_503_is_not_resent():
    with FakeService([(503, {"status": 503})]) as server:
        svc, _ = client(server.url, retries=3)
        with pytest.raises(ServiceUnavailable):
            svc.post("/staff/employees", json={"employee_no": "E1"})
    assert [r.method for r in server.seen] == ["POST"]


def test_a_server_that_stays_unavailable_is_a_503_after_the_retries():
    with FakeService([(503, {"status": 503})]) as server:
        svc, _ = client(server.url, retries=2)
        with pytest.raises(ServiceUnavailable):
            svc.get("/staff/health")
    assert len(server.seen) == 3


# --- A service that stumbles, then answers ------------------------------------------------

@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_is_retried_after_a_transient_error(status):
    with FakeService([(status, {"status": status}), (200, {"code": "SB01"})]) as server:
        svc, _ = client(server.url, retries=2)
        resp = svc.get("/staff/org-units/SB01")
    assert resp.status_code == 200
    assert resp.json() == {"code": "SB01"}
    assert [r.path for r in server.seen] == ["/staff/org-units/SB01"] * 2


def test_client_errors_are_answers_not_retries():
    with FakeService([(404, {"status": 404}), (200, {})]) as server:
        svc, _ = client(server.url, retries=2)
        assert svc.get("/staff/org-units/NOPE").status_code == 404
    assert len(server.seen) == 1


def test_query_parameters_and_json_bodies_reach_the_other_service_as_sent():
    with FakeService([(200, {"items": []})]) as server:
        svc, _ = client(server.url)
        assert svc.get("/staff/employees", params={"org": "SB 01/外", "page": 2}).json() == {
            "items": []}
        assert svc.post("/auth/role-holders", json={"pairs": [{"org": "网点"}]}
                        ).status_code == 200
    listing, posted = server.seen
    assert listing.path == "/staff/employees?org=SB+01%2F%E5%A4%96&page=2"
    assert posted.headers["Content-Type"] == "application/json"
    assert json.loads(posted.body) == {"pairs": [{"org": "网点"}]}


def test_a_slow_server_times_out_into_a_503():
    # The server takes 4 s, far beyond the 0.2 s timeout: two attempts give up in well under
    # a second, while waiting for even one answer would overrun the 3 s bound (and succeed).
    with FakeService(delay=4.0) as server:
        svc, _ = client(server.url, retries=1, timeout=0.2)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            svc.get("/staff/health")
        assert time.monotonic() - started < 3.0


# --- Kept connections ---------------------------------------------------------------------

def test_a_thread_sends_its_calls_over_one_kept_connection():
    with FakeService() as server:
        svc, _ = client(server.url)
        for _ in range(3):
            assert svc.get("/staff/health").status_code == 200
        assert svc.post("/auth/role-holders", json={"pairs": []}).status_code == 200
    assert len({r.peer for r in server.seen}) == 1 and len(server.seen) == 4


def test_another_thread_gets_a_connection_of_its_own():
    with FakeService() as server:
        svc, _ = client(server.url)
        svc.get("/staff/health")
        other = threading.Thread(target=svc.get, args=("/staff/health",))
        other.start()
        other.join()
        svc.get("/staff/health")
    first, elsewhere, again = (r.peer for r in server.seen)
    assert first == again != elsewhere


def test_a_connection_the_server_closed_while_idle_is_replaced_even_for_a_post():
    # A POST is never resent, so a stale connection must be found before it is used.
    with FakeService(idle=0.2) as server:
        svc, session = client(server.url, retries=0)
        assert svc.get("/staff/health").status_code == 200
        time.sleep(0.6)  # the server has closed the idle connection
        assert svc.post("/auth/role-holders", json={"pairs": []}).status_code == 200
    assert len(session.attempts) == 2
    assert server.seen[0].peer != server.seen[1].peer


def test_a_forked_child_opens_its_own_connections(monkeypatch):
    import shared.http

    with FakeService() as server:
        svc, _ = client(server.url)
        svc.get("/staff/health")
        monkeypatch.setattr(shared.http.os, "getpid", lambda: -1)  # as in a forked child
        svc.get("/staff/health")
    assert server.seen[0].peer != server.seen[1].peer


# --- Request ids and tokens ---------------------------------------------------------------

def test_the_request_id_follows_the_request_to_the_next_service(fake, tmp_path):
    """A request arriving with X-Request-ID at one service carries it to the next."""
    app = Flask("caller")
    install_request_logging(app, TestSettings("leave", {"HR_DATA_DIR": str(tmp_path)}))
    svc, _ = client(fake.url)

    @app.get("/leave/probe")
    def probe():
        return {"status": svc.get("/staff/org-units/SB01").status_code}

    resp = app.test_client().get("/leave/probe", headers={"X-Request-ID": "rid-follow-0001"})
    assert resp.status_code == 200
    assert resp.headers["X-Request-ID"] == "rid-follow-0001"
    assert fake.seen[0].headers["X-Request-ID"] == "rid-follow-0001"

    # Without an incoming id one is minted, and that one is forwarded.
    resp = app.test_client().get("/leave/probe")
    minted = resp.headers["X-Request-ID"]
    assert len(minted) >= 8
    assert fake.seen[1].headers["X-Request-ID"] == minted


def test_retries_keep_the_request_id(tmp_path):
    app = Flask("caller")
    install_request_logging(app, TestSettings("leave", {"HR_DATA_DIR": str(tmp_path)}))
    with FakeService([(503, {}), (200, {})]) as server:
        svc, _ = client(server.url, retries=2)
        with app.test_request_context(headers={"X-Request-ID": "rid-retry-0001"}):
            app.preprocess_request()
            assert svc.get("/staff/health").status_code == 200
    assert [r.headers["X-Request-ID"] for r in server.seen] == ["rid-retry-0001"] * 2


def test_the_service_token_is_sent_and_renewed_once_on_401():
    with FakeService([(200, {"access_token": "t1", "expires_in": 300}),
                      (200, {"access_token": "t2", "expires_in": 300})]) as auth, \
         FakeService([(401, {}), (200, {"ok": True})]) as staff:
        token = ClientCredentialsToken(f"{auth.url}/auth/token", "svc-leave", "s3cret",
                                       timeout=5)
        svc = ServiceClient(staff.url, name="staff", token=token, timeout=5, backoff=0.01)
        assert svc.get("/staff/health").status_code == 200
    assert [r.headers["Authorization"] for r in staff.seen] == ["Bearer t1", "Bearer t2"]
    assert auth.seen[0].headers["Authorization"].startswith("Basic ")
    assert b"grant_type=client_credentials" in auth.seen[0].body


def test_auth_down_means_the_service_token_is_unavailable(down_url):
    token = ClientCredentialsToken(f"{down_url}/auth/token", "svc-leave", "s3cret", timeout=1)
    with FakeService() as staff:
        svc = ServiceClient(staff.url, name="staff", token=token, timeout=1, backoff=0.01)
        with pytest.raises(ServiceUnavailable) as info:
            svc.get("/staff/health")
    assert info.value.status == 503
    assert staff.seen == []
    assert "s3cret" not in repr(token)
