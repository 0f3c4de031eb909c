"""Demo users from the demo organisation fixture, with paths computed from it."""

from __future__ import annotations

import datetime as dt

import pytest

from services.auth.demo import DEMO_FILE, DEMO_PASSWORD, load_demo, org_paths
from services.auth.models import db


def test_org_paths_follow_the_parent_chain():
    units = [{"code": "HQ", "parent": None}, {"code": "SB01", "parent": "BR01"},
             {"code": "BR01", "parent": "HQ"}]
    assert org_paths(units) == {"HQ": "HQ", "BR01": "HQ/BR01", "SB01": "HQ/BR01/SB01"}
    with pytest.raises(ValueError, match="own ancestor"):
        org_paths([{"code": "A", "parent": "B"}, {"code": "B", "parent": "A"}])


@pytest.mark.skipif(not DEMO_FILE.exists(), reason="the demo organisation is not written yet")
def test_demo_users_sign_in_with_the_demo_password_and_carry_their_bindings(app, settings,
                                                                           auth, client):
    with app.app_context():
        created = load_demo(session=db.session, settings=settings,
                            now=dt.datetime.now(dt.UTC))
        assert created > 0
        assert load_demo(session=db.session, settings=settings,
                         now=dt.datetime.now(dt.UTC)) == 0
    token = auth.token("zhangwei", DEMO_PASSWORD)
    body = auth.check(token, "leave:approve", "SB01_HALL").get_json()
    assert body["allowed"] is True and body["binding"]["path"] == "HQ/BR01/SB01"
    assert auth.login("zhangwei", "wrong-password-1").status_code == 400


def test_a_missing_demo_file_loads_nothing(app, settings, tmp_path):
    with app.app_context():
        assert load_demo(session=db.session, settings=settings, now=dt.datetime.now(dt.UTC),
                         path=tmp_path / "none.yaml") == 0
