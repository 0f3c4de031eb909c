"""Migration 0004 carries each step's governing path, filled from its request, and comes
back down to 0003."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from services.leave.app import MIGRATIONS
from shared.db import downgrade, normalise_url, upgrade

REQUEST = ("INSERT INTO leave_requests (id, employee_no, type_code, start_date, end_date, days, "
           "days_by_year, calendar, status, reason, unit_code, unit_path, governing_code, "
           "governing_path, grade, routed_days, related_ids, policy_version, filed_by, "
           "cancelled_days, created_at, updated_at, version) VALUES (:id, 'E1', 'sick', "
           "'2025-09-01', '2025-09-02', 2, '{}', 'official', 'pending', 'r', :unit, :path, "
           ":gov, :gov_path, 'staff', 2, '[]', 1, 'u', 0, '2025-08-01', '2025-08-01', 1)")
STEP = ("INSERT INTO approval_steps (request_id, level, role, org, org_path, final, status, "
        "unassigned) VALUES (:id, 1, 'branch_head', :unit, :path, true, 'pending', true)")


def _downgrade(url: str, revision: str) -> None:
    downgrade(MIGRATIONS, url, revision)


def test_steps_written_before_0004_get_their_requests_governing_path(databases):
    url = databases.fresh("leave", MIGRATIONS)
    try:
        _downgrade(url, "0003")
        engine = create_engine(normalise_url(url))
        with engine.begin() as conn:
            for rid, unit, gov in ((1, "SB01", "BR01"), (2, "SB03", "BR02")):
                values = {"id": rid, "unit": unit, "path": f"HQ/{gov}/{unit}", "gov": gov,
                          "gov_path": f"HQ/{gov}"}
                conn.execute(text(REQUEST), values)
                conn.execute(text(STEP), values)
        engine.dispose()
        upgrade(MIGRATIONS, url)
        engine = create_engine(normalise_url(url))
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT request_id, governing_path FROM approval_steps "
                                     "ORDER BY request_id")).all()
        engine.dispose()
        assert [tuple(r) for r in rows] == [(1, "HQ/BR01"), (2, "HQ/BR02")]
    finally:
        databases.drop(url)
