"""Migration 0004 on a store that already holds the catalogue: the customer-manager posts are
flagged, and the read generation's triggers on `positions` survive the
new column (no SQLite table rebuild)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from services.staff.app import MIGRATIONS
from shared.db import normalise_url, upgrade

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
        upgrade(MIGRATIONS, empty_url)
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
