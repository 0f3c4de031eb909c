"""Behind the gateway (HR_PROXY_HOPS=1) a check's access line names the client — the address
the gateway appended to X-Forwarded-For — whichever path answers it: the direct path or
Flask. Without a proxy the header is ignored and the line names
the connection's address, so nobody can choose the address they are logged under."""

from __future__ import annotations

import logging

import pytest

from services.auth.app import create_app
from services.auth.models import db
from services.auth.service.setup import first_start
from tests.auth.conftest import SERVICE_CREDS, Auth

GATEWAY = {"REMOTE_ADDR": "172.18.0.9"}  # the gateway container, for every request
CLIENT = "203.0.113.66"
ASK = {"permission": "leave:approve", "org": "SB01"}


def _app(settings, staff, clock, hops):
    settings.proxy_hops = hops
    app = create_app(settings, staff_lookup=staff, clock=clock)
    with app.app_context():
        first_start(session=db.session, settings=settings, now=clock(),
                    credentials=SERVICE_CREDS)
    return app


@pytest.fixture(params=[1, 0], ids=["behind_the_gateway", "without_a_proxy"])
def served(request, settings, staff, clock):
    app = _app(settings, staff, clock, request.param)
    client = app.test_client()
    auth = Auth(client)
    auth.user("amy", ("branch_head", "SB01"))
    yield app, client, auth.token("amy"), CLIENT if request.param else GATEWAY["REMOTE_ADDR"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _logged_from(client, caplog, token):
    """The address the access line of one check names."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hr.access"):
        resp = client.post("/auth/check", json=ASK, environ_base=GATEWAY,
                           headers={"Authorization": f"Bearer {token}",
                                    "X-Forwarded-For": CLIENT})
    assert resp.status_code == 200 and resp.get_json()["code"] == "allowed"
    return [r.remote for r in caplog.records if r.name == "hr.access"]


def test_flask_logs_the_address_the_deployment_trusts(served, caplog):
    app, client, token, expected = served
    app.extensions["auth_check_direct"].enabled = False
    assert _logged_from(client, caplog, token) == [expected]


def test_the_direct_path_logs_the_address_the_deployment_trusts(served, caplog):
    app, client, token, expected = served
    direct = app.extensions["auth_check_direct"]
    _logged_from(client, caplog, token)  # the first check verifies the token through Flask
    answered = direct.answered
    assert _logged_from(client, caplog, token) == [expected]
    assert direct.answered == answered + 1
