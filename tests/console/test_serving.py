"""How the console is served: by its own server under `make run` (console/server.py) and by
the nginx gateway (deploy/nginx.conf.template) — the same files, the same strict Content
Security Policy, one origin for the files and the four services' APIs. No browser here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from console.server import CSP, STATIC, serve
from shared.settings import SERVICES
from shared.testing import ROOT, free_port, raw_get

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        out = json.dumps({"upstream": self.server.name, "path": self.path,  # type: ignore[attr-defined]
                          "method": self.command, "body": body,
                          "headers": dict(self.headers.items())}).encode()
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def console():
    """The console's server in a thread, in front of four echo servers."""
    echoes = {}
    for name in SERVICES:
        srv = ThreadingHTTPServer(("127.0.0.1", free_port()), _Echo)
        srv.name = name  # type: ignore[attr-defined]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        echoes[name] = srv
    env = {f"HR_{n.upper()}_URL": f"http://127.0.0.1:{s.server_address[1]}"
           for n, s in echoes.items()}
    server = serve("127.0.0.1", free_port(), env)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    for srv in echoes.values():
        srv.shutdown()
        srv.server_close()


def test_the_console_page_comes_with_its_content_security_policy(console):
    page = requests.get(f"{console}/console/", timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Content-Security-Policy"] == CSP
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    script = requests.get(f"{console}/console/js/main.js", timeout=5)
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")  # modules need it
    assert requests.get(f"{console}/", allow_redirects=False,
                        timeout=5).headers["Location"] == "/console/"


def test_only_files_under_the_console_are_served(console):
    assert requests.get(f"{console}/console/js/main.js", timeout=5).status_code == 200
    for path in ("/console/../server.py", "/console/%2e%2e/server.py",
                 "/console/missing.js", "/etc/passwd"):
        resp = requests.get(f"{console}{path}", timeout=5)
        assert resp.status_code == 404, path
        assert resp.headers["Content-Type"] == "application/problem+json"
    assert requests.post(f"{console}/console/index.html", timeout=5).status_code == 405


@pytest.mark.parametrize(("path", "upstream"), [
    ("/auth/token", "auth"), ("/staff/org-units/SB01/tree?x=1", "staff"),
    ("/leave/requests/42", "leave"), ("/performance/rules?page=2", "performance"),
    ("/.well-known/oauth-authorization-server/auth", "auth"),
])
def test_api_paths_go_to_their_service_untouched(console, path, upstream):
    resp = requests.post(f"{console}{path}", json={"a": 1}, timeout=5,
                         headers={"X-Request-ID": "console-0001", "Authorization": "Bearer t"})
    assert resp.status_code == 201
    seen = resp.json()
    assert (seen["upstream"], seen["path"], seen["method"]) == (upstream, path, "POST")
    assert json.loads(seen["body"]) == {"a": 1}
    assert seen["headers"]["Authorization"] == "Bearer t"
    assert seen["headers"]["X-Request-ID"] == "console-0001"
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"


def test_a_service_that_is_down_is_a_503_problem():
    down = {f"HR_{n.upper()}_URL": f"http://127.0.0.1:{free_port()}" for n in SERVICES}
    server = serve("127.0.0.1", free_port(), down)
    try:
        resp = requests.get(f"http://127.0.0.1:{server.server_address[1]}/leave/health",
                            timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    assert resp.status_code == 503
    assert resp.headers["Content-Type"] == "application/problem+json"


def test_a_taken_port_stops_the_console_server_with_a_hint():
    """`make run` then stops everything (a service that cannot start) and the hint says how
    to move the console; a free port serves (the positive control)."""
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "console.server"], cwd=ROOT, timeout=30,
                             capture_output=True, text=True,
                             env={"PATH": os.environ["PATH"], "HR_CONSOLE_PORT": str(taken)})
    assert run.returncode == 1
    assert f"cannot listen on port {taken}" in run.stderr and "HR_CONSOLE_PORT" in run.stderr
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "console.server"], cwd=ROOT,
                            env={"PATH": os.environ["PATH"], "HR_CONSOLE_PORT": str(port)})
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                resp = requests.get(f"http://127.0.0.1:{port}/console/health", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert resp.json() == {"status": "ok"}
    finally:
        proc.terminate()  # SIGTERM: the server shuts down cleanly
        assert proc.wait(timeout=10) == 0


def test_the_gateway_sets_the_same_policy_as_the_console_server():
    text = TEMPLATE.read_text(encoding="utf-8")
    found = re.findall(r'add_header Content-Security-Policy "([^"]+)" always;', text)
    assert found == [CSP]
    assert "alias ${CONSOLE_ROOT}/;" in text
    rendered = subprocess.run([sys.executable, str(ROOT / "deploy" / "render_gateway.py")],
                              check=True, capture_output=True, text=True, env={}).stdout
    assert f"alias {STATIC}/;" in rendered


def test_the_gateway_serves_the_console_with_its_policy(tmp_path):
    """nginx itself (skips without it, fails under CI=true): the files, their types, the CSP."""
    from tests.e2e.test_gateway import Gateway

    gw = Gateway(tmp_path, {n: f"127.0.0.1:{free_port()}" for n in SERVICES}).start()
    try:
        page = requests.get(f"{gw.url}/console/", timeout=5)
        script = requests.get(f"{gw.url}/console/js/main.js", timeout=5)
        missing = requests.get(f"{gw.url}/console/missing.js", timeout=5)
        root = requests.get(f"{gw.url}/", allow_redirects=False, timeout=5)
        posted = requests.post(f"{gw.url}/console/index.html", timeout=5)
        api = requests.get(f"{gw.url}/leave/health", timeout=10)
    finally:
        gw.stop()
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Content-Security-Policy"] == CSP
    assert page.text == (STATIC / "index.html").read_text(encoding="utf-8")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert script.headers["Content-Security-Policy"] == CSP
    assert missing.status_code == 404
    assert root.status_code == 302 and root.headers["Location"].endswith("/console/")
    assert posted.status_code == 403
    assert api.status_code == 503  # the services behind it are down; the console is not


def test_the_pages_hold_no_inline_script_or_style_and_nothing_from_elsewhere():
    files = [p for p in STATIC.rglob("*") if p.is_file()]
    assert any(p.suffix == ".js" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        # Nothing fetched from elsewhere (an XML namespace is a name, not a fetch).
        assert not re.search(r"https?://(?!www\.w3\.org/)", text), \
            f"{path.name} names another origin"
        if path.suffix == ".html":
            assert not re.search(r"<script(?![^>]*\bsrc=)", text), path.name
            assert "<style" not in text and " style=" not in text, path.name
            assert not re.search(r"\son[a-z]+=", text), path.name  # no inline handlers
        if path.suffix == ".js":
            assert "eval(" not in text and "new Function" not in text, path.name
            assert ".style." not in text and "setAttribute('style'" not in text, path.name


@pytest.mark.parametrize("path", ["/staff/metrics", "/auth/metrics/", "/leave//metrics",
                                  "/performance/%6Detrics"])
def test_metrics_are_refused_as_the_gateway_refuses_them(console, path):
    served = requests.get(f"{console}/staff/org-units/SB01/tree", timeout=5)
    assert served.status_code == 200  # positive control: the service's other paths pass
    status, resp, body = raw_get(urllib.parse.urlsplit(console).netloc, path)
    assert status == 404
    assert resp.getheader("Content-Type") == "application/problem+json"
    assert "upstream" not in body


def test_proxied_answers_may_not_be_sniffed_or_framed(console):
    resp = requests.get(f"{console}/staff/org-units/SB01/chart.svg", timeout=5)
    assert resp.status_code == 200
    assert resp.json()["upstream"] == "staff"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
