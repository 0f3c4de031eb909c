"""Core SELECTs compiled once per dialect and run straight on the DBAPI cursor.

For the few statements a hot route runs on every request (auth's bearer gate and
`/auth/check`, staff's subtree listing), `Connection.execute` and its `Result` cost about as
much as the database's work on them (cache-key generation, execution context, result
metadata, per-row processing).

Same SQL, parameters and values as `Connection.execute` (bind and result type processing
as SQLAlchemy applies them — dates and JSON on SQLite), same engine events
(`before_cursor_execute`/`after_cursor_execute`, so statement counters see it), same
transaction (the session's connection) and same errors (a DBAPI error goes through the
connection's own handling: wrapped as `sqlalchemy.exc.*Error`, the connection invalidated
on a disconnect). Rows are plain tuples in the statement's column order.

Integer parameters marked `literal_execute=True` (LIMIT, OFFSET) are written into the SQL
text, as `Connection.execute` would: PostgreSQL's generic plan for a prepared statement
then knows them. The one private call, `Connection._handle_dbapi_exception`, is why
SQLAlchemy is pinned below 2.2 (tests hold these rows to `Connection.execute`'s).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.orm import Session, scoped_session

_Compiled = tuple[str, tuple[str, ...] | None, dict[str, Any], dict[str, Callable[[Any], Any]],
                  list[tuple[int, Callable[[Any], Any]]], tuple[str, ...]]


class Prepared:
    """One SELECT, compiled on first use per dialect (see the module docstring)."""

    def __init__(self, statement: Select[Any] | Any) -> None:
        self.statement = statement
        self._by_dialect: dict[Dialect, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            inline = tuple(bind.key for bind in compiled.literal_execute_params)
            for name in inline:  # SQLAlchemy's marker for a value rendered at execution
                assert f"__[POSTCOMPILE_{name}]" in compiled.string, name
            # Values the statement carries itself (literals SQLAlchemy bound, e.g. the '/'
            # of `path || '/'`); the caller's parameters are the `bindparam(name)`s.
            fixed = {name: bind.effective_value for name, bind in compiled.binds.items()
                     if not bind.required and name not in inline}
            binds = {}
            for name, bind in compiled.binds.items():
                proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if proc is not None and name not in inline:
                    binds[name] = proc
            results = []
            for index, column in enumerate(self.statement.selected_columns):
                proc = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if proc is not None:
                    results.append((index, proc))
            positional = (tuple(n for n in compiled.positiontup if n not in inline)
                          if compiled.positional else None)
            found = (compiled.string, positional, fixed, binds, results, inline)
            if len(self._by_dialect) >= 8:  # one engine per app: tests make many
                self._by_dialect.clear()
            self._by_dialect[dialect] = found
        return found

    def rows(self, session: Session | scoped_session[Session],
             **params: Any) -> list[tuple[Any, ...]]:
        """Run on the session's connection, in its transaction (flushing first, as the ORM's
        autoflush would)."""
        if isinstance(session, scoped_session):
            session = session()  # the request's session, looked up once
        if session.new or session.dirty or session.deleted:
            session.flush()
        return self.run(session.connection(), params)

    def run(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        sql, positional, fixed, binds, results, inline = self._compiled(conn.dialect)
        for name in inline:
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", str(int(params[name])))
        params = {**fixed, **params}
        for name, proc in binds.items():
            params[name] = proc(params.get(name))
        args: Any = tuple(params.get(n) for n in positional) if positional is not None \
            else params
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
