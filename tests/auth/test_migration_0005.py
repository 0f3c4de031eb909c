"""Auth migration 0005 gives a store loaded before it what roles.yaml now says: branch_head
bound over sub-branches and outlets only, the customer_manager role (客户经理) needing the
customer-manager qualification, and the new permissions in the admin role. An edited role
keeps its edit; an empty store is left to the first start."""

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
def url(databases):
    url = databases.empty("auth")
    yield url
    databases.drop(url)


def _roles(engine):
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT name, permissions, unit_types, "
                                 "requires_qualification FROM roles")).all()
        names = set(conn.execute(text("SELECT name FROM permissions")).scalars())
    decode = JSON().result_processor(engine.dialect, None) or (lambda v: v)
    return {r[0]: (decode(r[1]) if isinstance(r[1], str) else r[1],
                   decode(r[2]) if isinstance(r[2], str) else r[2], r[3]) for r in rows}, names


def test_a_loaded_store_gets_unit_types_the_customer_manager_and_the_permissions(url):
    upgrade(MIGRATIONS, url, revision="0004")
    engine = create_engine(normalise_url(url))
    try:
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO permissions (name, description) "
                              "VALUES ('auth:admin', 'x'), ('leave:request', 'y')"))
            conn.execute(ROLES.insert(), [
                {"name": "admin", "description": "", "permissions": ["auth:admin"],
                 "updated_at": now},
                {"name": "branch_head", "description": "", "permissions": ["leave:request"],
                 "updated_at": now}])
        upgrade(MIGRATIONS, url)
        roles, names = _roles(engine)
        assert {"auth:people-sync", "customer:manage"} <= names
        assert roles["admin"][0] == ["auth:admin", "auth:people-sync", "customer:manage"]
        assert roles["branch_head"][1] == ["sub_branch", "outlet"]
        assert roles["customer_manager"] == (["customer:manage", "leave:request"],
                                             ["sub_branch", "outlet", "department"],
                                             "customer_manager")
    finally:
        engine.dispose()


def test_an_empty_store_is_left_to_the_first_start(url):
    upgrade(MIGRATIONS, url)
    engine = create_engine(normalise_url(url))
    try:
        assert _roles(engine) == ({}, set())
    finally:
        engine.dispose()
