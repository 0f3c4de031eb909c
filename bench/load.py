"""A small, bounded, closed-loop load generator: threads, one keep-alive connection each.

`http.client` rather than `requests`: the client must cost far less than the server it
measures, and on a small machine it shares the CPUs with it. Loopback only.
"""

from __future__ import annotations

import http.client
import itertools
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
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

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))  # nearest rank
        return ordered[rank]

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests, "seconds": round(self.seconds, 3),
            "rate_per_s": round(self.rate, 1), "unit": self.unit, "errors": self.errors,
            "statuses": self.statuses,
            "p50_ms": _round(self.percentile(50)), "p95_ms": _round(self.percentile(95)),
            "p99_ms": _round(self.percentile(99)),
            "mean_ms": _round(sum(self.latencies_ms) / len(self.latencies_ms))
            if self.latencies_ms else None,
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

    def _connect(self) -> http.client.HTTPConnection:
        source = None
        if self.plan.source_every:
            source = (_next_source(), 0)
            self._sent_on_source = 0
        return http.client.HTTPConnection(self.plan.host, self.plan.port,
                                          timeout=self.plan.timeout, source_address=source)

    def _exchange(self, conn: http.client.HTTPConnection,
                  body: bytes | None) -> tuple[str, http.client.HTTPConnection]:
        """One request on a keep-alive connection → (status, the connection to use next)."""
        plan = self.plan
        try:
            conn.request(plan.method, plan.path, body=body, headers=plan.headers)
            self._sent_on_source += 1
            resp = conn.getresponse()
            resp.read()
            status = str(resp.status)
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = self._connect()
        except (OSError, http.client.HTTPException):
            status = "conn-error"
            conn.close()
            conn = self._connect()
        return status, conn

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
                body = plan.body(next(plan.seq))
                t0 = time.perf_counter()
                status, conn = self._exchange(conn, body)
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
              source_every: int | None = None) -> Result:
    """Send `method` to `url` from `concurrency` keep-alive connections for at most
    `duration` seconds and `max_requests` measured requests, after `warmup` seconds that are
    not counted.

    `body(n)` builds the n-th request's body (n counts every request, warm-up included), so
    a row can rotate usernames; `source_every=N` moves each connection to a fresh loopback
    source address (127.0.0.2, … — all of 127/8 is loopback on Linux) every N requests, so a
    per-address brake does not turn a timing row into a 429 row. Still loopback only.
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
        source_every=source_every, limit=max_requests)
    workers = [_Worker(plan) for _ in range(concurrency)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(duration + warmup + timeout + 5)
    firsts = [w.first for w in workers if w.first is not None]
    lasts = [w.last for w in workers if w.last is not None]
    statuses: Counter[str] = Counter()
    for w in workers:
        statuses.update(w.statuses)
    latencies = [x for w in workers for x in w.latencies]
    seconds = (max(lasts) - min(firsts)) if firsts and lasts else 0.0
    return Result(requests=sum(statuses.values()), seconds=seconds,
                  errors=sum(w.errors for w in workers), statuses=dict(statuses),
                  latencies_ms=latencies)


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
