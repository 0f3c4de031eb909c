"""Small pieces every auth use case shares: time handling and the OAuth error type."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Dialect, Executable, Row, Select
from sqlalchemy.orm import Session, scoped_session

from shared.audit import utcnow

__all__ = ["OAuthError", "Prepared", "aware", "core_rows", "iso_utc", "session_scalar",
           "sha256_hex", "utcnow"]


def core_rows(session: Session, statement: Executable, **params: Any) -> list[Row[Any]]:
    """Rows of a Core `statement` run on the session's connection and transaction — the hot
    paths' reads, without the ORM's per-statement and per-row work. Pending ORM changes are
    flushed first, as the ORM's own autoflush would."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return list(session.connection().execute(statement, params).all())


class Prepared:
    """A Core SELECT compiled once per dialect and run straight on the DBAPI cursor of the
    session's connection, in its transaction — for the few statements every request runs
    (the bearer gate's, `/auth/check`'s), where `Connection.execute` and its `Result` cost
    several times the query itself.

    Same SQL, parameters, transaction and values as `core_rows` (bind and result type
    processing as SQLAlchemy would apply them — dates and JSON on SQLite), same engine
    events (`before_cursor_execute`/`after_cursor_execute`, so statement counters see it)
    and same errors (a DBAPI error goes through the connection's own handling: wrapped as
    `sqlalchemy.exc.*Error`, the connection invalidated on a disconnect). Rows are plain
    tuples in the statement's column order.
    """

    def __init__(self, statement: Select[Any] | Any) -> None:
        self.statement = statement
        self._by_dialect: dict[Dialect, tuple[str, tuple[str, ...] | None,
                                              dict[str, Callable[[Any], Any]],
                                              list[tuple[int, Callable[[Any], Any]]]]] = {}

    def _compiled(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None,
                                                   dict[str, Callable[[Any], Any]],
                                                   list[tuple[int, Callable[[Any], Any]]]]:
        found = self._by_dialect.get(dialect)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            binds = {}
            for name, bind in compiled.binds.items():
                proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if proc is not None:
                    binds[name] = proc
            results = []
            for index, column in enumerate(self.statement.selected_columns):
                proc = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if proc is not None:
                    results.append((index, proc))
            positional = tuple(compiled.positiontup) if compiled.positional else None
            found = (compiled.string, positional, binds, results)
            if len(self._by_dialect) >= 8:  # one engine per app: tests make many
                self._by_dialect.clear()
            self._by_dialect[dialect] = found
        return found

    def rows(self, session: Session | scoped_session[Session],
             **params: Any) -> list[tuple[Any, ...]]:
        if isinstance(session, scoped_session):
            session = session()  # the request's session, looked up once
        if session.new or session.dirty or session.deleted:
            session.flush()  # as the ORM's autoflush would
        return self.run(session.connection(), params)

    def run(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        sql, positional, binds, results = self._compiled(conn.dialect)
        for name, proc in binds.items():
            params[name] = proc(params[name])
        args: Any = tuple(params[n] for n in positional) if positional is not None else params
        dispatch = conn.dispatch
        cursor = None
        try:
            cursor = conn.connection.cursor()
            for fn in dispatch.before_cursor_execute:
                sql, args = fn(conn, cursor, sql, args, None, False)
            cursor.execute(sql, args)
            for fn in dispatch.after_cursor_execute:
                fn(conn, cursor, sql, args, None, False)
            fetched = cursor.fetchall()
            cursor.close()
        except BaseException as exc:  # as `Connection` does: SQLAlchemy wraps and re-raises
            conn._handle_dbapi_exception(exc, sql, args, cursor, None)
        if not results:
            return fetched
        out = []
        for row in fetched:
            values = list(row)
            for index, proc in results:
                values[index] = proc(values[index])
            out.append(tuple(values))
        return out


def session_scalar(session: Session, statement: Executable, **params: Any) -> Any:
    """The first column of the first row of a Core `statement` (None when no row)."""
    rows = core_rows(session, statement, **params)
    return rows[0][0] if rows else None


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; everything auth stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def iso_utc(value: dt.datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC with its offset (`…+00:00`), whatever the store gave back
    (SQLite: naive UTC; PostgreSQL: aware, in the connection's time zone). Every datetime auth
    answers goes through here: without an offset a time is ambiguous (the platform reads
    dates in Asia/Shanghai)."""
    if value is None:
        return None
    return aware(value).astimezone(dt.UTC).isoformat()  # type: ignore[union-attr]


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: `{"error": ..., "error_description": ...}` (not problem+json)."""

    def __init__(self, error: str, description: str, status: int = 400,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}

    @classmethod
    def invalid_client(cls, scheme: str = "Basic") -> OAuthError:
        return cls("invalid_client", "Client authentication failed.", 401,
                   {"WWW-Authenticate": f'{scheme} realm="auth"'})

    @classmethod
    def invalid_request(cls, description: str) -> OAuthError:
        return cls("invalid_request", description)
