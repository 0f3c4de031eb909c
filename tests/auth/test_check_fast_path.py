"""`/auth/check` and `/auth/check/batch` read plain valid bodies by hand and run their queries
on the DBAPI cursor (`api.checks`, `service.common.Prepared`): both must answer exactly what
the flask-smorest path and `Connection.execute` would — same status, headers and bytes for
every body, good or bad; same rows, events and errors for every statement."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy.exc
from sqlalchemy import literal_column, select, table

from services.auth.api import checks as checks_api
from services.auth.models import db
from services.auth.service import checks, tokens
from services.auth.service.common import Prepared
from shared.testing import statements_sent

TODAY = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
RID = "fast-path-test-0001"


@pytest.fixture
def tokens_(auth, client):
    auth.user("bob", ("branch_head", "SB01"),
              {"role": "hr", "org": "BR02", "valid_from": None,
               "valid_to": (TODAY - dt.timedelta(days=1)).isoformat()},
              {"role": "dept_manager", "org": "SB01",
               "valid_to": (TODAY + dt.timedelta(days=30)).isoformat()})
    auth.user("carol")
    return {"bob": auth.token("bob"), "carol": auth.token("carol"),
            "client": auth.client_token("leave")}


def _both(client, path, token, data, content_type="application/json"):
    """The answer with the fast path on, and with it off (the schemas' path)."""
    headers = {"X-Request-ID": RID, "Authorization": f"Bearer {token}"}
    answers = []
    for fast in (True, False):
        checks_api.FAST_PATH = fast
        try:
            resp = client.post(path, data=data, headers=headers, content_type=content_type)
        finally:
            checks_api.FAST_PATH = True
        answers.append((resp.status_code, sorted(resp.headers.items()), resp.get_data()))
    return answers


CHECK_BODIES = [
    {"permission": "leave:approve", "org": "SB01"},                 # allowed
    {"permission": "leave:approve", "org": "BR02"},                 # binding_expired / scope
    {"permission": "leave:approve", "org": "HQ"},                   # out_of_scope
    {"permission": "leave:final-approve", "org": "SB01"},           # not_in_role
    {"permission": "leave:approve", "org": "*"},
    {"permission": "no:such", "org": "SB01"},                       # 422 permission
    {"permission": "leave:approve", "org": "NOPE"},                 # 422 org (staff says 404)
    {"permission": "leave:approve"},                                # missing field
    {"permission": "leave:approve", "org": "SB01", "extra": 1},     # unknown field
    {"permission": 1, "org": "SB01"},
    {"permission": None, "org": "SB01"},
    {"permission": "", "org": "SB01"},
    {"permission": "x" * 101, "org": "SB01"},
    {"permission": "leave:approve", "org": "S" * 41},
    {"permission": "leave:approve", "org": "SB\u202e01"},
    {"permission": "leave:\x00approve", "org": "SB01"},
    {"permission": "leave:approve", "org": "SB01", "subject_token": ""},
    {"permission": "leave:approve", "org": "SB01", "subject_token": "not-a-token"},
    {"permission": "leave:approve", "org": "SB01", "subject_token": 5},
    ["leave:approve", "SB01"],
    "leave:approve",
]

RAW_BODIES = [b"", b"   ", b"{", b"null", b"\xff\xfe{}",
              json.dumps({"permission": "leave:approve", "org": "SB01"}).encode("utf-16"),
              b'\xef\xbb\xbf{"permission": "leave:approve", "org": "SB01"}',
              b'{"permission": "leave:approve", "org": "SB01", "permission": "leave:read"}',
              b'{"permission": "leave:approve", "org": NaN}']


@pytest.mark.parametrize("body", CHECK_BODIES, ids=range(len(CHECK_BODIES)))
@pytest.mark.parametrize("who", ["bob", "carol", "client"])
def test_check_answers_the_same_on_both_paths(client, tokens_, who, body):
    fast, slow = _both(client, "/auth/check", tokens_[who], json.dumps(body))
    assert fast == slow


@pytest.mark.parametrize("raw", RAW_BODIES, ids=range(len(RAW_BODIES)))
def test_odd_bodies_answer_the_same_on_both_paths(client, tokens_, raw):
    fast, slow = _both(client, "/auth/check", tokens_["bob"], raw)
    assert fast == slow


@pytest.mark.parametrize("content_type", ["text/plain", "application/merge-patch+json",
                                          "application/json; charset=utf-8", ""])
def test_other_content_types_answer_the_same_on_both_paths(client, tokens_, content_type):
    body = json.dumps({"permission": "leave:approve", "org": "SB01"})
    fast, slow = _both(client, "/auth/check", tokens_["bob"], body, content_type)
    assert fast == slow


def _item(p, o):
    return {"permission": p, "org": o}


BATCH_BODIES = [
    {"checks": [_item("leave:approve", o) for o in ("SB01", "BR02", "HQ", "*")]
     + [_item("leave:final-approve", "SB01")]},
    {"checks": [_item("leave:approve", "SB01")] * 100},
    {"checks": [_item("leave:approve", "SB01")] * 101},
    {"checks": []},
    {"checks": [_item("no:such", "SB01"), _item("leave:approve", "NOPE")]},
    {"checks": [_item("leave:approve", "SB01") | {"extra": 1}]},
    {"checks": [{"permission": "leave:approve"}]},
    {"checks": [_item("leave:approve", 3)]},
    {"checks": ["leave:approve"]},
    {"checks": {"permission": "leave:approve", "org": "SB01"}},
    {"checks": [_item("leave:approve", "SB01")], "subject_token": "not-a-token"},
    {"checks": [_item("leave:approve", "SB01")], "other": True},
    {},
]


@pytest.mark.parametrize("body", BATCH_BODIES, ids=range(len(BATCH_BODIES)))
@pytest.mark.parametrize("who", ["bob", "client"])
def test_batch_answers_the_same_on_both_paths(client, tokens_, who, body):
    fast, slow = _both(client, "/auth/check/batch", tokens_[who], json.dumps(body))
    assert fast == slow


def test_a_subject_token_answers_the_same_on_both_paths(client, tokens_):
    # svc-leave holds auth:check (tests/auth/test_checks.py)
    for org in ("SB01", "HQ"):
        body = {"permission": "leave:approve", "org": org, "subject_token": tokens_["bob"]}
        fast, slow = _both(client, "/auth/check", tokens_["client"], json.dumps(body))
        assert fast == slow and fast[0] == 200
        batch = {"checks": [_item("leave:approve", org)], "subject_token": tokens_["bob"]}
        fast, slow = _both(client, "/auth/check/batch", tokens_["client"], json.dumps(batch))
        assert fast == slow and fast[0] == 200


# --- Prepared: the same rows, events and errors as Connection.execute -----------------------

def test_prepared_statements_return_what_connection_execute_returns(app, auth, tokens_):
    with app.app_context():
        claims = tokens.verify(session=db.session, settings=app.extensions["hr_settings"],
                               token=tokens_["bob"])
        uid = int(claims["sub"])
        shapes = [((("leave:approve",), ("SB01",))),
                  (("leave:approve", "no:such", "leave:read"), ("SB01", "BR02", "NOPE")),
                  (("leave:approve",), ())]
        for permissions, codes in shapes:
            prepared = checks._check_statement(len(permissions), len(codes))
            params = {f"p{i}": p for i, p in enumerate(permissions)}
            params |= {f"c{i}": c for i, c in enumerate(codes)} | {"user_id": uid}
            expected = sorted((tuple(r) for r in db.session.connection().execute(
                prepared.statement, dict(params)).all()), key=repr)
            got = sorted(prepared.rows(db.session, **params), key=repr)
            assert got == expected
            assert any(r[0] == "s" and isinstance(r[7] or r[8], dt.date) for r in got)
            assert any(r[0] == "s" and isinstance(r[9], list) for r in got)
        for jti, sid in ((claims["jti"], claims.get("sid")), (None, None), ("x", "y")):
            expected = [tuple(r) for r in db.session.connection().execute(
                tokens._REVOCATION, {"jti": jti, "sid": sid}).all()]
            assert tokens._REVOCATION_PREPARED.rows(db.session, jti=jti, sid=sid) == expected


def test_prepared_statements_fire_cursor_events_and_raise_sqlalchemy_errors(app):
    with app.app_context():
        with statements_sent(db.engine) as seen:
            checks._check_statement(1, 1).rows(db.session, p0="leave:read", c0="SB01",
                                               user_id=1)
        assert len(seen) == 1 and "UNION ALL" in seen[0]
        missing = Prepared(select(literal_column("1")).select_from(table("no_such_table")))
        with pytest.raises(sqlalchemy.exc.DBAPIError):
            missing.rows(db.session)
        db.session.rollback()
        assert checks._check_statement(1, 0).rows(db.session, p0="leave:read", user_id=1)
