"""The gateway (deploy/nginx.conf.template) in front of the real services, with Debian's nginx.

nginx runs in the foreground on a free port, with its configuration rendered by
deploy/render_gateway.py, its logs, pid and temp files in a temporary directory. Without an
nginx binary the tests skip, except under CI=true (.ci/run installs nginx), where they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from shared.settings import SERVICES
from shared.testing import raw_get
from tests.e2e.conftest import require
from tests.e2e.harness import ROOT, free_port

pytestmark = pytest.mark.e2e

RENDER = ROOT / "deploy" / "render_gateway.py"
PREFIXES = {"auth": "/auth", "staff": "/staff", "leave": "/leave", "performance": "/performance"}


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed (CI installs it: apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return found


class Gateway:
    def __init__(self, workdir: Path, upstreams: dict[str, str]) -> None:
        self.binary = nginx_binary()
        self.dir = workdir
        self.port = free_port()
        self.upstreams = upstreams
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gateway:
        conf = self.dir / "nginx.conf"
        sets = [f"--set=GATEWAY_PORT=127.0.0.1:{self.port}"] + [
            f"--set={name.upper()}_UPSTREAM={addr}" for name, addr in self.upstreams.items()]
        subprocess.run([sys.executable, str(RENDER), "--standalone", "--prefix", str(self.dir),
                        "-o", str(conf), *sets], check=True, env={"PATH": os.environ["PATH"]})
        self.proc = subprocess.Popen(
            [self.binary, "-c", str(conf), "-p", str(self.dir),
             "-g", f"daemon off; pid {self.dir}/nginx.pid;"],
            stdout=subprocess.DEVNULL, stderr=open(self.dir / "stderr.log", "wb"),  # noqa: SIM115
            start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited:\n" + self.logs())
            try:
                if requests.get(f"{self.url}/gateway/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("nginx did not answer within 10 s:\n" + self.logs())
            time.sleep(0.05)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in
                         (self.dir / "stderr.log", self.dir / "error.log") if p.exists())

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@pytest.fixture(scope="module")
def gateway(stack, tmp_path_factory):
    upstreams = {name: f"127.0.0.1:{stack.ports[name]}" for name in SERVICES}
    gw = Gateway(tmp_path_factory.mktemp("gateway"), upstreams).start()
    yield gw
    gw.stop()


@pytest.mark.parametrize("service", SERVICES)
def test_each_prefix_reaches_its_service(gateway, stack, service):
    require(service)
    resp = requests.get(f"{gateway.url}{PREFIXES[service]}/health", timeout=5,
                        headers={"X-Request-ID": f"gw-{service}-0001"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"status": "ok"}
    assert resp.headers["X-Request-ID"] == f"gw-{service}-0001"
    spec = requests.get(f"{gateway.url}{PREFIXES[service]}/openapi.json", timeout=5)
    assert spec.status_code == 200
    assert spec.json() == stack.request("GET", service, "/openapi.json").json()


def test_the_gateway_mints_a_request_id(gateway):
    require("leave")
    resp = requests.get(f"{gateway.url}/leave/health", timeout=5)
    assert len(resp.headers["X-Request-ID"]) >= 8


def test_rfc8414_metadata_location_goes_to_auth(gateway, stack):
    require("auth")
    direct = stack.http.get(f"{stack.base_url('auth')}/.well-known/oauth-authorization-server/auth",
                            timeout=5)
    if direct.status_code == 404:
        pytest.skip("auth does not serve /.well-known/oauth-authorization-server/auth yet")
    via = requests.get(f"{gateway.url}/.well-known/oauth-authorization-server/auth", timeout=5)
    assert via.status_code == 200
    assert via.json() == direct.json()


def test_login_through_the_gateway(gateway, stack):
    require("auth")
    resp = requests.post(f"{gateway.url}/auth/token", timeout=10, data={
        "grant_type": "password", "username": stack.admin_username,
        "password": stack.admin_password})
    assert resp.status_code == 200, resp.text
    assert resp.json()["token_type"].lower() == "bearer"


def test_unknown_paths_are_404_problems(gateway):
    resp = requests.get(f"{gateway.url}/payroll/health", timeout=5)
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert resp.json()["status"] == 404


# --- Routing and headers, seen from the upstream side (no service needed) -------------------

class _Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"upstream": self.server.name, "path": self.path,  # type: ignore[attr-defined]
                           "headers": dict(self.headers.items())}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def echo_gateway(tmp_path_factory):
    servers = {}
    for name in SERVICES:
        srv = ThreadingHTTPServer(("127.0.0.1", free_port()), _Echo)
        srv.name = name  # type: ignore[attr-defined]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers[name] = srv
    gw = Gateway(tmp_path_factory.mktemp("echo-gateway"),
                 {n: f"127.0.0.1:{s.server_address[1]}" for n, s in servers.items()})
    gw.start()
    yield gw
    gw.stop()
    for srv in servers.values():
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize(("path", "upstream"), [
    ("/auth/token", "auth"),
    ("/auth/.well-known/jwks.json", "auth"),
    ("/.well-known/oauth-authorization-server/auth", "auth"),
    ("/staff/org-units/SB01/tree?x=1&y=%E4%B8%AD", "staff"),
    ("/leave/requests/42", "leave"),
    ("/performance/scorecards?page=2", "performance"),
])
def test_routes_by_prefix_without_rewriting(echo_gateway, path, upstream):
    resp = requests.get(f"{echo_gateway.url}{path}", timeout=5,
                        headers={"X-Request-ID": "route-test-0001"})
    assert resp.status_code == 200
    seen = resp.json()
    assert seen["upstream"] == upstream
    assert seen["path"] == path
    assert seen["headers"]["X-Request-ID"] == "route-test-0001"
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"


def test_forwarded_headers_are_appended_and_request_id_minted(echo_gateway):
    resp = requests.get(f"{echo_gateway.url}/leave/types", timeout=5,
                        headers={"X-Forwarded-For": "203.0.113.7"})
    headers = resp.json()["headers"]
    assert headers["X-Forwarded-For"] == "203.0.113.7, 127.0.0.1"
    assert len(headers["X-Request-ID"]) == 32  # nginx's $request_id


def test_a_service_that_is_down_answers_503(tmp_path):
    down = {name: f"127.0.0.1:{free_port()}" for name in SERVICES}
    gw = Gateway(tmp_path, down).start()
    try:
        resp = requests.get(f"{gw.url}/staff/health", timeout=10)
    finally:
        gw.stop()
    assert resp.status_code == 503
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert resp.json()["status"] == 503


def test_metrics_are_not_served_through_the_gateway(gateway, stack):
    require("staff")
    direct = stack.request("GET", "staff", "/metrics")
    assert direct.status_code == 200  # positive control: the internal network gets them
    assert "hr_http_requests_total" in direct.text
    for prefix in PREFIXES.values():
        via = requests.get(f"{gateway.url}{prefix}/metrics", timeout=5)
        assert via.status_code == 404
        assert via.headers["Content-Type"] == "application/problem+json"
        assert "hr_http" not in via.text


@pytest.mark.parametrize("path", ["/staff/org-units/SB01/chart.svg", "/leave/requests.csv",
                                  "/auth/api-docs/swagger-ui"])
def test_proxied_answers_may_not_be_sniffed_or_framed(echo_gateway, path):
    upstream = echo_gateway.upstreams[path.split("/")[1]]
    direct = requests.get(f"http://{upstream}{path}", timeout=5)
    assert direct.status_code == 200  # the service's own answer carries neither header
    assert "X-Content-Type-Options" not in direct.headers
    assert "X-Frame-Options" not in direct.headers
    resp = requests.get(f"{echo_gateway.url}{path}", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Server"] == "nginx"  # server_tokens off: no version to look up


@pytest.mark.parametrize("path", ["/staff/metrics", "/auth/metrics/", "/leave//metrics",
                                  "/performance/%6Detrics", "/staff/./metrics"])
def test_metrics_are_refused_however_the_path_is_spelled(echo_gateway, path):
    served = requests.get(f"{echo_gateway.url}/staff/org-units/SB01/tree", timeout=5)
    assert served.status_code == 200  # positive control: the service's other paths pass
    status, _resp, body = raw_get(f"127.0.0.1:{echo_gateway.port}", path)
    assert status == 404
    assert "upstream" not in body
