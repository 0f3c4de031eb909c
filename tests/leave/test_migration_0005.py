"""Migration 0005 lets sick and bereavement leave be filed up to 30 days after the fact and
no other type, and comes back down to 0004."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from services.leave.app import MIGRATIONS
from shared.db import normalise_url, upgrade
from tests.leave.test_migration_0004 import _downgrade

TYPE = ("INSERT INTO leave_types (code, name_zh, name_en, counts, paid, has_balance, "
        "needs_attachment, min_notice_days, active) VALUES (:code, :code, :code, "
        "'working_days', true, false, false, :notice, true)")


def test_types_before_0005_get_how_far_back_they_may_be_filed(databases):
    url = databases.fresh("leave", MIGRATIONS)
    try:
        _downgrade(url, "0004")
        engine = create_engine(normalise_url(url))
        with engine.begin() as conn:
            # HR gave bereavement leave a notice period: it stays filed ahead, not after.
            for code, notice in (("annual", 3), ("sick", 0), ("bereavement", 2),
                                 ("maternity", 0)):
                conn.execute(text(TYPE), {"code": code, "notice": notice})
        engine.dispose()
        upgrade(MIGRATIONS, url)
        engine = create_engine(normalise_url(url))
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT code, max_days_back FROM leave_types")).all())
        engine.dispose()
        assert rows == {"annual": 0, "sick": 30, "bereavement": 0, "maternity": 0}

        _downgrade(url, "0004")
        engine = create_engine(normalise_url(url))
        columns = {c["name"] for c in inspect(engine).get_columns("leave_types")}
        engine.dispose()
        assert "max_days_back" not in columns and "min_notice_days" in columns
    finally:
        databases.drop(url)
