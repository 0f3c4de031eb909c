"""The server's own limits answer problem+json (issue 14.6): what gunicorn refuses before the
app sees anything (414, 431, 400), the body limit (413), and the same at the nginx gateway —
each beside a request just inside the limit that is served."""

from __future__ import annotations

import contextlib
import json
import socket

import pytest

from shared import server_errors
from tests.e2e.harness import Stack
from tests.e2e.test_gateway import Gateway

LINE = server_errors.LIMIT_REQUEST_LINE


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory, pg_server):
    with Stack(tmp_path_factory.mktemp("limits"), ["auth"], pg=pg_server) as stack:
        yield stack


@pytest.fixture(scope="module")
def gateway(auth_server, tmp_path_factory):
    upstreams = {name: f"127.0.0.1:{port}" for name, port in auth_server.ports.items()}
    gw = Gateway(tmp_path_factory.mktemp("limits-gateway"), upstreams).start()
    yield gw
    gw.stop()


def _raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as it is (no client library trims or refuses it); status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        # The server may answer and close before the whole body is sent.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = [int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in
               (line.split(":", 1) for line in lines[1:] if ":" in line)}
    return int(lines[0].split()[1]), headers, body


def _get(path: str, *headers: str) -> bytes:
    extra = "".join(f"{h}\r\n" for h in headers)
    return f"GET {path} HTTP/1.1\r\nHost: limits.test\r\n{extra}Connection: close\r\n\r\n".encode()


def _long_path(line_length: int) -> str:
    """`/auth/health?q=…` making the request line `GET <path> HTTP/1.1` this long."""
    fixed = len("GET /auth/health?q= HTTP/1.1")
    return "/auth/health?q=" + "a" * (line_length - fixed)


def _problem(answer: tuple[int, dict[str, str], bytes], status: int) -> None:
    got, headers, body = answer
    assert got == status, (got, body[:200])
    assert headers["content-type"] == "application/problem+json"
    doc = json.loads(body)
    assert doc["status"] == status and doc["type"] == "about:blank" and doc["detail"]


def _ok(answer: tuple[int, dict[str, str], bytes]) -> None:
    assert answer[0] == 200, answer


@pytest.fixture(params=["gunicorn", "gateway"])
def port(request, auth_server) -> int:
    """auth's gunicorn itself, or the nginx gateway in front of it."""
    if request.param == "gunicorn":
        return auth_server.ports["auth"]
    return request.getfixturevalue("gateway").port


def test_an_over_long_url_is_a_414_problem(port):
    _ok(_raw(port, _get(_long_path(LINE - 200))))
    _problem(_raw(port, _get(_long_path(LINE + 500))), 414)


def test_an_over_long_header_is_a_431_problem(port):
    _ok(_raw(port, _get("/auth/health", "X-Note: " + "a" * 4000)))
    _problem(_raw(port, _get("/auth/health", "X-Note: " + "a" * 9000)), 431)


def test_too_many_header_fields_are_a_431_problem(port):
    limit = server_errors.LIMIT_REQUEST_FIELDS
    # Host and Connection are two fields (the gateway adds a few of its own upstream).
    _ok(_raw(port, _get("/auth/health", *(f"X-F{i}: v" for i in range(limit - 10)))))
    _problem(_raw(port, _get("/auth/health", *(f"X-F{i}: v" for i in range(limit + 5)))), 431)


def test_an_unreadable_request_line_is_a_400_problem(port):
    _ok(_raw(port, _get("/auth/health")))
    _problem(_raw(port, b"NOT AN HTTP REQUEST\r\n\r\n"), 400)


def test_an_over_large_body_is_a_413_problem(port):

    def post(size: int) -> bytes:
        body = b"grant_type=password&username=nobody&password=" + b"x" * size
        return (b"POST /auth/token HTTP/1.1\r\nHost: limits.test\r\nConnection: close\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)

    assert _raw(port, post(1000))[0] == 400  # the control: read, and refused as OAuth says
    _problem(_raw(port, post(server_errors.MAX_BODY_BYTES + 1024)), 413)


def test_every_operation_documents_the_server_limits(auth_server):
    spec = auth_server.request("GET", "auth", "/openapi.json").json()
    operations = [(path, op) for path, item in spec["paths"].items()
                  for method, op in item.items() if method in {"get", "post", "patch", "delete"}]
    assert operations
    for path, op in operations:
        codes = set(op["responses"])
        assert {"414", "431"} <= codes, path
        assert ("413" in codes) == ("requestBody" in op), path
    problem = spec["components"]["responses"]["REQUEST_URI_TOO_LONG"]["content"]
    assert "application/problem+json" in problem
