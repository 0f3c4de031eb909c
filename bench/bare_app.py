"""The baseline: a bare Flask endpoint, served by gunicorn with the services' own settings.

Every row of the bench table is set beside this one, so the ratio shows what the platform
(logging, request ids, the token gate, the database) costs over Flask and gunicorn alone.

`/bare/one-read` is the floor of any endpoint that must read the database: the same bare
endpoint plus one `SELECT 1` on PostgreSQL, through psycopg directly (a connection per
thread, autocommit, prepared) — no ORM, no pool, no token, no log. A row that reads the
store for every answer (`/auth/check` shows binding changes at once, so it must) cannot
cost less than this; its ratio to bare is what such a row's ratio target is measured
against (`HR_BENCH_BARE_DATABASE_URL`, set by the bench on PostgreSQL).
"""

import os
import threading

from flask import Flask, jsonify

app = Flask("hr.bench.bare")
_local = threading.local()


@app.get("/bare/health")
def health():
    return jsonify(status="ok")


def _connection():
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed or conn.broken:
        import psycopg

        url = os.environ["HR_BENCH_BARE_DATABASE_URL"]
        conn = _local.conn = psycopg.connect(url, autocommit=True, prepare_threshold=0)
    return conn


@app.get("/bare/one-read")
def one_read():
    conn = _connection()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            (value,) = cur.fetchone()
    except Exception:
        # Any failure drops the link, as `shared.db.HeldConnections` does: psycopg does not
        # always mark a connection whose server went away as broken at the first error (CI
        # saw "another command is already in progress" on the next request).
        _local.conn = None
        conn.close()
        raise
    return jsonify(status="ok", value=value)
