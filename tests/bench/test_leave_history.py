"""The bench's leave history loader: what it writes is what it generated, on both stores.

The loader generates in a forked process while it writes, and on PostgreSQL drops the
secondary indexes for the COPY and builds them again at the end: a loaded store must hold
every generated request and step, with leave's indexes back in place (the inbox's plans
depend on them), and the history's counts (which the bench's callers and inbox sizes are
chosen from) must come back from the generator."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, text

from bench import leave_data, staff_data
from services.leave.app import MIGRATIONS as LEAVE_MIGRATIONS
from services.staff.app import MIGRATIONS as STAFF_MIGRATIONS
from services.staff.models import Position
from services.staff.service import loading
from shared.db import engine_options, normalise_url, session_for

TODAY = dt.date(2026, 12, 4)


@pytest.fixture(scope="module")
def organisation(databases):
    url = databases.fresh("staff", STAFF_MIGRATIONS)
    with session_for(url) as session:
        assert not session.query(Position).count()
        loading.load_catalogue(session=session)
    import bench.scenarios  # noqa: F401 - first: the scenario modules import each other
    from bench.leave_scenarios import _grades

    org = staff_data.build(120, 1_000, positions=staff_data.read_positions(url), branches=2)
    grades, _must_cover = _grades(url)
    yield org, grades
    databases.drop(url)


def _query(url: str, sql: str, **params) -> list[tuple]:
    url = normalise_url(url)
    engine = create_engine(url, **engine_options(url))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def _indexes(url: str, store: str) -> set[str]:
    if store == "postgres":
        rows = _query(url, "SELECT indexname FROM pg_indexes WHERE tablename IN "
                           "('leave_requests', 'approval_steps')")
    else:
        rows = _query(url, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                           "('leave_requests', 'approval_steps')")
    return {name for (name,) in rows}


def test_a_loaded_history_holds_every_generated_request_and_step(organisation, databases,
                                                                  store):
    org, grades = organisation
    expected = leave_data.build(org, grades, 3_000, today=TODAY)
    generated = list(leave_data.rows(expected))  # in this process: the reference
    url = databases.fresh("leave", LEAVE_MIGRATIONS)
    try:
        indexes_before = _indexes(url, store)
        history = leave_data.build(org, grades, 3_000, today=TODAY)
        leave_data.load(url, history)

        # the counts the bench chooses its callers by came back from the forked generator
        assert history.statuses == expected.statuses
        assert history.pending == expected.pending
        assert history.steps == expected.steps == sum(len(s) for _r, s in generated)
        ids = _query(url, "SELECT id, employee_no, status FROM leave_requests ORDER BY id")
        assert ids == [(r[0], r[1], r[10]) for r, _steps in generated]
        (steps,) = _query(url, "SELECT count(*) FROM approval_steps")
        assert steps == (history.steps,)
        pending = _query(url, "SELECT count(*) FROM approval_steps WHERE status = 'pending'")
        assert pending == [(sum(1 for _r, s in generated for step in s
                                if step[8] == "pending"),)]
        # leave's own indexes are all there again
        assert _indexes(url, store) == indexes_before
    finally:
        databases.drop(url)
