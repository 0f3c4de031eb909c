"""A decision written with Core statements (`service.decision_rows`): the lock taken by the
request's id, one version bump per transition, a stale writer refused, the trail chained."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.leave.models import db
from services.leave.service import decision_rows
from shared.errors import Conflict
from tests.leave.conftest import decide
from tests.leave.test_decisions import six_days


def lock_writes(app, emp: str) -> int:
    with app.app_context():
        return db.session.execute(text("SELECT writes FROM employee_locks "
                                       "WHERE employee_no = :e"), {"e": emp}).scalar() or 0


def test_each_decision_bumps_the_version_once_and_chains_the_signed_trail(client, who):
    rid = six_days(client, who)
    review = decide(client, who("H1"), rid, comment="初审同意")
    assert review.status_code == 200 and review.get_json()["version"] == 2
    final = decide(client, who("HR1"), rid, version=2)
    assert final.status_code == 200, final.get_json()
    assert final.get_json()["status"] == "approved" and final.get_json()["version"] == 3
    trail = client.get(f"/leave/requests/{rid}/trail", headers=who("E1")).get_json()
    assert trail["valid"]
    entries = trail["entries"]
    assert [(e["seq"], e["action"], e["to_status"]) for e in entries] == [
        (1, "submit", "pending"), (2, "approve", "pending"), (3, "approve", "approved")]
    assert [e["prev_hash"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    assert entries[1]["comment"] == "初审同意" and entries[1]["actor"] == "user-H1"


def test_a_decision_naming_the_version_it_read_before_the_review_is_refused(client, who):
    rid = six_days(client, who)
    assert decide(client, who("H1"), rid).status_code == 200
    stale = decide(client, who("HR1"), rid, version=1)
    assert stale.status_code == 409
    assert decide(client, who("HR1"), rid, version=2).status_code == 200  # control


def test_a_writer_holding_an_older_version_writes_nothing(app, client, who):
    rid = six_days(client, who)
    with app.app_context():
        stale, _, _ = decision_rows.read(db.session, rid)
        db.session.rollback()
    assert decide(client, who("H1"), rid).status_code == 200  # another writer got there
    with app.app_context():
        stale.status = "rejected"
        with pytest.raises(Conflict):
            decision_rows.write_request(db.session, stale, now=stale.updated_at, steps=[])
        fresh, _, _ = decision_rows.read(db.session, rid)  # control: the current version
        fresh.status = "rejected"
        decision_rows.write_request(db.session, fresh, now=fresh.updated_at, steps=[])
        assert fresh.version == 3
        db.session.rollback()
    answer = client.get(f"/leave/requests/{rid}", headers=who("E1")).get_json()
    assert answer["status"] == "pending" and answer["version"] == 2


def test_a_decision_locks_the_requester_and_one_on_no_request_locks_nobody(app, client, who):
    rid = six_days(client, who)
    before = lock_writes(app, "E1")
    with app.app_context():
        locks = db.session.execute(text("SELECT count(*) FROM employee_locks")).scalar()
    assert decide(client, who("H1"), rid + 1000).status_code == 404
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM employee_locks")).scalar() == locks
    assert decide(client, who("H1"), rid).status_code == 200
    assert lock_writes(app, "E1") == before + 1
