"""The console's local server: `make run` serves it on port 8080 beside the services.

It does what the nginx gateway (`deploy/nginx.conf.template`) does in compose, so that the
browser sees ONE origin and the console needs no CORS from any service:

* `/console/…` — the static files under `console/static/` (HTML, CSS, plain JS modules; no
  build step), each with the console's Content Security Policy and security headers;
* `/` — a redirect to `/console/`; `/console/health` — `{"status": "ok"}` for the runner;
* `/auth/`, `/staff/`, `/leave/`, `/performance/`, `/.well-known/` — passed to the service
  (`HR_<SERVICE>_URL`, default 127.0.0.1:800x) with the URI, method, headers and body
  untouched, `X-Forwarded-For` appended and the caller's `X-Request-ID` kept; a service that
  cannot be reached is a 503 problem, as the gateway answers.

Why the standard library (a threading HTTP server, `http.client`): this is a development
server for one person's browser, it must start in well under a second beside four gunicorns,
and it must add no dependency. Production puts nginx in front (the same CSP is set there;
`tests/console/test_serving.py` checks the two are the same string).

    python -m console.server            # HR_CONSOLE_PORT (8080), HR_HOST (127.0.0.1)
"""

from __future__ import annotations

import http.client
import json
import mimetypes
import os
import re
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parent / "static"
DEFAULT_PORT = 8080
UPSTREAM_PORTS = {"auth": 8001, "staff": 8002, "leave": 8003, "performance": 8004}
#: Which service answers under which first path segment (the gateway's table).
ROUTES = {"auth": "auth", "staff": "staff", "leave": "leave", "performance": "performance",
          ".well-known": "auth"}

#: The console's Content Security Policy: scripts, styles, images and API calls from this
#: origin only — no inline script or style, no eval, no framing, no plugins. The gateway sets
#: the very same string (checked by a test); the org chart's SVG is drawn into the page as
#: DOM nodes, so it needs no exception.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'; object-src 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml",
         ".json": "application/json", ".ico": "image/x-icon", ".png": "image/png"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade", "host"}
MAX_BODY = 2 * 1024 * 1024  # as the gateway's client_max_body_size
#: Operators' metrics are for the internal network only: refused here as at the gateway. The
#: path is matched decoded and with repeated slashes merged, as the services route it
#: (`/staff/%6Detrics` reaches the metrics view).
METRICS = re.compile(r"/[^/]+/metrics/?")
#: Set on every proxied answer, as the gateway does: no sniffing an export or the SVG chart
#: into HTML, no framing the API docs.
PROXIED_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


def upstreams(environ: dict[str, str]) -> dict[str, tuple[str, int]]:
    """Host and port of each service, from `HR_<SERVICE>_URL` (as the runner sets them)."""
    found = {}
    for name, port in UPSTREAM_PORTS.items():
        url = urllib.parse.urlsplit(environ.get(f"HR_{name.upper()}_URL")
                                    or f"http://127.0.0.1:{port}")
        found[name] = (url.hostname or "127.0.0.1", url.port or port)
    return found


def static_file(path: str) -> Path | None:
    """The file under STATIC that `/console/<rest>` names, or None (never outside STATIC)."""
    rest = path[len("/console/"):] or "index.html"
    candidate = (STATIC / rest).resolve()
    if STATIC not in candidate.parents or not candidate.is_file():
        return None
    return candidate


class ConsoleHandler(BaseHTTPRequestHandler):
    server_version = "hr-console"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # --- answers -------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _problem(self, status: int, title: str, detail: str) -> None:
        body = json.dumps({"type": "about:blank", "title": title, "status": status,
                           "detail": detail}).encode()
        self._send(status, body, {"Content-Type": "application/problem+json"})

    # --- routing -------------------------------------------------------------------------

    def _route(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        first = path.lstrip("/").split("/", 1)[0]
        if METRICS.fullmatch(re.sub("/+", "/", urllib.parse.unquote(path))):
            self._problem(404, "Not Found", "No service answers under this path.")
        elif first in ROUTES and path.startswith(f"/{first}/"):
            self._proxy(ROUTES[first])
        elif path in ("/", "/console"):
            self._send(302, b"", {"Location": "/console/"})
        elif path == "/console/health":
            self._send(200, b'{"status": "ok"}', {"Content-Type": "application/json"})
        elif path.startswith("/console/") and self.command in ("GET", "HEAD"):
            self._static(path)
        elif path.startswith("/console/"):
            self._problem(405, "Method Not Allowed", "The console's files are only read.")
        else:
            self._problem(404, "Not Found", "No service answers under this path.")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _route

    def _static(self, path: str) -> None:
        found = static_file(path)
        if found is None:
            self._problem(404, "Not Found", "No such file in the console.")
            return
        kind = TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0] \
            or "application/octet-stream"
        # no-cache: the browser revalidates, so a new version shows on the next load.
        self._send(200, found.read_bytes(), {"Content-Type": kind, "Cache-Control": "no-cache",
                                             **SECURITY_HEADERS})

    def _proxy(self, service: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._problem(413, "Payload Too Large", "At most 2 MiB.")
            return
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        peer = self.client_address[0]
        forwarded = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{forwarded}, {peer}" if forwarded else peer
        headers["X-Forwarded-Host"] = self.headers.get("Host", "")
        headers["Host"] = self.headers.get("Host", "")
        host, port = self.server.upstreams[service]  # type: ignore[attr-defined]
        conn = http.client.HTTPConnection(host, port, timeout=60)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
        except OSError:
            self._problem(503, "Service Unavailable",
                          "The service behind this path cannot be reached.")
            return
        finally:
            conn.close()
        out = {k: v for k, v in resp.getheaders()
               if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
               and k not in PROXIED_HEADERS}
        self._send(resp.status, payload, {**out, **PROXIED_HEADERS})

    def log_message(self, format: str, *args: Any) -> None:
        if os.environ.get("HR_CONSOLE_QUIET") != "1":
            sys.stderr.write(f"[console] {self.address_string()} {format % args}\n")


class ConsoleServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], environ: dict[str, str]) -> None:
        super().__init__(address, ConsoleHandler)
        self.upstreams = upstreams(environ)


def serve(host: str, port: int, environ: dict[str, str]) -> ConsoleServer:
    """Start serving in a background thread (tests); `.shutdown()` stops it."""
    server = ConsoleServer((host, port), environ)
    threading.Thread(target=server.serve_forever, name="console", daemon=True).start()
    return server


def main() -> int:
    env = dict(os.environ)
    port = int(env.get("HR_CONSOLE_PORT") or DEFAULT_PORT)
    try:
        server = ConsoleServer((env.get("HR_HOST") or "127.0.0.1", port), env)
    except OSError as exc:
        sys.stderr.write(f"[console] cannot listen on port {port}: {exc.strerror} "
                         "(HR_CONSOLE_PORT moves the console, HR_CONSOLE=0 leaves it out)\n")
        return 1

    def stop(_signum: int, _frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
