"""What the in-process profile scripts (`bench.auth_profile`, `bench.staff_profile`,
`bench.leave_profile`, `bench.leave_flow_profile`, `bench.performance_profile`) share:
timing a call, listing the SQL it sends, and printing a cProfile run."""

from __future__ import annotations

import io
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}


def median_us(call: Callable[[], Any], n: int, repeat: int) -> float:
    """Median over `repeat` runs of the mean µs per call."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n):
            call()
        runs.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(runs)


def statements(app: Any, db: Any, call: Callable[[], Any], *,
               skip_transaction_control: bool = False) -> list[str]:
    """The SQL statements `call()` sends through `db`'s engine, in order."""
    from sqlalchemy import event

    seen: list[str] = []

    def listener(_conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if not (skip_transaction_control
                and statement.strip().upper() in TRANSACTION_CONTROL):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def throwaway_store(service: str, store: str, environ: dict[str, str]) -> tuple[Any, Any]:
    """A temporary data dir for `service` (its settings environment filled in: data dir, no
    demo, the bench's issuer) and, for `store == "postgres"`, a throwaway PostgreSQL server
    with one database → (data dir, server or None). The caller stops the server."""
    import tempfile
    from pathlib import Path

    tmp = Path(tempfile.mkdtemp(prefix=f"hr-{service}-profile-"))
    environ.update({"HR_DATA_DIR": str(tmp), "HR_DEMO": "0"})
    pg = None
    if store == "postgres":
        from shared.testing import PostgresServer

        pg = PostgresServer().start()
        environ[f"{service.upper()}_DATABASE_URL"] = pg.create_database(f"profile_{service}")
    return tmp, pg


def silence_logs() -> None:
    """Send every log line to /dev/null, as a service writing its JSON access log would, but
    without flooding the terminal."""
    import logging
    import os

    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)


def close_app(app: Any, db: Any, pg: Any) -> None:
    """Release what `throwaway_store` and the app hold."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if pg is not None:
        pg.stop()


def print_profile(prof: Any, *, sort: str, top: int, n: int, by_package: bool = True) -> None:
    """cProfile's `top` functions by `sort`, then (if asked) own time per package over `n`
    requests."""
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats(sort).print_stats(top)
    print(out.getvalue())
    if by_package:
        own_time_by_package(stats, n)


def own_time_by_package(stats: pstats.Stats, n: int) -> None:
    """Own (not cumulative) time per request, by the package the function lives in."""
    own: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        parts = filename.replace("\\", "/").split("/")
        if "site-packages" in parts:
            key = parts[parts.index("site-packages") + 1]
        elif "main" in parts and parts.index("main") + 2 < len(parts):
            key = "/".join(parts[parts.index("main") + 1:parts.index("main") + 3])
        else:
            key = "python (stdlib, builtins)"
        own[key] = own.get(key, 0.0) + row[2]
    total = sum(own.values())
    for key, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {key:<34} {seconds / n * 1e6:>8,.0f} µs/request  {seconds / total:6.1%}")
