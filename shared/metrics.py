"""Prometheus metrics for operators: requests by route and status, latency, and the
database pool.

Why prometheus-client's multiprocess mode: gunicorn runs several workers per service and a
scrape reaches only one of them; each worker writes its samples to memory-mapped files in
`PROMETHEUS_MULTIPROC_DIR` (set by `shared/gunicorn_conf.py` before any worker starts) and
`/<prefix>/metrics` adds them up. Without that directory (tests, `flask run`) the process's
own registry is served.

Labels are the route *template* (`/leave/requests/<int:request_id>`), never the path, so a
scan of ids cannot blow up the series count; unmatched paths are one label, `unmatched`.

`/<prefix>/metrics` carries no token: it is for the internal network. The gateway refuses
it from outside (`deploy/nginx.conf.template`), as docs/operations.md explains.
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.pool import Pool

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Buckets for an HR API: most answers take milliseconds; a roll-up or an import can take
# seconds. Le 25 ms and 250 ms are the benchmark targets' bounds.
_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "hr_http_requests_total", "HTTP requests answered, by service, route, method and status.",
    ["service", "route", "method", "status"])
LATENCY = Histogram(
    "hr_http_request_duration_seconds", "Time from arrival to answer, by route.",
    ["service", "route", "method"], buckets=_BUCKETS)
POOL_IN_USE = Gauge(
    "hr_db_pool_connections_in_use", "Database connections checked out of the pool now.",
    ["service"], multiprocess_mode="livesum")
POOL_SIZE = Gauge(
    "hr_db_pool_connections_open", "Database connections the pool holds open.",
    ["service"], multiprocess_mode="livesum")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


#: The label children of one (service, route, method, status): looked up once, then reused.
#: `labels()` validates and joins its arguments and takes a lock on every call; a child
#: object is the same series every later call would find. Bounded by routes × methods ×
#: statuses (routes are templates, methods a fixed set): no request can grow it unboundedly.
_children: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}


def observe_request(service: str, route: str, method: str, status: int,
                    seconds: float | None) -> None:
    """Count one answer and (with `seconds`) its latency, as the request hook does; for code
    that answers outside Flask's request path too (auth's direct check path).
    `method` outside `METHODS` is counted as `other`."""
    if method not in METHODS:
        method = "other"
    key = (service, route, method, status)
    found = _children.get(key)
    if found is None:
        found = _children[key] = (REQUESTS.labels(service, route, method, str(status)),
                                  LATENCY.labels(service, route, method))
    found[0].inc()
    if seconds is not None:
        found[1].observe(seconds)


def install_metrics(app: Flask, *, service: str, hook: bool = True) -> str:
    """Count every answer Flask gives and serve `/<service>/metrics`; returns the endpoint's
    name, which the caller makes public (no token). With `hook=False` the caller counts each
    answer itself (`count_response`, `shared.web` does it in its one after-request hook)."""

    if hook:
        @app.after_request
        def _metrics_count(response: Response) -> Response:
            count_response(service, request._get_current_object(), response,  # type: ignore[attr-defined]
                           getattr(g, "started", None))
            return response

    @app.get(f"/{service}/metrics")
    def metrics() -> Response:
        """Prometheus text format (internal network only)."""
        return Response(exposition(), mimetype=CONTENT_TYPE_LATEST)

    _watch_pools(service)
    return "metrics"


def count_response(service: str, req: Any, response: Response, started: float | None) -> None:
    """Count `response` to `req` by route template (`unmatched` when no rule matched), method
    (unknown ones: `other` — any token is a method to gunicorn, and nobody may mint series by
    inventing them) and status; observe its latency from `started` (`time.perf_counter()` at
    arrival, set by shared.logging for every request)."""
    rule = req.url_rule
    observe_request(service, rule.rule if rule is not None else "unmatched", req.method,
                    response.status_code,
                    None if started is None else time.perf_counter() - started)


_watched: set[str] = set()


def _watch_pools(service: str) -> None:
    """Keep the pool gauges true in every worker as connections come and go (pool events),
    so a scrape — whichever worker takes it — adds up every worker's current figures."""
    if service in _watched:
        return
    _watched.add(service)
    in_use, open_ = POOL_IN_USE.labels(service), POOL_SIZE.labels(service)
    event.listen(Pool, "checkout", lambda *_a: in_use.inc())
    event.listen(Pool, "checkin", lambda *_a: in_use.dec())
    event.listen(Pool, "connect", lambda *_a: open_.inc())
    event.listen(Pool, "close", lambda *_a: open_.dec())
    event.listen(Pool, "close_detached", lambda *_a: open_.dec())


def exposition() -> bytes:
    """The text format: every worker's samples summed when running under gunicorn."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def worker_exited(pid: int) -> None:
    """gunicorn's `child_exit`: a dead worker's live gauges must stop counting."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)
