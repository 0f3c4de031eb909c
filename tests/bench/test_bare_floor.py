"""The bench's floor row (`bench.bare_app`'s `/bare/one-read`): bare Flask plus one read of
PostgreSQL, the least any endpoint that reads the store per answer can cost."""

from __future__ import annotations

import pytest

import bench.scenarios  # noqa: F401 - first: the scenario modules import each other
from bench.scenarios import ONE_READ, REGISTRY


def test_the_floor_answers_from_the_database_on_each_request(pg_server, monkeypatch):
    if pg_server is None:
        pytest.skip("the one-read floor is measured on PostgreSQL")
    monkeypatch.setenv("HR_BENCH_BARE_DATABASE_URL",
                       pg_server.url().replace("postgresql+psycopg://", "postgresql://"))
    from bench import bare_app

    client = bare_app.app.test_client()
    assert [client.get("/bare/one-read").get_json() for _ in range(3)] == [
        {"status": "ok", "value": 1}] * 3
    conn = bare_app._local.conn  # one connection per thread, kept between requests
    # the timeout makes the server wait until that backend is gone before answering
    pg_server.execute(f"SELECT pg_terminate_backend({conn.info.backend_pid}, 5000)")
    assert client.get("/bare/one-read").status_code == 500  # the request that found it dead
    assert client.get("/bare/one-read").get_json() == {"status": "ok", "value": 1}


def test_the_floor_is_a_row_of_its_own_beside_the_baseline():
    assert REGISTRY[ONE_READ].needs == ("bare",) and REGISTRY[ONE_READ].default
