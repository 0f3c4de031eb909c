"""A service whose database is gone answers 503 problems, then recovers by itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from services.leave import app as leave_app
from services.leave import models, service
from shared.settings import TestSettings
from tests.conftest import ISSUER, bearer


def _take_away(url: str, store: str, pg_server) -> Callable[[], None]:
    """Make the database unreachable; return a function that brings it back."""
    if store == "sqlite":
        path = Path(url[len("sqlite:///"):])
        away = path.with_suffix(".away")
        path.rename(away)
        path.mkdir()  # SQLite would quietly create an empty file; a directory cannot open

        def back() -> None:
            path.rmdir()
            away.rename(path)

        return back
    name = url.rsplit("/", 1)[1]
    pg_server.execute(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"')
    return lambda: pg_server.execute(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')


def test_a_lost_database_is_a_503_problem_and_the_service_recovers(databases, verifier, tokens,
                                                                   tmp_path, store, pg_server):
    url = databases.fresh("leave", leave_app.MIGRATIONS)
    app = leave_app.create_app(TestSettings("leave", {"HR_DATA_DIR": str(tmp_path)},
                                            database_url=url, issuer=ISSUER), verifier=verifier)
    with app.app_context():
        service.load_reference_data(session=models.db.session)
    client = app.test_client()
    auth = bearer(tokens.user(emp="E1"))
    assert client.get("/leave/types", headers=auth).status_code == 200

    with app.app_context():
        models.db.engine.dispose()  # drop pooled connections, as a server restart would
    bring_back = _take_away(url, store, pg_server)
    for path in ("/leave/types", "/leave/health"):
        resp = client.get(path, headers=auth)
        assert resp.status_code == 503, resp.data
        assert resp.mimetype == "application/problem+json"
        assert b"Traceback" not in resp.data and b"sqlalchemy" not in resp.data.lower()

    bring_back()
    assert client.get("/leave/health").status_code == 200
    assert client.get("/leave/types", headers=auth).status_code == 200
    with app.app_context():
        models.db.engine.dispose()
    databases.drop(url)


def test_a_value_the_store_refuses_is_a_422_not_a_500(databases, tmp_path):
    """A DataError that slipped past validation (PostgreSQL: NUL in text; both: overflow)."""
    from flask import Flask
    from sqlalchemy import text
    from sqlalchemy.exc import DataError

    from shared.errors import install_error_handlers

    app = Flask("t")
    install_error_handlers(app)

    @app.get("/refused")
    def refused():
        raise DataError("SELECT 1", {}, ValueError("NUL"))

    @app.get("/fine")
    def fine():
        return {"ok": text("1") is not None}

    client = app.test_client()
    assert client.get("/fine").status_code == 200
    resp = client.get("/refused")
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
