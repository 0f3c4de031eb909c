"""A small, bounded, closed-loop load generator: threads, one keep-alive connection each.

Raw sockets with ready-made request bytes rather than `http.client` or `requests`: the client
must cost far less than the server it measures, and on a small machine it shares the CPUs
with it. Loopback only.
"""

from __future__ import annotations

import itertools
import math
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Result:
    """What one scenario measured. Latencies in milliseconds."""

    requests: int
    seconds: float
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    unit: str = "req"
    note: str = ""
    #: CPU seconds over the measured window: the serving process group's (all gunicorn
    #: processes; None when it is not known) and this process's (the load generator).
    server_cpu_s: float | None = None
    client_cpu_s: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))  # nearest rank
        return ordered[rank]

    def cpu_us(self, seconds: float | None) -> float | None:
        """CPU microseconds per measured request (steadier than rates on a busy machine)."""
        return None if seconds is None or not self.requests else seconds / self.requests * 1e6

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests, "seconds": round(self.seconds, 3),
            "rate_per_s": round(self.rate, 1), "unit": self.unit, "errors": self.errors,
            "statuses": self.statuses,
            "p50_ms": _round(self.percentile(50)), "p95_ms": _round(self.percentile(95)),
            "p99_ms": _round(self.percentile(99)),
            "mean_ms": _round(sum(self.latencies_ms) / len(self.latencies_ms))
            if self.latencies_ms else None,
            "server_cpu_us": _round(self.cpu_us(self.server_cpu_s)),
            "client_cpu_us": _round(self.cpu_us(self.client_cpu_s)),
            "note": self.note,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


class _Counter:
    """A thread-safe `itertools.count`."""

    def __init__(self, start: int = 0) -> None:
        self._it = itertools.count(start)
        self._lock = threading.Lock()

    def __next__(self) -> int:
        with self._lock:
            return next(self._it)


#: port -> the process group serving it (`bench.servers` registers each gunicorn it starts).
SERVING_GROUPS: dict[int, int] = {}


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in process group `pgid` (Linux)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class _CpuWindow:
    """The server's and this process's CPU seconds between `start()` and `stop()`."""

    def __init__(self, port: int) -> None:
        self.pgid = SERVING_GROUPS.get(port)
        self.server: float | None = None
        self.client: float | None = None

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system

    def start(self) -> None:
        self._s0 = group_cpu_seconds(self.pgid) if self.pgid else None
        self._c0 = self._own()

    def stop(self) -> None:
        if self._s0 is not None and self.pgid:
            self.server = group_cpu_seconds(self.pgid) - self._s0
        self.client = self._own() - self._c0


_source_addresses = _Counter(2)  # 127.0.0.2 onwards, process-wide: never reused in a run


def _next_source() -> str:
    n = next(_source_addresses)
    if n >= 250 * 250:
        raise RuntimeError("out of loopback source addresses")
    return f"127.0.{n // 250}.{n % 250 + 2}" if n >= 250 else f"127.0.0.{n}"


@dataclass
class _Plan:
    """What every worker of one run shares."""

    host: str
    port: int
    path: str
    method: str
    headers: dict[str, str]
    body: Callable[[int], bytes | None]
    expect: int
    stop_at: float
    warm_until: float
    timeout: float
    source_every: int | None
    seq: _Counter = field(default_factory=_Counter)  # every request, warm-up included
    issued: _Counter = field(default_factory=_Counter)  # measured requests
    limit: int = 50_000
    #: (path, extra headers[, body]) per request, in turn, instead of one path
    variants: Sequence[tuple[Any, ...]] = ()

    def __post_init__(self) -> None:
        self._head = self._head_of(self.path, self.headers)
        self._built: tuple[bytes | None, bytes] | None = None
        self.prepared = [self._variant(*v) for v in self.variants]

    def _variant(self, path: str, extra: dict[str, str], body: bytes | None = None) -> bytes:
        head = self._head_of(path, {**self.headers, **extra})
        if body is None:
            return head + b"\r\n"
        return head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body

    def _head_of(self, path: str, headers: dict[str, str]) -> bytes:
        lines = [f"{self.method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 *(f"{k}: {v}" for k, v in headers.items())]
        return ("\r\n".join(lines) + "\r\n").encode("latin-1")

    def request_for(self, n: int) -> bytes:
        """The n-th request's bytes (n counts every request, warm-up included)."""
        if self.prepared:
            return self.prepared[n % len(self.prepared)]
        return self.request(self.body(n))

    def request(self, body: bytes | None) -> bytes:
        """The request's bytes (built once per distinct body object)."""
        built = self._built
        if built is not None and built[0] is body:
            return built[1]
        payload = body or b""
        length = f"Content-Length: {len(payload)}\r\n" if body is not None else ""
        data = self._head + length.encode() + b"\r\n" + payload
        self._built = (body, data)
        return data


class _Connection:
    """One keep-alive HTTP/1.1 connection sending ready-made request bytes and reading each
    answer by its Content-Length (or chunks). Not `http.client`: it parses headers with the
    `email` package, which on a small machine costs about as much as the endpoints it would
    measure, and every µs the client spends is taken from the servers sharing its CPUs."""

    def __init__(self, host: str, port: int, *, timeout: float,
                 source: tuple[str, int] | None) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=source)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self) -> None:
        self.sock.close()

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        self.buf += chunk

    def _take_until(self, marker: bytes) -> bytes:
        while (end := self.buf.find(marker)) < 0:
            self._fill()
        taken, self.buf = self.buf[:end], self.buf[end + len(marker):]
        return taken

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        taken, self.buf = self.buf[:n], self.buf[n:]
        return taken

    def exchange(self, request: bytes) -> tuple[int, bool]:
        """Send one request, read its whole answer → (status, keep-alive?)."""
        self.sock.sendall(request)
        head = self._take_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        version, status = head[0].split(" ", 2)[:2]
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            self._take(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            while (size := int(self._take_until(b"\r\n").split(b";")[0], 16)) > 0:
                self._take(size + 2)
            self._take_until(b"\r\n")
        else:
            raise ValueError("an answer without a length")
        keep = fields.get("connection", "").lower() != "close" and version == "HTTP/1.1"
        return int(status), keep


class _Worker(threading.Thread):
    def __init__(self, plan: _Plan) -> None:
        super().__init__(daemon=True)
        self.plan = plan
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.errors = 0
        self.first: float | None = None
        self.last: float | None = None
        self._sent_on_source = 0

    def _connect(self) -> _Connection:
        source = None
        if self.plan.source_every:
            source = (_next_source(), 0)
            self._sent_on_source = 0
        return _Connection(self.plan.host, self.plan.port, timeout=self.plan.timeout,
                           source=source)

    def _exchange(self, conn: _Connection, request: bytes) -> tuple[str, _Connection]:
        """One request on a keep-alive connection → (status, the connection to use next)."""
        try:
            status, keep_alive = conn.exchange(request)
            self._sent_on_source += 1
            if not keep_alive:
                conn.close()
                conn = self._connect()
            return str(status), conn
        except (OSError, ValueError):
            conn.close()
            return "conn-error", self._connect()

    def run(self) -> None:
        plan = self.plan
        conn = self._connect()
        try:
            while True:
                now = time.perf_counter()
                if now >= plan.stop_at:
                    return
                warm = now < plan.warm_until
                if not warm and next(plan.issued) >= plan.limit:
                    return
                if plan.source_every and self._sent_on_source >= plan.source_every:
                    conn.close()
                    conn = self._connect()
                request = plan.request_for(next(plan.seq))
                t0 = time.perf_counter()
                status, conn = self._exchange(conn, request)
                t1 = time.perf_counter()
                if warm:
                    continue
                self.first = t0 if self.first is None else self.first
                self.last = t1
                self.statuses[status] += 1
                if status != str(plan.expect):
                    self.errors += 1
                else:
                    self.latencies.append((t1 - t0) * 1000)
        finally:
            conn.close()


def http_load(url: str, *, headers: dict[str, str] | None = None, concurrency: int = 8,
              duration: float = 5.0, max_requests: int = 50_000, warmup: float = 1.0,
              expect: int = 200, timeout: float = 10.0, method: str = "GET",
              body: bytes | Callable[[int], bytes] | None = None,
              source_every: int | None = None,
              variants: Sequence[tuple[Any, ...]] = ()) -> Result:
    """Send `method` to `url` from `concurrency` keep-alive connections for at most
    `duration` seconds and `max_requests` measured requests, after `warmup` seconds that are
    not counted.

    `body(n)` builds the n-th request's body (n counts every request, warm-up included), so
    a row can rotate usernames; `source_every=N` moves each connection to a fresh loopback
    source address (127.0.0.2, … — all of 127/8 is loopback on Linux) every N requests, so a
    per-address brake does not turn a timing row into a 429 row. `variants` — (path,
    extra headers[, body]) on `url`'s server — are sent in turn instead of `url`'s own path
    (many users' tokens, many pages, many questions). Still loopback only.
    """
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise ValueError(f"the bench only loads loopback http URLs, not {url}")
    start = time.perf_counter()
    plan = _Plan(
        host=parts.hostname, port=parts.port or 80,
        path=parts.path + (f"?{parts.query}" if parts.query else ""),
        method=method, headers=dict(headers or {}),
        body=body if callable(body) else (lambda _n: body), expect=expect,
        warm_until=start + warmup, stop_at=start + warmup + duration, timeout=timeout,
        source_every=source_every, limit=max_requests, variants=variants)
    workers = [_Worker(plan) for _ in range(concurrency)]
    window = _CpuWindow(plan.port)
    for w in workers:
        w.start()
    time.sleep(max(0.0, plan.warm_until - time.perf_counter()))
    window.start()
    for w in workers:
        w.join(duration + warmup + timeout + 5)
    window.stop()
    firsts = [w.first for w in workers if w.first is not None]
    lasts = [w.last for w in workers if w.last is not None]
    statuses: Counter[str] = Counter()
    for w in workers:
        statuses.update(w.statuses)
    latencies = [x for w in workers for x in w.latencies]
    seconds = (max(lasts) - min(firsts)) if firsts and lasts else 0.0
    return Result(requests=sum(statuses.values()), seconds=seconds,
                  errors=sum(w.errors for w in workers), statuses=dict(statuses),
                  latencies_ms=latencies, server_cpu_s=window.server,
                  client_cpu_s=window.client)


def call_loop(func: Any, *, duration: float = 2.0, max_calls: int = 200_000,
              warmup: float = 0.3, unit: str = "op") -> Result:
    """Call `func()` in a loop in this thread (in-process work such as token verification)."""
    end_warm = time.perf_counter() + warmup
    while time.perf_counter() < end_warm:
        func()
    latencies = []
    start = time.perf_counter()
    stop_at = start + duration
    errors = 0
    while len(latencies) + errors < max_calls:
        t0 = time.perf_counter()
        if t0 >= stop_at:
            break
        try:
            func()
        except Exception:
            errors += 1
            continue
        latencies.append((time.perf_counter() - t0) * 1000)
    seconds = time.perf_counter() - start
    return Result(requests=len(latencies) + errors, seconds=seconds, errors=errors,
                  latencies_ms=latencies, unit=unit)
