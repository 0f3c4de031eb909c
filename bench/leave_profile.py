"""In-process cost of the approvals inbox over the bench's leave history (issue #10).

    .venv/bin/python -m bench.leave_profile [--store postgres|sqlite] [--requests 1000000]
                                            [-n 200] [--profile] [--explain] [--top 25]
                                            [--index SQL ...]

Migrates and first-starts staff (for its position catalogue) and leave in a throwaway store
exactly as gunicorn's master does, builds the bench's organisation (`bench.staff_data`) and
loads leave's history (`bench.leave_data`), creates leave's app as `wsgi.py` does (logs to
/dev/null) with a verifier holding the parsed key, and asks `GET /leave/approvals` through
the Flask test client in one thread, in turn for the bench's callers (`bench.leave_scenarios`:
every 网点 head, hr of every governing unit; varied pages). Prints µs per request for the
bare endpoint, the heads' and the hr's inboxes, the statements a request sends; with
`--explain`, PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS)` of each of them for one head and one
hr; with `--profile`, cProfile's top functions over the heads' requests; `--index SQL`
(repeatable) runs a statement — an index to try — and times and explains again.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.staff_profile import ISSUER, _ParsedKeys  # noqa: E402


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.leave_profile", description=__doc__)
    p.add_argument("--store", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--requests", type=int, default=1_000_000)
    p.add_argument("-n", type=int, default=200, help="requests per row")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--explain", action="store_true")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--profile-by-package", action="store_true",
                   help="with --profile: own time per package (sqlalchemy, marshmallow, ...)")
    p.add_argument("--index", action="append", default=[],
                   help="SQL run (then ANALYZE) before the timed rows: an index to try")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    import tempfile

    # bench.scenarios first: entered through leave_scenarios, staff_mix's import cycles
    import bench.scenarios  # noqa: F401
    from bench import leave_data, staff_data
    from bench.leave_scenarios import _callers
    from bench.profiling import print_profile, silence_logs, statements
    from shared.settings import Settings
    from shared.testing import PostgresServer, SigningKey, TokenFactory

    tmp = Path(tempfile.mkdtemp(prefix="hr-leave-profile-"))
    environ = {"HR_DATA_DIR": str(tmp), "HR_DEMO": "0", "HR_ISSUER": ISSUER,
               "HR_LOG_JSON": "1"}
    pg = None
    if args.store == "postgres":
        pg = PostgresServer().start()
        for service in ("staff", "leave"):
            environ[f"{service.upper()}_DATABASE_URL"] = pg.create_database(f"p_{service}")
    os.environ.update(environ)
    try:
        from services.staff.app import prepare as prepare_staff

        staff_settings = Settings("staff", environ=environ)
        prepare_staff(staff_settings)
        from bench.leave_scenarios import _grades

        org = staff_data.build(2_000, 100_000,
                               positions=staff_data.read_positions(staff_settings.database_url))
        grades, must_cover = _grades(staff_settings.database_url)
        from services.leave.app import create_app, prepare

        settings = Settings("leave", environ=environ)
        prepare(settings)
        history = leave_data.build(org, grades, args.requests)
        leave_data.load(settings.database_url, history)
        key = SigningKey()
        tokens = TokenFactory(key=key, issuer=ISSUER)
        from shared.tokens import StaticKeySource, TokenVerifier

        verifier = TokenVerifier(issuer=ISSUER, keys=_ParsedKeys(StaticKeySource(key.jwks())))
        app = create_app(settings, verifier=verifier)
        silence_logs()
        from bench.bare_app import app as bare
        from services.leave.models import db

        client, bare_client = app.test_client(), bare.test_client()
        info = {"org": org, "history": history, "must_cover": must_cover}
        heads, hrs = [], []
        for no, role, code, path, size in _callers(info):
            token = tokens.user(sub=leave_data.sub(no), emp=no, roles=[(role, code, path)],
                                ttl=7200)
            per_page = 20
            page = 1 + (size // per_page) // 2
            row = (f"/leave/approvals?page={page}&per_page={per_page}",
                   {"Authorization": f"Bearer {token}"}, size)
            (heads if role == "branch_head" else hrs).append(row)

        def timed(name: str, rows: list[tuple[str, dict[str, str], int]]) -> None:
            for path, headers, _ in rows[:20]:
                assert client.get(path, headers=headers).status_code == 200
            t0 = time.perf_counter()
            for i in range(args.n):
                path, headers, _ = rows[i % len(rows)]
                client.get(path, headers=headers)
            us = (time.perf_counter() - t0) / args.n * 1e6
            sizes = sorted(r[2] for r in rows)
            print(f"{name:<34} {us:>9,.0f} µs/request   inbox sizes p50 {sizes[len(sizes) // 2]}"
                  f", max {sizes[-1]}")

        t0 = time.perf_counter()
        for _ in range(args.n):
            bare_client.get("/bare/health")
        print(f"{'bare Flask':<34} {(time.perf_counter() - t0) / args.n * 1e6:>9,.0f} µs/request")
        timed("inbox, branch heads", heads)
        timed("inbox, hr", hrs)
        for name, (path, headers, size) in (("head", heads[0]), ("hr", hrs[0])):
            sent = statements(app, db, lambda p=path, h=headers: client.get(p, headers=h))
            print(f"\n{name} {path} (inbox {size}): {len(sent)} statements")
            for s in sent:
                print("  " + " ".join(s.split())[:160])
        if args.explain and pg is not None:
            _explain(app, db, client, [("head", heads[0]), ("hr", hrs[0])])
        for index in args.index:  # cumulative: each on top of the ones before
            _run_sql(settings.database_url, [index, "ANALYZE approval_steps"])
            print(f"\n=== after {index}")
            timed("inbox, branch heads", heads)
            timed("inbox, hr", hrs)
            if args.explain and pg is not None:
                _explain(app, db, client, [("head", heads[0]), ("hr", hrs[0])])
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for i in range(args.n):
                path, headers, _ = heads[i % len(heads)]
                client.get(path, headers=headers)
            prof.disable()
            print_profile(prof, sort="cumulative", top=args.top, n=args.n,
                          by_package=args.profile_by_package)
    finally:
        if pg is not None:
            pg.stop()
    return 0


def _run_sql(url: str, sql: list[str]) -> None:
    from sqlalchemy import create_engine, text

    from shared.db import normalise_url

    engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in sql:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _explain(app: Any, db: Any, client: Any, rows: list[tuple[str, Any]]) -> None:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    for name, (path, headers, _size) in rows:
        seen: list[tuple[str, Any]] = []

        def listener(_c: Any, _cur: Any, statement: str, params: Any, *_a: Any,
                     seen: list[tuple[str, Any]] = seen) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append((statement, params))

        event.listen(engine, "before_cursor_execute", listener)
        try:
            client.get(path, headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for statement, params in seen:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                print(f"\n--- {name}: {' '.join(statement.split())[:300]}\n    {params}")
                print("\n".join(r[0] for r in cur.fetchall()))
        finally:
            raw.close()


if __name__ == "__main__":
    sys.exit(main())
