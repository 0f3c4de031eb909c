"""Auth migration 0006 retires the decision generation (the counter and triggers only the
check lane read); its downgrade brings them back, counting again."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from services.auth.app import MIGRATIONS
from shared.db import downgrade, normalise_url, upgrade

PERMISSION = text("INSERT INTO permissions (name, description) VALUES (:name, 'test')")


@pytest.fixture
def url(databases):
    url = databases.empty("auth")
    yield url
    databases.drop(url)


def test_0006_retires_the_decision_generation_and_its_downgrade_restores_it(url):
    upgrade(MIGRATIONS, url)
    engine = create_engine(normalise_url(url))
    try:
        assert "auth_state" not in inspect(engine).get_table_names()
        with engine.begin() as conn:  # a watched table's write no longer needs the counter
            conn.execute(PERMISSION, {"name": "test:one"})
        downgrade(MIGRATIONS, url, "0005")
        with engine.begin() as conn:
            before = conn.execute(text("SELECT generation FROM auth_state")).scalar_one()
            conn.execute(PERMISSION, {"name": "test:two"})
        with engine.begin() as conn:
            assert conn.execute(text("SELECT generation FROM auth_state")).scalar_one() > before
        upgrade(MIGRATIONS, url)
        assert "auth_state" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
