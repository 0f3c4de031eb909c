"""POSTs for the auth rows, on `bench.load.http_load`.

Same rules as `bench.load.http_load`: `concurrency` threads, one keep-alive raw-socket
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

from collections.abc import Callable

from bench.load import Result, http_load


def post_load(url: str, *, body: bytes | Callable[[int], bytes], content_type: str,
              headers: dict[str, str] | None = None, concurrency: int = 8,
              duration: float = 5.0, max_requests: int = 50_000, warmup: float = 1.0,
              expect: int = 200, timeout: float = 10.0,
              source_every: int | None = None) -> Result:
    """POST to `url` (see `bench.load.http_load`, which does the work)."""
    return http_load(url, method="POST", body=body,
                     headers={"Content-Type": content_type, **(headers or {})},
                     concurrency=concurrency, duration=duration, max_requests=max_requests,
                     warmup=warmup, expect=expect, timeout=timeout, source_every=source_every)
