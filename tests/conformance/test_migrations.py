"""Each service's migrations build exactly the schema its models describe, on both stores."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from shared.db import normalise_url

SERVICES = ["auth", "staff", "leave", "performance"]


@pytest.fixture(params=SERVICES)
def migrated(request, databases):
    name = request.param
    app_module = importlib.import_module(f"services.{name}.app")
    models = importlib.import_module(f"services.{name}.models")
    url = databases.fresh(name, app_module.MIGRATIONS)
    engine = create_engine(normalise_url(url))
    yield name, models.db.metadata, engine
    engine.dispose()
    databases.drop(url)


def test_the_migrations_leave_no_difference_from_the_models(migrated):
    name, metadata, engine = migrated
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == [], f"{name}: models and migrations differ: {diff}"


def test_every_model_table_exists_with_an_audit_trail(migrated):
    _name, metadata, engine = migrated
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert "audit_events" in tables


def test_ids_are_never_reused(migrated, store):
    """Without AUTOINCREMENT SQLite hands a deleted row's id to the next row, and the audit
    trail would point one id at two different things; PostgreSQL ids come from sequences."""
    name, metadata, engine = migrated
    with engine.connect() as conn:
        if store == "sqlite":
            ddl = dict(conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type='table'")).all())
        for table in metadata.tables.values():
            pk = list(table.primary_key.columns)
            if not (len(pk) == 1 and pk[0].type.python_type is int and not pk[0].foreign_keys):
                continue
            if pk[0].autoincrement is False:  # fixed ids (auth_state's one row): none issued
                continue
            if store == "sqlite":
                assert "AUTOINCREMENT" in ddl[table.name], f"{name}.{table.name}"
            else:
                seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                   {"t": table.name, "c": pk[0].name}).scalar()
                assert seq, f"{name}.{table.name} has no sequence behind its id"
