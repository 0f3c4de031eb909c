"""Auth migration 0004 gives a store loaded before `staff:qualify` existed the permission and
puts it in the admin role (which holds every permission); an empty store is left to the
first start, which loads it from roles.yaml."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import JSON, create_engine, text
from sqlalchemy.sql import column, table

from services.auth.app import MIGRATIONS
from shared.db import normalise_url, upgrade

ROLES = table("roles", column("name"), column("description"), column("permissions", JSON),
              column("updated_at"))


@pytest.fixture
def empty_url(databases):
    url = databases.empty("auth")
    yield url
    databases.drop(url)


def _state(engine):
    with engine.begin() as conn:
        names = set(conn.execute(text("SELECT name FROM permissions")).scalars())
        held = dict(conn.execute(ROLES.select().with_only_columns(ROLES.c.name,
                                                                  ROLES.c.permissions)).all())
    return names, held


def test_a_loaded_store_gets_staff_qualify_for_admin_only(empty_url):
    upgrade(MIGRATIONS, empty_url, revision="0003")
    engine = create_engine(normalise_url(empty_url))
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO permissions (name, description) "
                              "VALUES ('auth:admin', 'x'), ('staff:write', 'y')"))
            now = dt.datetime.now(dt.UTC)
            conn.execute(ROLES.insert(), [
                {"name": "admin", "description": "", "permissions": ["auth:admin", "staff:write"],
                 "updated_at": now},
                {"name": "hr", "description": "", "permissions": ["staff:write"],
                 "updated_at": now}])
        upgrade(MIGRATIONS, empty_url, revision="0004")
        names, held = _state(engine)
        assert names == {"auth:admin", "staff:write", "staff:qualify"}
        assert held == {"admin": ["auth:admin", "staff:qualify", "staff:write"],
                        "hr": ["staff:write"]}
    finally:
        engine.dispose()


def test_an_empty_store_is_left_to_the_first_start(empty_url):
    upgrade(MIGRATIONS, empty_url)
    engine = create_engine(normalise_url(empty_url))
    try:
        assert _state(engine) == (set(), {})
    finally:
        engine.dispose()
