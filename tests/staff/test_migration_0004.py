"""Migration 0004 on a store that already holds the catalogue: the customer-manager posts are
flagged, and the read generation's triggers on `positions` survive the
new column (no SQLite table rebuild) — so that 0007 finds every trigger it drops.
Migration 0007 retires the read generation; its downgrade brings it back, counting."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from services.staff.app import MIGRATIONS
from shared.db import downgrade, normalise_url, upgrade

INSERT = text("INSERT INTO positions (code, name_zh, name_en, grade, must_cover, unit_types, "
              "source, version, updated_at) VALUES (:code, :code, :code, 'staff', false, "
              "'[]', NULL, 1, CURRENT_TIMESTAMP)")


@pytest.fixture
def empty_url(databases):
    url = databases.empty("staff")
    yield url
    databases.drop(url)


def test_0004_flags_existing_customer_manager_posts_and_keeps_the_triggers(empty_url):
    upgrade(MIGRATIONS, empty_url, revision="0003")
    engine = create_engine(normalise_url(empty_url))
    try:
        with engine.begin() as conn:
            for code in ("CUSTOMER_MANAGER", "KEY_ACCOUNT_MANAGER", "CASH_TELLER"):
                conn.execute(INSERT, {"code": code})
        upgrade(MIGRATIONS, empty_url, revision="0004")
        with engine.begin() as conn:
            flags = dict(conn.execute(text("SELECT code, requires_qualification "
                                           "FROM positions")).all())
            before = conn.execute(text("SELECT generation FROM staff_state")).scalar_one()
        assert flags == {"CUSTOMER_MANAGER": "customer_manager",
                         "KEY_ACCOUNT_MANAGER": "customer_manager", "CASH_TELLER": None}
        with engine.begin() as conn:
            conn.execute(text("UPDATE positions SET must_cover = true WHERE code = 'CASH_TELLER'"))
        with engine.begin() as conn:
            after = conn.execute(text("SELECT generation FROM staff_state")).scalar_one()
        assert after > before
    finally:
        engine.dispose()


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_0007_retires_the_read_generation_and_its_downgrade_restores_it(empty_url):
    upgrade(MIGRATIONS, empty_url)
    engine = create_engine(normalise_url(empty_url))
    try:
        assert "staff_state" not in _tables(engine)
        with engine.begin() as conn:  # a watched table's write no longer needs the counter
            conn.execute(INSERT, {"code": "CASH_TELLER"})
            conn.execute(text("UPDATE positions SET must_cover = true"))
        downgrade(MIGRATIONS, empty_url, "0006")
        with engine.begin() as conn:
            before = conn.execute(text("SELECT generation FROM staff_state")).scalar_one()
            conn.execute(text("UPDATE positions SET must_cover = false"))
        with engine.begin() as conn:
            assert conn.execute(text("SELECT generation FROM staff_state")).scalar_one() > before
        upgrade(MIGRATIONS, empty_url)
        assert "staff_state" not in _tables(engine)
    finally:
        engine.dispose()
