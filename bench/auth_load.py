"""A bounded, closed-loop POST load generator for the auth rows (`bench.load` sends GETs only).

Same rules as `bench.load.http_load`: `concurrency` threads, one keep-alive `http.client`
connection each, a time bound and a request-count bound, loopback only, warm-up not counted,
an unexpected status is an error and not a latency. Two additions the token endpoint needs:

- `body(n)` builds the n-th request's body (n counts every request, warm-up included), so a
  row can rotate usernames (a wrong password for one user five times would lock it);
- `source_every=N` makes each connection move to a fresh loopback source address
  (127.0.0.2, 127.0.0.3, … — all of 127/8 is loopback on Linux) every N requests, so that the
  token endpoint's per-address brake (60 failures a minute → 429) does not turn a login-timing
  row into a 429-timing row. Still loopback only.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

from bench.load import LOOPBACK, Result


class _Counter:
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


class _PostWorker(threading.Thread):
    def __init__(self, *, host: str, port: int, path: str, headers: dict[str, str],
                 body: Callable[[int], bytes], seq: _Counter, expect: int, limit: int,
                 issued: _Counter, stop_at: float, warm_until: float, timeout: float,
                 source_every: int | None) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.path, self.headers = host, port, path, headers
        self.body, self.seq, self.expect = body, seq, expect
        self.limit, self.issued = limit, issued
        self.stop_at, self.warm_until, self.timeout = stop_at, warm_until, timeout
        self.source_every = source_every
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.errors = 0
        self.first: float | None = None
        self.last: float | None = None
        self._sent_on_source = 0

    def _connect(self) -> http.client.HTTPConnection:
        source = None
        if self.source_every:
            source = (_next_source(), 0)
            self._sent_on_source = 0
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout,
                                          source_address=source)

    def run(self) -> None:
        conn = self._connect()
        try:
            while True:
                now = time.perf_counter()
                if now >= self.stop_at:
                    return
                warm = now < self.warm_until
                if not warm and next(self.issued) >= self.limit:
                    return
                if self.source_every and self._sent_on_source >= self.source_every:
                    conn.close()
                    conn = self._connect()
                payload = self.body(next(self.seq))
                t0 = time.perf_counter()
                try:
                    conn.request("POST", self.path, body=payload, headers=self.headers)
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
                t1 = time.perf_counter()
                if warm:
                    continue
                self.first = t0 if self.first is None else self.first
                self.last = t1
                self.statuses[status] += 1
                if status != str(self.expect):
                    self.errors += 1
                else:
                    self.latencies.append((t1 - t0) * 1000)
        finally:
            conn.close()


def post_load(url: str, *, body: bytes | Callable[[int], bytes], content_type: str,
              headers: dict[str, str] | None = None, concurrency: int = 8,
              duration: float = 5.0, max_requests: int = 50_000, warmup: float = 1.0,
              expect: int = 200, timeout: float = 10.0,
              source_every: int | None = None) -> Result:
    """POST to `url` from `concurrency` keep-alive connections for at most `duration` seconds
    and `max_requests` measured requests, after `warmup` seconds that are not counted."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise ValueError(f"the bench only loads loopback http URLs, not {url}")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    make_body: Callable[[int], bytes] = body if callable(body) else (lambda _n: body)
    hdrs = {"Content-Type": content_type, **(headers or {})}
    start = time.perf_counter()
    warm_until = start + warmup
    stop_at = warm_until + duration
    seq, issued = _Counter(), _Counter()
    workers = [_PostWorker(host=parts.hostname, port=parts.port or 80, path=path,
                           headers=dict(hdrs), body=make_body, seq=seq, expect=expect,
                           limit=max_requests, issued=issued, stop_at=stop_at,
                           warm_until=warm_until, timeout=timeout, source_every=source_every)
               for _ in range(concurrency)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(duration + warmup + timeout + 5)
    firsts = [w.first for w in workers if w.first is not None]
    lasts = [w.last for w in workers if w.last is not None]
    statuses: Counter[str] = Counter()
    for w in workers:
        statuses.update(w.statuses)
    seconds = (max(lasts) - min(firsts)) if firsts and lasts else 0.0
    return Result(requests=sum(statuses.values()), seconds=seconds,
                  errors=sum(w.errors for w in workers), statuses=dict(statuses),
                  latencies_ms=[x for w in workers for x in w.latencies])
