"""Database wiring: one Flask-SQLAlchemy instance per service, migrations run at start.

Each service owns its database (`<SERVICE>_DATABASE_URL`). SQLite is the embedded default
(foreign keys on, WAL, a busy timeout so gunicorn workers do not trip over each other);
PostgreSQL is the real thing. Migrations are alembic scripts in `services/<svc>/migrations`,
applied by `upgrade()` before the workers fork (gunicorn's `on_starting`) or by the test
fixtures.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Table, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_db() -> SQLAlchemy:
    """A service's own Flask-SQLAlchemy handle with a stable constraint naming convention."""

    own_metadata = MetaData(naming_convention=NAMING)

    @event.listens_for(Table, "after_parent_attach")
    def _never_reuse_ids(table: Table, parent: Any) -> None:
        # SQLite reuses the largest deleted rowid without AUTOINCREMENT; an id named in the
        # audit trail must never come to mean another row.
        if parent is own_metadata:
            table.dialect_kwargs["sqlite_autoincrement"] = True

    class Base(DeclarativeBase):
        metadata = own_metadata

    return SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def sibling_migration(here: str, filename: str) -> ModuleType:
    """Another revision file of the same alembic `versions/` directory as `here` (a
    revision's `__file__`), loaded as a module: revision files are not importable by name,
    and a revision that undoes an earlier one calls that one's `downgrade` (and its own
    downgrade that one's `upgrade`) rather than writing the same SQL twice."""
    path = Path(here).with_name(filename)
    spec = importlib.util.spec_from_file_location(f"hr_migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # No pre-ping (a round trip per request): a connection that died is dropped by the pool
    # when it fails, that one request answers 503 (shared.errors), and the next reconnects.
    # JSON columns are parsed by orjson (the same values as the standard library's parser,
    # several times faster: an inbox page parses two JSON values a row); written as before.
    return {"pool_recycle": 1800, "pool_size": 10, "max_overflow": 10,
            "json_deserializer": orjson.loads}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


#: Files at rest hold password hashes and encrypted private keys: owner only.
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
log = logging.getLogger("hr.db")


def private_dir(path: str | os.PathLike[str]) -> Path:
    """`path` as a directory only its owner may enter (0700): missing levels are created so,
    and an existing one with group or other bits is tightened (it is ours: the data
    directory, e.g. `./var`)."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for level in reversed(missing):
        level.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(level, PRIVATE_DIR)  # whatever the umask
    if path.stat().st_mode & 0o077:
        os.chmod(path, PRIVATE_DIR)
    return path


def _private_file(path: Path) -> None:
    """Create `path` empty and owner-only if missing (an empty file is a new SQLite database,
    whose -wal and -shm files SQLite then creates with the same mode); tighten it if not."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    for found in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if found.exists() and found.stat().st_mode & 0o077:
                os.chmod(found, PRIVATE_FILE)
        except PermissionError:  # not ours to change: say so rather than refuse to start
            log.warning("%s is readable by others and not ours to tighten", found)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, None for another store or an in-memory database."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url[len("sqlite:///"):].split("?", 1)[0])
    return None


def ensure_sqlite_dir(url: str) -> None:
    """Before SQLite opens `url`: its directory and file exist, owner-only. An existing
    directory is left as it is (it may be shared, e.g. /tmp); `private_dir` tightens the
    data directory itself."""
    path = sqlite_path(url)
    if path is None:
        return
    if not path.parent.exists():
        private_dir(path.parent)
    _private_file(path)


def alembic_config(migrations_dir: str | os.PathLike[str], url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(migrations_dir: str | os.PathLike[str], url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (creates the SQLite file if needed)."""
    ensure_sqlite_dir(normalise_url(url))
    _migrate(command.upgrade, migrations_dir, url, revision)


def downgrade(migrations_dir: str | os.PathLike[str], url: str, revision: str) -> None:
    """Take the database at `url` down to `revision` (migration tests, an operator's undo)."""
    _migrate(command.downgrade, migrations_dir, url, revision)


def _migrate(step: Callable[[Config, str], None], migrations_dir: str | os.PathLike[str],
             url: str, revision: str) -> None:
    """Run an alembic command on one connection, in one transaction."""
    url = normalise_url(url)
    engine = create_engine(url, **engine_options(url))
    try:
        with engine.begin() as conn:
            cfg = alembic_config(migrations_dir, url)
            cfg.attributes["connection"] = conn
            step(cfg, revision)
    finally:
        engine.dispose()


def init_db(app: Any, db: SQLAlchemy, url: str) -> None:
    url = normalise_url(url)
    ensure_sqlite_dir(url)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(url)
    db.init_app(app)
    if url.startswith("postgresql"):
        with app.app_context():
            end_reads_with_commit(app, db, db.engine)


_WROTE = "hr_wrote"


def _transaction_begins(conn: Any) -> None:
    conn.info[_WROTE] = False


def _note_writes(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    """Anything but a plain SELECT counts as a write (conservatively: a CTE too)."""
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WROTE] = True


def end_reads_with_commit(app: Any, db: SQLAlchemy, engine: Engine) -> None:
    """On PostgreSQL, end a successful request's read-only transaction with COMMIT instead
    of the teardown's ROLLBACK.

    For data the two are the same when the transaction only ran SELECTs. But psycopg 3
    forgets the statements it prepared inside a transaction that is rolled back, so with a
    ROLLBACK after every request, PostgreSQL plans every statement of every request afresh
    (psycopg prepares a statement once it has run 5 times on a connection); a COMMIT keeps
    them prepared on the pooled connection. Anything that wrote — a flush, a DML statement,
    anything not a SELECT — and every 4xx/5xx answer still end with the teardown's ROLLBACK.
    Reads on an autocommit connection (staff's `reading`) have no transaction to end.
    SQLite keeps nothing prepared across transactions, so it is not wired there.
    """
    event.listen(engine, "begin", _transaction_begins)
    event.listen(engine, "before_cursor_execute", _note_writes)

    @app.after_request
    def _end_read(response: Any) -> Any:
        if response.status_code >= 400 or not db.session.registry.has():
            return response
        session = db.session()
        if (not session.in_transaction() or session.new or session.dirty
                or session.deleted):
            return response
        conn = session.connection()
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return response
        if not conn.info.get(_WROTE, True):
            session.commit()
        return response


def autocommit(engine: Engine) -> Engine:
    """`engine` in autocommit, for requests that only read: the same pool and connections,
    remembered per engine (building the option engine, ~20 µs, is not a per-request cost).

    Under READ COMMITTED (PostgreSQL's default, which the stores keep) every statement takes
    its own snapshot with or without a transaction, so a read-only request's BEGIN and
    ROLLBACK are two round trips that change no answer; psycopg also keeps its prepared
    statements on a connection that never rolls back. Checking a connection out of it costs
    about a third of what an ORM session's connection does (the session's transaction
    bookkeeping, and its isolation switch and reset around a per-request autocommit).
    """
    found = _AUTOCOMMIT.get(engine)
    if found is None:
        found = _AUTOCOMMIT[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


class HeldConnections:
    """One autocommit connection per thread, kept from one request to the next, for the
    reads `shared.direct`'s lanes answer.

    Checking a connection out of the pool and back for every request — the autocommit
    switch and its reset, the pool's bookkeeping and events, SQLAlchemy's `Connection` —
    cost about a sixth of a lane's CPU (session 10's profile of leave's inbox), while a
    thread serves one request at a time and so never needs two. Each thread keeps its own
    (`autocommit(engine).connect()`, the pool's); one that failed is dropped and the next
    request opens another; `Engine.dispose()` (a worker leaving, a test's teardown) closes
    them all. Only reads that need no transaction use it: one statement, its own snapshot.
    """

    def __init__(self, engine: Callable[[], Engine], *,
                 postgres_settings: tuple[str, ...] = ()) -> None:
        """`postgres_settings`: `SET` statements run once on each new connection when the
        store is PostgreSQL (e.g. a lane whose prepared plans never depend on the values)."""
        self._engine = engine
        self._settings = postgres_settings
        self._local = threading.local()
        self._held: dict[int, Connection] = {}
        self._lock = threading.Lock()
        self._watching: Engine | None = None

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._open()
        try:
            yield conn
        except BaseException:
            self._drop(conn)
            raise

    def _open(self) -> Connection:
        engine = self._engine()
        with self._lock:
            if self._watching is not engine:
                event.listen(engine, "engine_disposed", lambda _engine: self.close_all())
                self._watching = engine
        conn = autocommit(engine).connect()
        if self._settings and conn.dialect.name == "postgresql":
            driver = conn.connection.driver_connection
            for statement in self._settings:
                driver.execute(statement)  # in autocommit: in force for the session
        self._local.conn = conn
        with self._lock:
            old = self._held.pop(threading.get_ident(), None)
            self._held[threading.get_ident()] = conn
        if old is not None and old is not conn:
            self._close(old)
        return conn

    def _drop(self, conn: Connection) -> None:
        self._local.conn = None
        with self._lock:
            if self._held.get(threading.get_ident()) is conn:
                del self._held[threading.get_ident()]
        self._close(conn)

    @staticmethod
    def _close(conn: Connection) -> None:
        try:
            conn.close()
        except Exception:  # already broken: the pool has let it go
            log.debug("closing a held connection failed", exc_info=True)

    def close_all(self) -> None:
        """Close every thread's connection (each thread opens a new one when next asked)."""
        with self._lock:
            held, self._held = list(self._held.values()), {}
        for conn in held:
            self._close(conn)

    def __len__(self) -> int:
        return len(self._held)


def engine_of(app: Any, db: SQLAlchemy) -> Callable[[], Engine]:
    """The app's engine, looked up once, for code that runs outside a request (WSGI
    middleware in front of Flask)."""
    found: list[Engine] = []

    def engine() -> Engine:
        if not found:
            with app.app_context():
                found.append(db.engine)
        return found[0]

    return engine


def ping(db: SQLAlchemy) -> None:
    """The health check's `SELECT 1`, on a pooled connection in autocommit (no BEGIN and
    ROLLBACK around it); raises `sqlalchemy.exc.OperationalError`, and so answers 503, when
    the database cannot be reached.

    On the driver's connection itself: an SQLAlchemy `Connection` around one statement —
    its execution context, result object and the isolation switch and reset around an
    autocommit checkout — cost about as much CPU as the round trip. The pool is the same
    (its checkout events keep the pool gauges true); a connection that failed is
    invalidated, as SQLAlchemy does with one it finds dead.
    """
    from sqlalchemy.exc import OperationalError

    engine = db.engine
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        pooled = engine.raw_connection()
    except dbapi_error as exc:
        raise OperationalError("connect", None, exc) from exc
    try:
        driver = pooled.driver_connection
        # psycopg would open a transaction for the SELECT; sqlite3 opens none for one.
        switch = engine.dialect.name == "postgresql" and not driver.autocommit
        try:
            if switch:
                driver.autocommit = True
            cursor = driver.cursor()
            try:
                cursor.execute("SELECT 1")
                cursor.fetchall()
            finally:
                cursor.close()
        finally:
            if switch and not driver.closed:
                driver.autocommit = False
    except dbapi_error as exc:
        pooled.invalidate(exc)
        raise OperationalError("SELECT 1", None, exc) from exc
    finally:
        pooled.close()


_AUTOCOMMIT: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


class session_for:
    """A plain SQLAlchemy session on `url`, outside any Flask app (start-up, commands)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.orm import Session

        url = normalise_url(url)
        self.engine = create_engine(url, **engine_options(url))
        self.session = Session(self.engine, expire_on_commit=False)

    def __enter__(self) -> Any:
        return self.session

    def __exit__(self, *exc: Any) -> None:
        self.session.close()
        self.engine.dispose()


def make_revision(migrations_dir: str | os.PathLike[str], message: str) -> None:
    """Autogenerate a migration by diffing the models against a scratch SQLite database."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/scratch.db"
        upgrade(migrations_dir, url)
        cfg = alembic_config(migrations_dir, url)
        versions = Path(migrations_dir) / "versions"
        numbers = [int(p.name[:4]) for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py")]
        rev_id = f"{max(numbers, default=0) + 1:04d}"
        command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)


def checkpoint_sqlite(url: str) -> None:
    """Fold the WAL back into the database file and empty it (`wal_checkpoint(TRUNCATE)`),
    on a connection of its own that is closed at once; SQLite deletes the -wal and -shm
    files when the last connection closes. For a clean shutdown, after the workers left."""
    path = sqlite_path(normalise_url(url))
    if path is None or not path.exists():
        return
    import sqlite3
    import time

    conn = sqlite3.connect(path, timeout=5)
    try:
        # gunicorn SIGKILLs a worker that outlives the graceful timeout and calls on_exit
        # without waiting for it to die: its locks may be held a moment longer (busy = 1).
        deadline = time.monotonic() + 5
        while conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] and \
                time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        conn.close()


def close_databases(app: Any) -> None:
    """A clean shutdown of one app (a gunicorn worker leaving): checkpoint SQLite's WAL and
    close every pooled connection of every engine."""
    ext = app.extensions.get("sqlalchemy") if hasattr(app, "extensions") else None
    if ext is None:
        return
    with app.app_context():
        engines = list(ext.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite":
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            except Exception:  # another process holds it: the master checkpoints at exit
                log.warning("WAL checkpoint skipped for %s", engine.url, exc_info=True)
        engine.dispose()
