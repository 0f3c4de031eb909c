"""`shared.db.end_reads_with_commit`: on PostgreSQL a successful request that only read ends
its transaction with COMMIT (so psycopg keeps its prepared statements); anything that wrote,
and every error answer, still ends with the teardown's ROLLBACK — so nothing half-written is
ever kept, on either store."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import String, event, select, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import init_db, make_db
from shared.errors import Conflict, install_error_handlers

db = make_db()


class Note(db.Model):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(50))


@pytest.fixture
def app(store, pg_server, tmp_path):
    if store == "postgres":
        url = pg_server.create_database("read_endings")
    else:
        url = f"sqlite:///{tmp_path / 'notes.db'}"
    app = Flask("read-endings")
    init_db(app, db, url)
    install_error_handlers(app)

    @app.get("/read")
    def read():
        return {"count": len(db.session.scalars(select(Note)).all())}

    @app.get("/read-then-refuse")
    def read_then_refuse():
        db.session.scalars(select(Note)).all()
        raise Conflict("No.")

    @app.post("/flush-uncommitted")
    def flush_uncommitted():
        db.session.add(Note(text="flushed, never committed"))
        db.session.flush()
        return {"ok": True}

    @app.post("/flush-then-refuse")
    def flush_then_refuse():
        db.session.add(Note(text="flushed, then refused"))
        db.session.flush()
        raise Conflict("Refused after a flush.")

    @app.post("/sql-write")
    def sql_write():
        db.session.execute(text("INSERT INTO notes (text) VALUES ('raw, never committed')"))
        return {"ok": True}

    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    if store == "postgres":
        pg_server.drop_database("read_endings")


@pytest.fixture
def endings(app):
    """How each request's transaction ended: "commit" or "rollback"."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listeners = {"commit": lambda conn: seen.append("commit"),
                 "rollback": lambda conn: seen.append("rollback")}
    for name, fn in listeners.items():
        event.listen(engine, name, fn)
    yield seen
    for name, fn in listeners.items():
        event.remove(engine, name, fn)


def _notes(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Note)).all())


def test_a_successful_read_ends_with_commit_on_postgresql(app, endings, store):
    assert app.test_client().get("/read").status_code == 200
    assert endings[0] == ("commit" if store == "postgres" else "rollback")


def test_an_error_answer_after_a_read_ends_with_rollback(app, endings):
    assert app.test_client().get("/read-then-refuse").status_code == 409
    assert "commit" not in endings


@pytest.mark.parametrize(("path", "status"), [("/flush-uncommitted", 200),
                                              ("/flush-then-refuse", 409),
                                              ("/sql-write", 200)])
def test_a_request_that_wrote_without_committing_keeps_nothing(app, endings, path, status):
    assert app.test_client().post(path).status_code == status
    assert "commit" not in endings
    assert _notes(app) == 0
