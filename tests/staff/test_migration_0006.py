"""Migration 0006 on a store loaded with the old catalogue: positions and duties that cited
a source by its file name cite the document's title; anything else is left alone."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from services.staff.app import MIGRATIONS
from shared.db import normalise_url, upgrade

POSITION = text("INSERT INTO positions (code, name_zh, name_en, grade, must_cover, unit_types, "
                "source, version, updated_at) VALUES (:code, :code, :code, 'staff', false, "
                "'[]', :source, 1, CURRENT_TIMESTAMP)")
DUTY = text("INSERT INTO duties (position_id, seq, text_zh, source) "
            "SELECT id, 1, 'duty', :source FROM positions WHERE code = :code")
#: A file name as the old catalogue cited it (built here: the repository names none).
OLD_NAME = "000_" + "0123456789abcdef" + ".txt"


@pytest.fixture
def url(databases):
    url = databases.empty("staff")
    yield url
    databases.drop(url)


def test_0006_cites_source_documents_by_title_and_leaves_other_sources_alone(url):
    upgrade(MIGRATIONS, url, revision="0005")
    engine = create_engine(normalise_url(url))
    rows = {"OLD": OLD_NAME, "EDITED": "HR's own note.txt", "NONE": None,
            "TITLED": "银行客户经理工作制度"}
    try:
        with engine.begin() as conn:
            for code, source in rows.items():
                conn.execute(POSITION, {"code": code, "source": source})
                conn.execute(DUTY, {"code": code, "source": source})
        upgrade(MIGRATIONS, url)
        with engine.begin() as conn:
            positions = dict(conn.execute(text("SELECT code, source FROM positions")).all())
            duties = dict(conn.execute(text(
                "SELECT p.code, d.source FROM duties d JOIN positions p "
                "ON p.id = d.position_id")).all())
        expected = rows | {"OLD": "银行支行客户经理职责"}
        assert positions == expected
        assert duties == expected
    finally:
        engine.dispose()
