"""The check lane: `/auth/check` answers replayed while nothing they depend on has changed.

Systems ask the same question again and again (the same token, the same permission, the
same unit), and a check's answer is a function of only three things: the request (bearer
token, body), what the database says (users, roles, bindings, cached org paths, clients,
signing keys, revocations, sign-ins) and the clock (token expiry, today's date). So this WSGI
middleware, in front of Flask, keeps each 200 answer the full Flask path produced, keyed by
the exact request, together with

- the **decision generation** (`models.AuthState`) the full path read *before* anything else
  — a counter the database itself raises at the commit of every change to those tables
  (migration 0003's triggers, whoever writes), and
- the instants it stops holding: when either token's remembered verification ends (its
  `exp`, see `service.tokens.usable_until`) and the next local midnight (bindings are dated).

A later identical request is answered from it after one read of the generation — a
one-row primary-key read on a connection the serving thread keeps for it — only if the
generation is unchanged and neither instant has passed; the answer is the same bytes and
headers with a fresh request id, and the access line is logged as for any request.
Everything else — another path or method, a query string, an unseen request, a changed
generation, an error, a body that is not plain — goes to Flask unchanged, and only the
full path can put an answer here. So removing a binding, disabling a user, revoking a
token or ending a sign-in shows on the very next check, in every worker and on every host
sharing the database: the change and the new generation become visible in the same
commit.

Why at the WSGI layer: the check is the platform's hottest route, and under gunicorn the
Flask request machinery, the bearer gate and the two queries cost several times what the
bare framework does (bench/README.md, issue #4's target).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event

from shared.logging import REQUEST_ID_HEADER, log_access, request_id_from

PATHS = frozenset({"/auth/check", "/auth/check/batch"})
#: Set by the check views (`api.checks._replayable`): the generation and the instants the
#: answer was built under. Absent: the answer is not kept.
ENVIRON_KEY = "hr.auth.check_lane"
GENERATION_SQL = "SELECT generation FROM auth_state WHERE id = 1"
MAX_BODY = 64 * 1024
_REQUEST_ID_ENVIRON = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Replayable:
    """What the full path tells the lane about an answer it built."""

    generation: int
    until: float        # epoch seconds (wall clock): the tokens' remembered verification
    clock_until: float  # the app's clock, epoch seconds: the next local midnight
    sub: str | None


@dataclass(frozen=True)
class _Entry:
    replayable: Replayable
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class CheckLane:
    """WSGI middleware: `app.wsgi_app = CheckLane(app.wsgi_app, engine=…, clock=…)`."""

    def __init__(self, wsgi_app: Callable[..., Any], *, engine: Callable[[], Engine],
                 clock: Callable[[], float], size: int = 4096) -> None:
        self.next = wsgi_app
        self._engine = engine
        self._clock = clock
        self.size = size
        self.enabled = True
        self.hits = 0
        self.wall: Callable[[], float] = time.time  # the tokens' clock (tests move it)
        self._entries: dict[tuple[Any, ...], _Entry] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._readers: set[_GenerationReader] = set()
        self._epoch = 0
        self._listening = False

    # --- WSGI -----------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if (not self.enabled or path not in PATHS or environ.get("REQUEST_METHOD") != "POST"
                or environ.get("QUERY_STRING")):
            return self.next(environ, start_response)
        started = time.perf_counter()
        body = _read_body(environ)
        if body is None:
            return self.next(environ, start_response)
        key = (path, environ.get("CONTENT_TYPE"), environ.get("HTTP_AUTHORIZATION"), body)
        entry = self._entries.get(key)
        if entry is not None and self._still_holds(entry.replayable):
            self.hits += 1
            return self._replay(entry, environ, start_response, started)
        return self._through(key, environ, start_response)

    def _still_holds(self, replayable: Replayable) -> bool:
        if self.wall() >= replayable.until or self._clock() >= replayable.clock_until:
            return False
        try:
            return self._generation() == replayable.generation
        except Exception:  # the database is unreachable: Flask answers (503) as ever
            return False

    def _replay(self, entry: _Entry, environ: dict[str, Any], start_response: StartResponse,
                started: float) -> Iterable[bytes]:
        rid = request_id_from(environ.get(_REQUEST_ID_ENVIRON))
        start_response(entry.status, [*entry.headers, (REQUEST_ID_HEADER, rid)])
        log_access(method="POST", path=environ["PATH_INFO"], status=200, started=started,
                   sub=entry.replayable.sub, remote=environ.get("REMOTE_ADDR"), request_id=rid)
        return [entry.body]

    def _through(self, key: tuple[Any, ...], environ: dict[str, Any],
                 start_response: StartResponse) -> Iterable[bytes]:
        """Let Flask answer; keep the answer if the view marked it replayable."""
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.next(environ, capture)
        replayable = environ.get(ENVIRON_KEY)
        if not isinstance(replayable, Replayable) or not seen.get("status", "").startswith("200"):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        headers = tuple((k, v) for k, v in seen["headers"] if k.lower() != "x-request-id")
        self._keep(key, _Entry(replayable, seen["status"], headers, body))
        return [body]

    def _keep(self, key: tuple[Any, ...], entry: _Entry) -> None:
        with self._lock:
            if len(self._entries) >= self.size:  # drop the oldest quarter (dicts keep order)
                for old in list(self._entries)[: self.size // 4]:
                    self._entries.pop(old, None)
            self._entries[key] = entry

    # --- the generation -------------------------------------------------------------------
    def _generation(self) -> int:
        """The current decision generation: one primary-key read, outside any transaction,
        on this thread's own connection (see `_GenerationReader`). A failed read drops the
        connection; the next request opens another. `Engine.dispose()` (a restart of the
        pool, as the fault tests do) retires every thread's connection too."""
        reader = getattr(self._local, "reader", None)
        if reader is None or reader.epoch != self._epoch:
            if reader is not None:
                self._drop(reader)
            reader = self._local.reader = self._open()
        try:
            return reader.read()
        except Exception:
            self._drop(reader)
            raise

    def _open(self) -> _GenerationReader:
        engine = self._engine()
        with self._lock:
            if not self._listening:
                event.listen(engine, "engine_disposed", self._retire_all)
                self._listening = True
        reader = _GenerationReader(engine, self._epoch)
        with self._lock:
            self._readers.add(reader)
        return reader

    def _drop(self, reader: _GenerationReader) -> None:
        if getattr(self._local, "reader", None) is reader:
            self._local.reader = None
        with self._lock:
            self._readers.discard(reader)
        reader.close()

    def _retire_all(self, _engine: Engine) -> None:
        with self._lock:
            self._epoch += 1
            readers, self._readers = self._readers, set()
        for reader in readers:
            reader.close()


class _GenerationReader:
    """One DBAPI connection a serving thread keeps for reading the generation: detached from
    the engine's pool (it never counts against it, and closing it closes it).

    On PostgreSQL it is in autocommit and runs one statement it prepared itself, through
    psycopg's libpq layer (`psycopg.pq`): one round trip per read, no transaction to end, and
    none of the cursor machinery a single integer does not need. SQLite reads each statement
    afresh outside any transaction."""

    STATEMENT = b"hr_auth_generation"

    def __init__(self, engine: Engine, epoch: int) -> None:
        self.epoch = epoch
        fairy = engine.raw_connection()
        self.raw = fairy.driver_connection
        fairy.detach()
        self.pgconn = None
        if engine.dialect.name == "postgresql":
            from psycopg import pq

            self.raw.autocommit = True
            self.pgconn = self.raw.pgconn
            self._tuples_ok = pq.ExecStatus.TUPLES_OK
            prepared = self.pgconn.prepare(self.STATEMENT, GENERATION_SQL.encode())
            if prepared.status != pq.ExecStatus.COMMAND_OK:
                raise RuntimeError(prepared.error_message.decode(errors="replace"))
        else:
            self.cursor = self.raw.cursor()

    def read(self) -> int:
        if self.pgconn is not None:
            result = self.pgconn.exec_prepared(self.STATEMENT, None)
            if result.status != self._tuples_ok or result.ntuples != 1:
                raise RuntimeError(result.error_message.decode(errors="replace"))
            return int(result.get_value(0, 0))
        self.cursor.execute(GENERATION_SQL)
        return int(self.cursor.fetchone()[0])

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:  # already broken: nothing more to release
            return


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The request body (and put back for Flask), or None when it is not a plain, bounded,
    length-delimited body — such a request goes to Flask as it came."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY or environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    stream = environ["wsgi.input"]
    body = stream.read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body if len(body) == length else None
