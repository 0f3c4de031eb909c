"""Real services over real HTTP, for end-to-end tests.

`Stack` starts the chosen services exactly as `make run` does — one gunicorn each, with
`shared.gunicorn_conf` — but on free loopback ports, in an isolated `HR_DATA_DIR`, pointing at
each other, with a known bootstrap admin and the store under test (SQLite files, or one
database per service on the throwaway PostgreSQL server). Every gunicorn runs in its own
process group and dies with the test process, so nothing outlives a crashed test run.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests

from shared.runner import _child_setup, gunicorn_command
from shared.settings import SERVICES
from shared.testing import ROOT, PostgresServer, free_port

START_TIMEOUT = 60.0


def written_services() -> list[str]:
    """The services whose code exists in this checkout (others are still being written)."""
    return [s for s in SERVICES
            if all((ROOT / "services" / s / f).exists() for f in ("app.py", "wsgi.py"))]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pids_with_env(key: str, value: str) -> set[int]:
    """Every live process whose environment holds `key=value` (Linux /proc; needs the same
    user or root)."""
    needle = f"{key}={value}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and needle in env.split(b"\0"):
            found.add(int(entry.name))
    return found


class StackError(RuntimeError):
    pass


class Stack:
    """Some of the four services, started with gunicorn; `with Stack(...) as stack:`."""

    def __init__(self, workdir: Path, services: Iterable[str] | None = None, *,
                 demo: bool = False, pg: PostgresServer | None = None,
                 extra_env: dict[str, str] | None = None,
                 database_urls: dict[str, str] | None = None) -> None:
        self.services = [s for s in SERVICES if s in set(services or SERVICES)]
        self.workdir = Path(workdir)
        self.data_dir = self.workdir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.demo = demo
        self.pg = pg
        self.ports = {s: free_port() for s in SERVICES}
        while len(set(self.ports.values())) < len(SERVICES):  # pragma: no cover - unlucky
            self.ports = {s: free_port() for s in SERVICES}
        self.admin_username = "admin"
        self.admin_password = "Adm1n-" + secrets.token_urlsafe(18)
        self.extra_env = dict(extra_env or {})
        self.database_urls = dict(database_urls or {})  # given: used as they are, kept
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, Any] = {}
        self._databases: list[str] = []
        self._admin_token: tuple[str, float] | None = None
        self.http = requests.Session()

    # --- addresses -------------------------------------------------------------------

    def base_url(self, service: str) -> str:
        """The service's origin, no prefix: `http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.ports[service]}"

    def url(self, service: str, path: str = "") -> str:
        """`url("leave", "/types")` → `http://127.0.0.1:<port>/leave/types`."""
        return f"{self.base_url(service)}/{service}{path}"

    @property
    def issuer(self) -> str:
        return f"{self.base_url('auth')}/auth"

    # --- environment -----------------------------------------------------------------

    def _database_url(self, service: str) -> str:
        if service in self.database_urls:
            return self.database_urls[service]
        if self.pg is None:
            return f"sqlite:///{self.data_dir / (service + '.db')}"
        name = f"e2e_{service}_{uuid.uuid4().hex[:8]}"
        self._databases.append(name)
        return self.pg.create_database(name)

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("HR_", "GUNICORN_")) and not k.endswith("_DATABASE_URL")}
        env.update({
            "HR_ENV": "test",
            "HR_DATA_DIR": str(self.data_dir),
            "HR_ISSUER": self.issuer,
            "HR_BOOTSTRAP_ADMIN": f"{self.admin_username}:{self.admin_password}",
            "HR_DEMO": "1" if self.demo else "0",
            "HR_WORKERS": "1",
            "HR_THREADS": "8",
            "HR_GRACEFUL_TIMEOUT": "2",
            "HR_LOG_LEVEL": "INFO",
            # Cheap password hashes: logins are many here, and hashing cost is not under test.
            "HR_ARGON2_TIME_COST": "1",
            "HR_ARGON2_MEMORY_KIB": "256",
            "HR_ARGON2_PARALLELISM": "1",
        })
        for name in SERVICES:
            env[f"HR_{name.upper()}_PORT"] = str(self.ports[name])
            env[f"HR_{name.upper()}_URL"] = self.base_url(name)
        env.update(self.extra_env)
        return env

    # --- life cycle ------------------------------------------------------------------

    def start(self, timeout: float = START_TIMEOUT) -> Stack:
        from shared.settings import write_service_clients_file

        write_service_clients_file(self.data_dir)
        try:
            for name in self.services:
                self.database_urls[name] = self._database_url(name)
                self._spawn(name)
            self.wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name: str) -> None:
        env = dict(self.environment(), HR_SERVICE=name)
        env[f"{name.upper()}_DATABASE_URL"] = self.database_urls[name]
        log = self._logs.get(name) or open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self._logs[name] = log
        self.procs[name] = subprocess.Popen(
            gunicorn_command(), env=env, cwd=ROOT, stdout=log, stderr=log,
            start_new_session=True, preexec_fn=_child_setup(os.getpid()))

    def kill_service(self, name: str) -> None:
        """SIGKILL the service's whole process group (master and workers), as a crash or an
        OOM kill would: no graceful shutdown, requests in flight are cut."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait()

    def restart_service(self, name: str, timeout: float = START_TIMEOUT) -> None:
        """Start a killed or stopped service again on the same port and database."""
        if self.procs[name].poll() is None:
            self.kill_service(name)
        self._spawn(name)
        self.wait_healthy(timeout, only=[name])

    def pause_service(self, name: str, paused: bool = True) -> None:
        """SIGSTOP (or SIGCONT) the service's process group: it accepts connections but
        answers nothing, as a hung or overloaded service does."""
        os.killpg(self.procs[name].pid, signal.SIGSTOP if paused else signal.SIGCONT)

    def wait_healthy(self, timeout: float, only: list[str] | None = None) -> None:
        pending = list(only or self.services)
        deadline = time.monotonic() + timeout
        while pending:
            for name in list(pending):
                code = self.procs[name].poll()
                if code is not None:
                    raise StackError(f"{name} exited during start-up ({code}):\n"
                                     + self.log_tail(name))
                try:
                    if self.http.get(self.url(name, "/health"), timeout=2).status_code == 200:
                        pending.remove(name)
                except requests.RequestException:
                    pass
            if pending and time.monotonic() > deadline:
                raise StackError(f"not healthy within {timeout:.0f} s: {pending}\n"
                                 + "\n".join(self.log_tail(n) for n in pending))
            if pending:
                time.sleep(0.1)

    def log_tail(self, service: str, lines: int = 40) -> str:
        path = self.workdir / f"{service}.log"
        try:
            text = path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"--- {service} log ---\n" + "\n".join(text)

    def log_entries(self, service: str) -> list[dict[str, Any]]:
        """The service's JSON log lines so far (gunicorn's own plain lines left out)."""
        import json

        entries = []
        for line in (self.workdir / f"{service}.log").read_text(errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    entries.append(json.loads(line))
        return entries

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # leftovers, workers included
            proc.wait()
        for log in self._logs.values():
            log.close()
        self.http.close()
        if self.pg is not None:
            for name in self._databases:
                # Best effort: the server is thrown away at the end of the session anyway.
                with contextlib.suppress(Exception):
                    self.pg.drop_database(name)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- helpers for tests -----------------------------------------------------------

    def login(self, username: str, password: str) -> str:
        """Password grant at auth → the access token (fails the test on anything but 200)."""
        resp = self.http.post(self.url("auth", "/token"), data={
            "grant_type": "password", "username": username, "password": password}, timeout=10)
        if resp.status_code != 200:
            raise AssertionError(f"login {username!r}: {resp.status_code} {resp.text[:300]}")
        return resp.json()["access_token"]

    def admin_token(self) -> str:
        if self._admin_token is None or self._admin_token[1] < time.monotonic():
            token = self.login(self.admin_username, self.admin_password)
            self._admin_token = (token, time.monotonic() + 240)
        return self._admin_token[0]

    def units(self, admin: str, *units: tuple[str, str, str | None]) -> None:
        """Create org units `(code, type, parent)` in order through staff (fails the test on
        anything but 201); the Chinese name is the code."""
        for code, kind, parent in units:
            resp = self.request("POST", "staff", "/org-units", token=admin, json={
                "code": code, "name_zh": code, "type": kind, "parent": parent})
            if resp.status_code != 201:
                raise AssertionError(f"unit {code}: {resp.status_code} {resp.text[:300]}")

    def hire(self, admin: str, employee_no: str, org: str, position: str,
             hire_date: str = "2015-03-02") -> None:
        """Hire an employee through staff (fails the test on anything but 201)."""
        resp = self.request("POST", "staff", "/employees", token=admin, json={
            "employee_no": employee_no, "name": f"Name {employee_no}", "org": org,
            "position": position, "hire_date": hire_date})
        if resp.status_code != 201:
            raise AssertionError(f"hire {employee_no}: {resp.status_code} {resp.text[:300]}")

    def person(self, admin: str, username: str, employee_no: str, role: str, org: str,
               password: str) -> str:
        """A user linked to `employee_no`, holding `role` over `org`; their access token."""
        user = self.request("POST", "auth", "/users", token=admin, json={
            "username": username, "password": password, "display_name": username,
            "employee_no": employee_no})
        if user.status_code != 201:
            raise AssertionError(f"user {username}: {user.status_code} {user.text[:300]}")
        bound = self.request("POST", "auth", f"/users/{user.json()['id']}/roles", token=admin,
                             json={"role": role, "org": org})
        if bound.status_code != 201:
            raise AssertionError(f"bind {username}: {bound.status_code} {bound.text[:300]}")
        return self.login(username, password)

    def request(self, method: str, service: str, path: str, *, token: str | None = None,
                **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", 10)
        return self.http.request(method, self.url(service, path), headers=headers, **kwargs)
