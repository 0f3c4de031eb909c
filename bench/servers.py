"""What the bench runs against: gunicorn processes on free loopback ports, a stub JWKS for
the tokens it mints, and (optionally) a throwaway PostgreSQL.

Services start lazily, the first time a scenario asks for one, and all stop at the end: each
gunicorn master gets SIGTERM (its graceful timeout is 5 s), then SIGKILL to its own process
group if it is still there after 20 s. Nothing else is touched.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.load import SERVING_GROUPS
from shared.settings import SERVICES
from shared.testing import PostgresServer, SigningKey, TokenFactory, free_port

ROOT = Path(__file__).resolve().parent.parent
ISSUER = "http://127.0.0.1/bench-issuer/auth"
START_TIMEOUT = 60.0
#: gunicorn 27 opens a control socket at one fixed path per user by default; several
#: masters (the bench's, `make run`'s, the e2e tests') must not share it.
GUNICORN_FLAGS = ("--no-control-socket",)


class ServiceMissing(RuntimeError):
    """The service's package is not there (yet): its rows are skipped, not failed."""


class JWKSServer:
    """Serves one key set at `/jwks.json` on a free loopback port, in a daemon thread.

    `add_keys` publishes more keys beside the bench's (auth's own, for rows where real
    service tokens travel between services)."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self.keys: list[dict[str, Any]] = list(jwks["keys"])
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/jwks.json":
                    self.send_error(404)
                    return
                body = json.dumps({"keys": server.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> JWKSServer:
        self._thread.start()
        return self

    def add_keys(self, jwks: dict[str, Any]) -> None:
        known = {k.get("kid") for k in self.keys}
        self.keys = self.keys + [k for k in jwks.get("keys", []) if k.get("kid") not in known]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Environment:
    """Starts what scenarios need, once each; `close()` stops everything it started."""

    def __init__(self, *, store: str = "sqlite", workers: int | None = None,
                 threads: int | None = None, verbose: bool = False) -> None:
        self.store = store
        self.workers = workers
        self.threads = threads
        self.verbose = verbose
        self.tmp = Path(tempfile.mkdtemp(prefix="hr-bench-"))
        self.key = SigningKey()
        self.tokens = TokenFactory(key=self.key, issuer=ISSUER)
        self.jwks = JWKSServer(self.key.jwks()).start()
        self.pg: PostgresServer | None = None
        self.servers: dict[str, Server] = {}
        self.failed: dict[str, str] = {}
        #: Every service's port is chosen up front, so that each knows where the others
        #: are (`HR_<SERVICE>_URL`) whichever starts first.
        self.ports = {name: free_port() for name in SERVICES}

    # --- tokens ---------------------------------------------------------------------------
    def user_token(self, roles: list[tuple[str, str, str]] | None = None, **kw: Any) -> str:
        """An access token shaped like auth's, signed by the key the services trust here."""
        return self.tokens.user(roles=roles if roles is not None else [("admin", "*", "*")],
                                ttl=kw.pop("ttl", 3600), **kw)

    def bearer(self, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.user_token(**kw)}"}

    # --- processes ------------------------------------------------------------------------
    def _base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not (k.startswith("HR_") or k.endswith("_DATABASE_URL"))}
        env.update({
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            "HR_DATA_DIR": str(self.tmp / "data"), "HR_HOST": "127.0.0.1",
            "HR_DEMO": "0", "HR_ISSUER": ISSUER, "HR_JWKS_URL": self.jwks.url,
            **{f"HR_{name.upper()}_URL": f"http://127.0.0.1:{port}"
               for name, port in self.ports.items()},
        })
        if self.workers is not None:
            env["HR_WORKERS"] = str(self.workers)
        if self.threads is not None:
            env["HR_THREADS"] = str(self.threads)
        return env

    def _database_url(self, name: str) -> str | None:
        if self.store != "postgres":
            return None
        if self.pg is None:
            self.pg = PostgresServer().start()
        return self.pg.create_database(f"bench_{name}")

    def _spawn(self, name: str, args: list[str], env: dict[str, str], port: int,
               health_path: str) -> Server:
        log_path = self.tmp / f"{name}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", *args, *GUNICORN_FLAGS], cwd=ROOT, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        server = Server(name=name, port=port, process=process, log_path=log_path)
        self.servers[name] = server
        SERVING_GROUPS[port] = process.pid  # its own session: the group's id is its pid
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n"
                                   f"{server.log_tail()}")
            try:
                with urllib.request.urlopen(server.base_url + health_path, timeout=2) as resp:
                    if resp.status == 200:
                        return server
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} not healthy within {START_TIMEOUT:.0f}s:\n{server.log_tail()}")

    def service(self, name: str) -> Server:
        """The running service `name` (one of SERVICES, or "bare"), started on first use."""
        if name in self.servers:
            return self.servers[name]
        if name in self.failed:
            raise RuntimeError(self.failed[name])
        try:
            return self._start(name)
        except Exception as exc:
            self.failed[name] = str(exc)
            raise

    def _start(self, name: str) -> Server:
        port = free_port()
        env = self._base_env()
        if name == "bare":
            env["HR_SERVICE"] = "leave"  # only so that the shared settings module loads
            env["HR_BENCH_BIND"] = f"127.0.0.1:{port}"
            url = self._database_url("bare")  # `/bare/one-read`'s store (PostgreSQL only)
            if url:
                env["HR_BENCH_BARE_DATABASE_URL"] = url.replace("postgresql+psycopg://",
                                                                "postgresql://")
            return self._spawn("bare", ["-c", str(ROOT / "bench" / "gunicorn_bare.py")], env,
                               port, "/bare/health")
        if name not in SERVICES:
            raise ValueError(f"unknown service {name!r}")
        if not (ROOT / "services" / name / "wsgi.py").exists():
            raise ServiceMissing(f"services/{name}/wsgi.py does not exist yet")
        port = self.ports[name]
        env["HR_SERVICE"] = name
        env[f"HR_{name.upper()}_PORT"] = str(port)
        url = self._database_url(name)
        if url:
            env[f"{name.upper()}_DATABASE_URL"] = url
        return self._spawn(name, ["-c", str(ROOT / "shared" / "gunicorn_conf.py")], env, port,
                           f"/{name}/health")

    def close(self) -> None:
        for server in self.servers.values():
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGTERM)
        for server in self.servers.values():
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.process.pid, signal.SIGKILL)  # its own session, started here
                server.process.wait(timeout=5)
        self.servers.clear()
        self.jwks.stop()
        if self.pg is not None:
            self.pg.stop()
            self.pg = None
        if not self.verbose:
            import shutil

            shutil.rmtree(self.tmp, ignore_errors=True)
