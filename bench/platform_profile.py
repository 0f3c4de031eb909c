"""In-process cost of the platform's own request path (issue #10–12): what `shared/` wraps
around every handler, beside a bare Flask endpoint.

    .venv/bin/python -m bench.platform_profile [--store sqlite|postgres] [-n 2000]
                                               [--profile ROW] [--top 25]

Migrates and first-starts leave in a throwaway store exactly as gunicorn's master does,
creates its app as `wsgi.py` does (JSON access logs on, written to /dev/null; metrics in
the process's own registry) with a verifier holding the parsed signing key (as a warm
`JWKSKeySource` does), adds two probe routes to it — a token-guarded view that answers
`{"status": "ok"}` and touches nothing, and one that also runs `SELECT 1` on the request's
ORM session — and calls the WSGI app directly (no test client: each call is one prepared
environ, as gunicorn hands it over) in one thread:

- `bare`: the bare endpoint (`bench/bare_app.py`), the baseline;
- `health`: `GET /leave/health` (the skeleton, no token, one `SELECT 1` on autocommit);
- `probe`: the guarded probe (token gate + everything around a handler, nothing inside);
- `probe-db`: the guarded probe with one statement on the session (checkout, teardown);
- `types`: `GET /leave/types` with a token (a real guarded read: smorest, ORM, marshmallow);
- `unauth`: the probe without a token (the 401 path);
- `verify` / `principal`: `TokenVerifier.verify` (a full check) and `.principal` of a token
  already seen (the path requests take; issue #12's target is ≤ 30 µs).

It prints µs per call (median of 3 runs of N: wall-clock, and this process's CPU time) and,
with `--profile ROW`, cProfile's top functions and own time per package over N calls.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.profiling import close_app, print_profile, silence_logs, throwaway_store  # noqa: E402
from bench.staff_profile import ISSUER, _ParsedKeys  # noqa: E402

ROWS = ("bare", "health", "probe", "probe-db", "types", "unauth", "verify", "principal")


def timed(call: Callable[[], Any], n: int, repeat: int = 3) -> tuple[float, float]:
    """(wall µs, CPU µs) per call: the medians over `repeat` runs of `n` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            call()
        walls.append((time.perf_counter() - w0) / n * 1e6)
        cpus.append((time.process_time() - c0) / n * 1e6)
    return statistics.median(walls), statistics.median(cpus)


def wsgi_caller(app: Any, path: str, headers: dict[str, str] | None = None,
                expect: int = 200) -> Callable[[], None]:
    """One request to `app` as gunicorn makes it: a prepared environ, a fresh input stream,
    the body read and the iterable closed. Checks the status on the first call."""
    from werkzeug.test import EnvironBuilder

    base = EnvironBuilder(path=path, headers=headers or {}).get_environ()
    base["REMOTE_ADDR"] = "127.0.0.1"
    seen: list[str] = []

    def start_response(status: str, _headers: Any, _exc: Any = None) -> None:
        seen.append(status)

    def call() -> None:
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(b"")
        body = app(environ, start_response)
        try:
            for _chunk in body:
                pass
        finally:
            if hasattr(body, "close"):
                body.close()

    call()
    if not seen[0].startswith(str(expect)):
        raise SystemExit(f"{path}: {seen[0]} (expected {expect})")
    return call


def add_probes(app: Any, db: Any) -> None:
    """Two guarded routes with nothing inside but what the platform wraps around them."""
    from flask import jsonify
    from sqlalchemy import text

    def probe() -> Any:
        return jsonify(status="ok")

    def probe_db() -> Any:
        db.session.execute(text("SELECT 1")).scalar()
        return jsonify(status="ok")

    app.add_url_rule("/leave/probe", "probe", probe)
    app.add_url_rule("/leave/probe-db", "probe_db", probe_db)


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.platform_profile", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("-n", type=int, default=2000, help="calls per timed run")
    p.add_argument("--profile", choices=ROWS)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--sort", default="tottime")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    environ = {"HR_ISSUER": ISSUER, "HR_LOG_JSON": "1"}
    _tmp, pg = throwaway_store("leave", args.store, environ)
    os.environ.update(environ)
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    from services.leave.app import create_app, prepare
    from services.leave.models import db
    from shared.settings import Settings
    from shared.testing import SigningKey, TokenFactory
    from shared.tokens import StaticKeySource, TokenVerifier

    settings = Settings("leave", environ=environ)
    prepare(settings)
    key = SigningKey()
    tokens = TokenFactory(key=key, issuer=ISSUER)
    verifier = TokenVerifier(issuer=ISSUER, keys=_ParsedKeys(StaticKeySource(key.jwks())))
    app = create_app(settings, verifier=verifier)
    add_probes(app, db)
    silence_logs()
    try:
        from bench.bare_app import app as bare

        token = tokens.user(sub="bench-user", emp="E1", roles=[], ttl=24 * 3600)
        bearer = {"Authorization": "Bearer " + token}
        calls: dict[str, Callable[[], Any]] = {
            "bare": wsgi_caller(bare, "/bare/health"),
            "health": wsgi_caller(app, "/leave/health"),
            "probe": wsgi_caller(app, "/leave/probe", bearer),
            "probe-db": wsgi_caller(app, "/leave/probe-db", bearer),
            "types": wsgi_caller(app, "/leave/types", bearer),
            "unauth": wsgi_caller(app, "/leave/probe", expect=401),
            "verify": lambda: verifier.verify(token),
            "principal": lambda: verifier.principal(token),
        }
        print(f"store={args.store} n={args.n} load average {os.getloadavg()[0]:.2f}")
        for name, call in calls.items():
            wall, cpu = timed(call, args.n)
            print(f"{name:<10} {wall:>9,.1f} µs wall {cpu:>9,.1f} µs CPU")
        if args.profile:
            call = calls[args.profile]
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.n):
                call()
            prof.disable()
            print_profile(prof, sort=args.sort, top=args.top, n=args.n)
    finally:
        close_app(app, db, pg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
