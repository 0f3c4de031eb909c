"""`shared.db.HeldConnections`: one autocommit connection per thread, kept between
requests, that sees every committed change at once, is dropped when it fails and closed
when its engine is disposed."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text

from shared.db import HeldConnections


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'held.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    engine.dispose()


def _read(held):
    with held.connection() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM t").scalar(), conn


def test_a_thread_keeps_its_connection_and_another_thread_gets_its_own(engine):
    held = HeldConnections(lambda: engine)
    _n, first = _read(held)
    _n, again = _read(held)
    assert again is first and len(held) == 1
    other = []
    thread = threading.Thread(target=lambda: other.append(_read(held)[1]))
    thread.start()
    thread.join()
    assert other[0] is not first and len(held) == 2


def test_it_sees_a_change_committed_elsewhere_on_the_very_next_read(engine):
    held = HeldConnections(lambda: engine)
    assert _read(held)[0] == 0
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert _read(held)[0] == 1


def test_a_connection_that_failed_is_dropped_and_the_next_read_opens_another(engine):
    held = HeldConnections(lambda: engine)
    _n, first = _read(held)
    with pytest.raises(Exception, match="no such table"), held.connection() as conn:
        conn.exec_driver_sql("SELECT * FROM missing")
    assert first.closed and len(held) == 0
    n, second = _read(held)
    assert (n, second is first, second.closed) == (0, False, False)


def test_disposing_the_engine_closes_every_held_connection(engine):
    held = HeldConnections(lambda: engine)
    _n, first = _read(held)
    engine.dispose()
    assert first.closed and len(held) == 0
    _n, second = _read(held)  # the control: a new one when next asked
    assert not second.closed and second is not first


def test_postgres_settings_are_set_once_on_each_new_connection(databases):
    """A lane's `SET`s apply to its kept connections on PostgreSQL (and are skipped on
    SQLite, which has no such settings)."""
    from services.leave.app import MIGRATIONS

    url = databases.fresh("leave", MIGRATIONS)
    engine = create_engine(url)
    try:
        held = HeldConnections(lambda: engine, postgres_settings=(
            "SET plan_cache_mode = force_generic_plan",))
        with held.connection() as conn:
            if engine.dialect.name == "postgresql":
                assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() \
                    == "force_generic_plan"
                with engine.connect() as other:  # the control: the pool's others are untouched
                    assert other.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"
            else:
                assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()
        databases.drop(url)
