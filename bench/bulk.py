"""What every bench loader does after writing rows with their own ids straight into a
service's store: move the id sequences past them and refresh the planner's statistics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def reset_sequences(cur: Any, tables: Sequence[str]) -> None:
    """PostgreSQL: each table's id sequence past the largest id written, so that the service's
    own next insert does not collide with a loaded row."""
    for table in tables:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))")


def analyse(conn: Any, cur: Any, *, postgres: bool, tables: Sequence[str]) -> None:
    """Fresh statistics for the loaded tables (VACUUM ANALYZE needs autocommit on PostgreSQL;
    SQLite analyses the whole file)."""
    if postgres:
        conn.autocommit = True
        for table in tables:
            cur.execute(f"VACUUM ANALYZE {table}")
        conn.autocommit = False
    else:
        cur.execute("ANALYZE")
        conn.commit()
