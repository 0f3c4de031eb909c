"""In-process cost of one `POST /auth/check`, deterministic enough to profile (issue #4).

    .venv/bin/python -m bench.auth_profile [--store sqlite|postgres] [-n 2000]
                                           [--profile] [--top 30] [--pyinstrument]

Builds the bench's data set (`bench.auth_scenarios.bulk_load`: 8-level tree, 100,000
bindings, `bench-deep`) in a temporary database migrated and first-started exactly as
gunicorn's master does (`services.auth.app.prepare`), creates the app as `wsgi.py` does
(JSON access logs on, written to /dev/null), signs `bench-deep` in once, then times N calls
through the Flask test client, one thread:

- the bare endpoint (`bench/bare_app.py`), the baseline;
- `GET /auth/health` (the platform's skeleton + one `SELECT 1`);
- `POST /auth/check` (the bench row's body: `leave:approve` on a level-8 unit → allowed);
- `POST /auth/check/batch` (the bench row's 10 checks).

It prints µs per call (median of `--repeat` runs) and, with `--profile`, cProfile's top
functions by own time and by cumulative time over N checks (or pyinstrument's tree with
`--pyinstrument`, if installed). No network, no gunicorn: the test client's own WSGI work is
in every figure, bare included, so read the differences.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ISSUER = "http://127.0.0.1/bench-issuer/auth"


@dataclass
class Setup:
    app: Any
    client: Any
    headers: dict[str, str]
    check_body: str
    batch_body: str
    loaded: Any
    pg: Any = None

    def close(self) -> None:
        from bench.profiling import close_app
        from services.auth.models import db

        close_app(self.app, db, self.pg)


def build(store: str = "sqlite") -> Setup:
    """A migrated, first-started, bulk-loaded auth database and the app on it, with
    `bench-deep` signed in (as `bench.auth_scenarios` and gunicorn's master prepare it)."""
    import bench.scenarios  # noqa: F401 - first: it and bench.auth_scenarios import each other
    from bench.auth_scenarios import DEEP_USER, PASSWORD, bulk_load
    from bench.profiling import silence_logs, throwaway_store
    from services.auth.app import create_app, prepare
    from shared.settings import Settings

    environ = {"HR_ISSUER": ISSUER, "HR_STAFF_URL": "http://127.0.0.1:9"}
    tmp, pg = throwaway_store("auth", store, environ)
    try:
        settings = Settings("auth", environ=environ)
        prepare(settings)
        t0 = time.perf_counter()
        loaded = bulk_load(settings.database_url, tmp)
        print(f"data: {loaded.units:,} units, {loaded.bindings:,} bindings "
              f"({time.perf_counter() - t0:.1f}s), store={store}", file=sys.stderr)
        app = create_app(settings)
        silence_logs()
        client = app.test_client()
        resp = client.post("/auth/token", data={"grant_type": "password",
                                                "username": DEEP_USER, "password": PASSWORD})
        assert resp.status_code == 200, resp.get_json()
    except BaseException:
        if pg is not None:
            pg.stop()
        raise
    return Setup(app=app, client=client,
                 headers={"Authorization": f"Bearer {resp.get_json()['access_token']}",
                          "Content-Type": "application/json"},
                 check_body=json.dumps({"permission": "leave:approve", "org": loaded.deepest}),
                 batch_body=json.dumps({"checks": loaded.batch}), loaded=loaded, pg=pg)


def main(argv: list[str] | None = None) -> int:
    from bench.profiling import median_us, statements
    p = argparse.ArgumentParser(prog="python -m bench.auth_profile", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("-n", type=int, default=2000, help="calls per measurement (2000)")
    p.add_argument("--repeat", type=int, default=3, help="measurements, median kept (3)")
    p.add_argument("--profile", action="store_true", help="cProfile N checks")
    p.add_argument("--pyinstrument", action="store_true", help="pyinstrument N checks")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--sort", default="tottime,cumulative")
    p.add_argument("--dump", type=Path, help="also save the cProfile stats here (pstats)")
    args = p.parse_args(argv)

    from bench.bare_app import app as bare_app

    setup = build(args.store)
    client, headers = setup.client, setup.headers
    check_body, batch_body, app = setup.check_body, setup.batch_body, setup.app
    try:
        def check() -> Any:
            r = client.post("/auth/check", data=check_body, headers=headers)
            assert r.status_code == 200
            return r

        def batch() -> Any:
            r = client.post("/auth/check/batch", data=batch_body, headers=headers)
            assert r.status_code == 200
            return r

        bare_client = bare_app.test_client()

        def bare() -> Any:
            return bare_client.get("/bare/health")

        def health() -> Any:
            return client.get("/auth/health")

        first = check()
        assert first.get_json()["code"] == "allowed", first.get_json()
        print(f"check answer: {first.get_data(as_text=True).strip()}", file=sys.stderr)
        from services.auth.models import db

        direct = app.extensions["auth_check_direct"]

        def flask(call: Any) -> Any:
            """The same call through Flask alone (no direct path)."""
            def through() -> Any:
                direct.enabled = False
                try:
                    return call()
                finally:
                    direct.enabled = True
            return through

        queries = len(statements(app, db, flask(check), skip_transaction_control=True))
        direct_queries = len(statements(app, db, check, skip_transaction_control=True))
        batch_queries = len(statements(app, db, flask(batch), skip_transaction_control=True))
        for call in (bare, health, check, batch):  # warm every cache a worker would have
            for _ in range(200):
                call()

        rows = [("bare Flask GET /bare/health", bare), ("GET /auth/health", health),
                ("POST /auth/check (direct path)", check),
                ("POST /auth/check (Flask)", flask(check)),
                ("POST /auth/check/batch (10, direct path)", batch),
                ("POST /auth/check/batch (10, Flask)", flask(batch))]
        results = {name: median_us(call, args.n, args.repeat) for name, call in rows}
        base = results[rows[0][0]]
        print(f"\nN={args.n} × {args.repeat} (median), one thread, Flask test client, "
              f"store={args.store}")
        print(f"{'':40}{'µs/call':>10}{'×bare':>8}{'−bare µs':>10}")
        for name, us in results.items():
            print(f"{name:40}{us:>10.0f}{us / base:>8.2f}{us - base:>10.0f}")
        print(f"queries per check through Flask: {queries}, per batch: {batch_queries}; "
              f"on the direct path: {direct_queries} (BEGIN/COMMIT/ROLLBACK not counted)")

        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.n):  # the direct path: what a mix of users mostly takes
                check()
            prof.disable()
            if args.dump:
                prof.dump_stats(args.dump)
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out)
            for key in args.sort.split(","):
                stats.sort_stats(key).print_stats(args.top)
            text = out.getvalue().replace(str(ROOT) + "/", "")
            print(text.replace(f".venv/lib/python{sys.version_info[0]}."
                               f"{sys.version_info[1]}/site-packages/", ""))
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
            for _ in range(args.n):
                check()
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    finally:
        setup.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
