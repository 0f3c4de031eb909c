"""What the in-process profile scripts (`bench.auth_profile`, `bench.staff_profile`) share:
timing a call and listing the SQL it sends."""

from __future__ import annotations

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
