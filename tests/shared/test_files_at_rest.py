"""Files at rest (issue 14.8): the data directory and SQLite files are owner-only whatever
the umask, and closing an app's databases checkpoints the WAL and closes every connection."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from shared.db import checkpoint_sqlite, close_databases, init_db, make_db, private_dir


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual 022, so that owner-only modes come from the code, not the environment."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_data_directory_is_created_owner_only_and_an_existing_one_tightened(
        tmp_path, loose_umask):
    fresh = private_dir(tmp_path / "a" / "var")
    assert _mode(fresh) == _mode(fresh.parent) == 0o700
    existing = tmp_path / "old-var"
    existing.mkdir(mode=0o755)
    os.chmod(existing, 0o755)  # noqa: S103 - the loose directory an old run left
    assert _mode(existing) == 0o755  # the control: what a loose umask leaves
    private_dir(existing)
    assert _mode(existing) == 0o700


@pytest.fixture
def sqlite_app(tmp_path, loose_umask):
    db = make_db()
    app = Flask("at-rest")
    url = f"sqlite:///{tmp_path / 'var' / 'svc.db'}"
    init_db(app, db, url)
    with app.app_context(), db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        conn.exec_driver_sql("INSERT INTO t (v) VALUES ('secret hash')")
    return app, db, tmp_path / "var" / "svc.db"


def test_sqlite_files_are_owner_only(sqlite_app):
    _app, _db, path = sqlite_app
    assert _mode(path.parent) == 0o700
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        assert name.exists() and _mode(name) == 0o600, name
    other = path.parent / "made-by-hand"
    other.write_text("x")
    assert _mode(other) == 0o644  # the control: the umask alone would have left this


def test_closing_the_databases_checkpoints_the_wal_and_closes_every_connection(sqlite_app):
    app, db, path = sqlite_app
    wal = Path(f"{path}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the control: writes sit in the WAL
    with app.app_context():
        engine = db.engine
    close_databases(app)
    assert engine.pool.checkedin() == 0 and engine.pool.checkedout() == 0
    assert not wal.exists() or wal.stat().st_size == 0
    rows = sa.create_engine(f"sqlite:///{path}").connect().exec_driver_sql(
        "SELECT v FROM t").all()
    assert rows == [("secret hash",)]


def test_the_masters_checkpoint_empties_the_wal(sqlite_app):
    app, db, path = sqlite_app
    with app.app_context():
        db.engine.dispose()  # what the workers do on leaving, without their checkpoint
    wal = Path(f"{path}-wal")
    checkpoint_sqlite(f"sqlite:///{path}")
    assert not wal.exists() or wal.stat().st_size == 0
