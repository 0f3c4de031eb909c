"""The audit trail is append-only, in the ORM and in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.leave.app import MIGRATIONS
from services.leave.models import AuditEvent
from shared.audit import Actor, record
from shared.db import session_for


@pytest.fixture
def session(databases):
    url = databases.fresh("leave", MIGRATIONS)
    with session_for(url) as session:
        yield session
    databases.drop(url)


def _write(session):
    actor = Actor(sub="u-7", emp="E7", jti="jti-1", request_id="req-00000001",
                  remote_addr="127.0.0.1")
    row = record(session, AuditEvent, actor=actor, action="leave.approve",
                 target_type="leave_request", target_id=42, before={"status": "pending"},
                 after={"status": "approved"})
    session.commit()
    return row


def test_an_event_keeps_who_what_when_and_from_which_token(session):
    row = _write(session)
    stored = session.get(AuditEvent, row.id).to_dict()
    assert stored["actor"] == "u-7" and stored["token_jti"] == "jti-1"
    assert stored["request_id"] == "req-00000001" and stored["target_id"] == "42"
    assert stored["before"] == {"status": "pending"} and stored["after"] == {"status": "approved"}
    assert stored["at"]


def test_the_orm_refuses_to_change_or_delete_an_event(session):
    row = _write(session)
    row.action = "leave.reject"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    session.delete(session.get(AuditEvent, row.id))
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()


@pytest.mark.parametrize("sql", ["UPDATE audit_events SET action = 'x'",
                                 "DELETE FROM audit_events"])
def test_the_database_refuses_to_change_or_delete_an_event(session, sql):
    _write(session)
    with pytest.raises(DBAPIError):
        session.execute(text(sql))
        session.commit()
    session.rollback()
    assert session.execute(text("SELECT action FROM audit_events")).scalar_one() == "leave.approve"
