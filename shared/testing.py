"""Helpers the test suites share: signing keys, token minting, free ports, a throwaway
PostgreSQL server, and fresh databases per test on either store.

Importing this module in production code is a mistake; it lives in `shared/` only so that
every service's tests build tokens and databases the same way.
"""

from __future__ import annotations

import base64
import http.client
import itertools
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ROOT = Path(__file__).resolve().parent.parent
ROLES_FILE = ROOT / "data" / "reference" / "roles.yaml"


def load_migration(migrations_dir: Path, filename: str) -> Any:
    """A migration script as a module (its constants: the tables its triggers watch)."""
    import importlib.util

    path = Path(migrations_dir) / "versions" / filename
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_as_operator(url: str, statement: str, **params: Any) -> None:
    """Run SQL as an operator would: a connection of its own, outside the service."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
    finally:
        engine.dispose()


def comparable(resp: Any) -> tuple[int, dict[str, str], bytes]:
    """A test client answer as status, headers (but its request id and date) and bytes."""
    headers = {k: v for k, v in resp.headers.items() if k not in {"X-Request-ID", "Date"}}
    return resp.status_code, headers, resp.data


def raw_get(netloc: str, path: str) -> tuple[int, Any, str]:
    """GET `path` exactly as written (`requests` would normalise `%6D` or `/./` itself):
    status, the response (for its headers) and the body as text."""
    conn = http.client.HTTPConnection(netloc, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp, resp.read().decode()
    finally:
        conn.close()


#: What one request looked like from outside: status, headers (sorted), body, the access
#: lines it wrote, and how much its route's 200 counter moved.
Seen = tuple[int, list[tuple[str, str]], bytes, list[dict[str, Any]], float]


def seen_answer(client: Any, caplog: Any, *, service: str, route: str, method: str,
                url: str, **kwargs: Any) -> Seen:
    """Send one request with Flask's test client and record everything a caller, an
    operator's log and the metrics see of it (`shared.direct`'s lanes are held to this)."""
    import logging

    from prometheus_client import REGISTRY

    labels = {"service": service, "route": route, "method": method, "status": "200"}
    caplog.clear()
    before = REGISTRY.get_sample_value("hr_http_requests_total", labels) or 0.0
    with caplog.at_level(logging.INFO, logger="hr.access"):
        resp = client.open(url, method=method, **kwargs)
    lines = [{k: getattr(r, k) for k in ("method", "path", "status", "sub", "remote",
                                          "request_id")}
             for r in caplog.records if r.name == "hr.access"]
    after = REGISTRY.get_sample_value("hr_http_requests_total", labels) or 0.0
    return (resp.status_code, sorted(resp.headers.items()), resp.get_data(), lines,
            after - before)


def both_paths(lanes: Any, send: Any) -> tuple[Seen, Seen, int]:
    """`send()` through a service's direct lanes, then through Flask alone (`lanes.enabled`
    off): (the lanes' answer, Flask's, how many the lanes answered: 0 or 1)."""
    answered = lanes.answered
    lanes.enabled = True
    try:
        fast = send()
        took = lanes.answered - answered
        lanes.enabled = False
        slow = send()
    finally:
        lanes.enabled = True
    return fast, slow, took


@contextmanager
def statements_sent(engine: Any) -> Iterator[list[str]]:
    """The SQL statements `engine` sends inside the block, in order (queries-per-request
    tests count them; SQLAlchemy's `before_cursor_execute` sees the ORM, Core and
    `shared.prepared` alike)."""
    from sqlalchemy import event

    seen: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


#: Where `free_port` looks: below Linux's ephemeral range (32768–60999), which the kernel
#: draws from for every outgoing connection and for `bind(0)`, and clear of 8001–8004.
PORT_RANGE = range(20000, 32768)
#: Ports per pytest-xdist worker: each worker looks in its own band.
PORT_BAND = 1500
#: Where this process starts counting in its band (at random: two runs side by side that
#: share a band do not walk through it in step).
_next_port = itertools.count(random.randrange(PORT_BAND))


def free_port() -> int:
    """A TCP port on loopback that nothing holds now and that nobody else will take before
    the caller's server binds it.

    Asking the kernel (`bind(0)`) and binding later left a window: another test worker, or
    any outgoing connection of the busy suite, could be handed the same port meanwhile.
    Here each worker (`PYTEST_XDIST_WORKER`) counts through its own band below the
    ephemeral range (a run without workers takes a band by its process id), and a port is
    returned only if binding it succeeds now."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")[2:]
    bands = len(PORT_RANGE) // PORT_BAND
    band = int(worker) if worker.isdigit() else os.getpid()
    start = PORT_RANGE.start + band % bands * PORT_BAND
    for _ in range(PORT_BAND):
        port = start + next(_next_port) % PORT_BAND
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue  # held (a server of this worker, or a socket closing)
        return port
    raise RuntimeError(f"no free port in {start}–{start + PORT_BAND - 1}")


def default_role_permissions() -> dict[str, frozenset[str]]:
    data = yaml.safe_load(ROLES_FILE.read_text(encoding="utf-8"))
    everything = frozenset(data["permissions"])
    return {name: everything if spec["permissions"] == "ALL" else frozenset(spec["permissions"])
            for name, spec in data["roles"].items()}


@dataclass
class SigningKey:
    """An RSA key pair with a kid, able to mint tokens and publish its JWKS."""

    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    private_key: Any = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))

    def jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update(kid=self.kid, use="sig", alg="RS256")
        return jwk

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk()]}

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, claims: dict[str, Any], *, kid: str | None = None, alg: str = "RS256",
             typ: str = "at+jwt") -> str:
        headers = {"kid": kid or self.kid, "typ": typ}
        # The parsed key for RSA (PyJWT would re-parse a PEM with its key checks, tens of ms
        # a token, on every call); the PEM bytes for any other algorithm (an HMAC secret).
        key = self.private_key if alg.startswith(("RS", "PS")) else self.private_pem()
        return jwt.encode(claims, key, algorithm=alg, headers=headers)


@dataclass
class TokenFactory:
    """Mints access tokens shaped exactly like auth's, for tests of the other services."""

    key: SigningKey
    issuer: str
    permissions: dict[str, frozenset[str]] = field(default_factory=default_role_permissions)

    def claims(self, *, sub: str = "user-1", emp: str | None = None,
               roles: list[tuple[str, str, str]] | None = None, ttl: int = 300,
               **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "sub": sub, "iat": now, "exp": now + ttl,
            "jti": uuid.uuid4().hex, "emp": emp, "token_kind": "user",
            "roles": [{"role": r, "org": o, "path": p,
                       "permissions": sorted(self.permissions[r])} for r, o, p in roles or []],
        }
        claims.update(extra)
        return claims

    def user(self, **kw: Any) -> str:
        return self.key.sign(self.claims(**kw))

    def client(self, client_id: str, scope: list[str], ttl: int = 300) -> str:
        now = int(time.time())
        return self.key.sign({"iss": self.issuer, "sub": client_id, "client_id": client_id,
                              "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex,
                              "roles": [], "scope": " ".join(scope), "token_kind": "client"})


def alg_none_token(claims: dict[str, Any], kid: str) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    import json

    header = {"alg": "none", "typ": "at+jwt", "kid": kid}
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}."


# --- PostgreSQL -----------------------------------------------------------------------------

def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    base = Path("/usr/lib/postgresql")
    if base.exists():
        versions = sorted((p for p in base.iterdir() if (p / "bin" / "pg_ctl").exists()),
                          key=lambda p: p.name)
        if versions:
            return versions[-1] / "bin"
    return None


class PostgresServer:
    """A throwaway PostgreSQL cluster on a free loopback port, run as the `postgres` user
    when we are root (initdb refuses root). Stopped and deleted by `stop()`."""

    def __init__(self) -> None:
        bindir = _pg_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="hr-pg-"))
        self.datadir = self.root / "data"
        self.user = "postgres"
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True,  # noqa: S603 - fixed binaries, our own arguments
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> PostgresServer:
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.datadir), "-U", self.user, "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        self._start_server()
        return self

    def _start_server(self) -> None:
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -k {self.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=300 -c shared_buffers=128MB")
        self._run("pg_ctl", "-D", str(self.datadir), "-o", opts, "-w", "-t", "60",
                  "-l", str(self.root / "server.log"), "start")

    def shut_down(self) -> None:
        """Stop the server but keep its data (`start_again()` brings it back, same port):
        a database restart as the services see one."""
        self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")

    def start_again(self) -> None:
        self._start_server()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        tmpl = f' TEMPLATE "{template}"' if template else ""
        self.execute(f'CREATE DATABASE "{name}"{tmpl}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class DatabaseFactory:
    """Fresh, fully migrated databases per test, cheaply: migrate a template once per
    (service, store), then copy it (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
    PostgreSQL)."""

    def __init__(self, store: str, workdir: Path, pg: PostgresServer | None = None) -> None:
        self.store = store
        self.workdir = workdir
        self.pg = pg
        self._templates: dict[str, str] = {}
        self._created: list[str] = []

    def _template(self, service: str, migrations_dir: Path) -> str:
        from shared.db import upgrade

        if service not in self._templates:
            if self.store == "sqlite":
                path = self.workdir / f"template-{service}.db"
                upgrade(migrations_dir, f"sqlite:///{path}")
                self._templates[service] = str(path)
            else:
                assert self.pg is not None
                name = f"tmpl_{service}"
                url = self.pg.create_database(name)
                upgrade(migrations_dir, url)
                self._templates[service] = name
        return self._templates[service]

    def fresh(self, service: str, migrations_dir: Path) -> str:
        template = self._template(service, migrations_dir)
        name = f"{service}_{uuid.uuid4().hex[:10]}"
        if self.store == "sqlite":
            path = self.workdir / f"{name}.db"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"
        assert self.pg is not None
        self._created.append(name)
        return self.pg.create_database(name, template=template)

    def empty(self, service: str) -> str:
        """A database with no schema at all (for a migration test that stops half-way);
        `drop` removes it."""
        name = f"{service}_empty_{uuid.uuid4().hex[:10]}"
        if self.store == "sqlite":
            return f"sqlite:///{self.workdir / name}.db"
        assert self.pg is not None
        return self.pg.create_database(name)

    def drop(self, url: str) -> None:
        if self.store == "sqlite":
            path = Path(url[len("sqlite:///"):])
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        elif self.pg is not None:
            self.pg.drop_database(url.rsplit("/", 1)[1])
