"""Replay lanes: a hot route's answers replayed while nothing they depend on has changed.

Some questions are asked again and again (the same token, the same body or query), and
their answer is a function of only three things: the request, what the service's database
says, and the clock (token expiry, today's date). A lane is WSGI middleware in front of
Flask that keeps each 200 answer the full Flask path produced, keyed by the exact request
(the service's `key` function says which requests qualify and what identifies them),
together with

- the service's **generation**: a counter in a one-row table that the database itself
  raises (triggers, whoever writes) at the commit of every change to what those answers
  read — read *before* anything the answer was built from: by the view (auth's gate reads
  it in its own query) or, with `read_first`, by the lane just before passing the request
  to Flask;
- the instants it stops holding: when the caller's token stops being trusted and, where
  the answer depends on the date, the next local midnight.

A later identical request is answered from it after one read of the generation — a
one-row primary-key read on a connection the serving thread keeps for it — only if the
generation is unchanged and neither instant has passed; the answer is the same bytes and
headers with a fresh request id, and the access line is logged as for any request.
Everything else — a request the key function refuses, an unseen request, a changed
generation, an error, an answer the view did not mark — goes to Flask unchanged, and only
the full path can put an answer here. So a change shows on the very next request, in every
worker and on every host sharing the database: the change and the new generation become
visible in the same commit.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event

from shared.logging import REQUEST_ID_HEADER, log_access, request_id_from
from shared.metrics import count_replay

_REQUEST_ID_ENVIRON = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
NEVER = float("inf")

StartResponse = Callable[..., Any]
Key = Callable[[dict[str, Any]], "tuple[Any, ...] | None"]


@dataclass(frozen=True)
class Replayable:
    """What the full path tells the lane about an answer it built (put in the WSGI environ
    under the lane's `environ_key`). `generation` None: the one the lane read first."""

    generation: int | None
    until: float  # epoch seconds (wall clock): when the caller's token stops being trusted
    clock_until: float  # the app's clock, epoch seconds: when the answer's date ends
    sub: str | None


@dataclass(frozen=True)
class _Entry:
    replayable: Replayable
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class ReplayLane:
    """`app.wsgi_app = ReplayLane(app.wsgi_app, engine=…, clock=…, key=…, …)`."""

    def __init__(self, wsgi_app: Callable[..., Any], *, engine: Callable[[], Engine],
                 clock: Callable[[], float], key: Key, generation_sql: str,
                 statement: bytes, environ_key: str, read_first: bool = False,
                 size: int = 4096, max_bytes: int = 32 << 20) -> None:
        self.next = wsgi_app
        self._engine = engine
        self._clock = clock
        self._key = key
        self._sql = generation_sql
        self._statement = statement
        self.environ_key = environ_key
        self.read_first = read_first
        self.size = size
        self.max_bytes = max_bytes
        self._bytes = 0
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
        if not self.enabled:
            return self.next(environ, start_response)
        started = time.perf_counter()
        key = self._key(environ)
        if key is None:
            return self.next(environ, start_response)
        entry = self._entries.get(key)
        current = None  # the generation, once read for this request
        if entry is not None and self._in_time(entry.replayable):
            current = self._current()
            if current is not None and current == entry.replayable.generation:
                self.hits += 1
                count_replay(self.environ_key, hit=True)
                return self._replay(entry, environ, start_response, started)
        count_replay(self.environ_key, hit=False)
        return self._through(key, environ, start_response, current)

    def _in_time(self, replayable: Replayable) -> bool:
        return self.wall() < replayable.until and self._clock() < replayable.clock_until

    def _current(self) -> int | None:
        """The generation, or None when the database is unreachable (Flask then answers,
        503, as ever, and nothing is kept)."""
        try:
            return self.generation()
        except Exception:
            return None

    def _replay(self, entry: _Entry, environ: dict[str, Any], start_response: StartResponse,
                started: float) -> Iterable[bytes]:
        rid = request_id_from(environ.get(_REQUEST_ID_ENVIRON))
        start_response(entry.status, [*entry.headers, (REQUEST_ID_HEADER, rid)])
        log_access(method=environ["REQUEST_METHOD"], path=environ["PATH_INFO"], status=200,
                   started=started, sub=entry.replayable.sub, remote=environ.get("REMOTE_ADDR"),
                   request_id=rid)
        return [entry.body]

    def _through(self, key: tuple[Any, ...], environ: dict[str, Any],
                 start_response: StartResponse, current: int | None) -> Iterable[bytes]:
        """Let Flask answer; keep the answer if the view marked it replayable. With
        `read_first`, the generation read before Flask (`current`, if this request already
        read it) is the one the answer is kept under."""
        first = current if current is not None or not self.read_first else self._current()
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.next(environ, capture)
        replayable = environ.get(self.environ_key)
        if isinstance(replayable, Replayable) and replayable.generation is None:
            replayable = dataclasses.replace(replayable, generation=first) \
                if first is not None else None
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
        """Bounded in entries and in bytes: the oldest quarter goes when either is full (dicts
        keep order); an answer of more than a sixteenth of the bytes is not kept."""
        size = len(entry.body)
        if size > self.max_bytes // 16:
            return
        with self._lock:
            while self._entries and (len(self._entries) >= self.size
                                     or self._bytes + size > self.max_bytes):
                for old in list(self._entries)[: max(1, len(self._entries) // 4)]:
                    self._bytes -= len(self._entries.pop(old).body)
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous.body)
            self._entries[key] = entry
            self._bytes += size

    # --- the generation -------------------------------------------------------------------
    def generation(self) -> int:
        """The current generation: one primary-key read, outside any transaction, on this
        thread's own connection (see `_GenerationReader`). A failed read drops the
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
        reader = _GenerationReader(engine, self._epoch, self._sql, self._statement)
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

    def __init__(self, engine: Engine, epoch: int, sql: str, statement: bytes) -> None:
        self.epoch = epoch
        self.sql = sql
        self.statement = statement
        fairy = engine.raw_connection()
        self.raw = fairy.driver_connection
        fairy.detach()
        self.pgconn = None
        if engine.dialect.name == "postgresql":
            from psycopg import pq

            self.raw.autocommit = True
            self.pgconn = self.raw.pgconn
            self._tuples_ok = pq.ExecStatus.TUPLES_OK
            prepared = self.pgconn.prepare(statement, sql.encode())
            if prepared.status != pq.ExecStatus.COMMAND_OK:
                raise RuntimeError(prepared.error_message.decode(errors="replace"))
        else:
            self.cursor = self.raw.cursor()

    def read(self) -> int:
        if self.pgconn is not None:
            result = self.pgconn.exec_prepared(self.statement, None)
            if result.status != self._tuples_ok or result.ntuples != 1:
                raise RuntimeError(result.error_message.decode(errors="replace"))
            return int(result.get_value(0, 0))
        self.cursor.execute(self.sql)
        return int(self.cursor.fetchone()[0])

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:  # already broken: nothing more to release
            return
