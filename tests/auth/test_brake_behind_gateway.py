"""The brake behind the gateway (HR_PROXY_HOPS=1): every request reaches auth from the
gateway's address, so the brake must key on the client's — the address the gateway appended
to X-Forwarded-For — or one attacker's failures would lock every user out. Without a proxy
(HR_PROXY_HOPS=0) the header is ignored, so nobody can choose their own address."""

from __future__ import annotations

import pytest

from services.auth.app import create_app
from services.auth.models import db
from services.auth.service.setup import first_start
from tests.auth.conftest import PASSWORD, SERVICE_CREDS, Auth

BAD = {"grant_type": "password", "username": "nobody"}
GATEWAY = {"REMOTE_ADDR": "172.18.0.9"}  # the gateway container, for every request


def _from(client, client_address, data):
    return client.post("/auth/token", data=data, environ_base=GATEWAY,
                       headers={"X-Forwarded-For": client_address})


@pytest.fixture
def behind_gateway(settings, staff, clock):
    settings.proxy_hops = 1
    app = create_app(settings, staff_lookup=staff, clock=clock)
    with app.app_context():
        first_start(session=db.session, settings=settings, now=clock(),
                    credentials=SERVICE_CREDS)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_one_clients_failures_through_the_gateway_do_not_brake_the_others(behind_gateway):
    client = behind_gateway.test_client()
    Auth(client).user("alice")
    for _ in range(60):
        assert _from(client, "203.0.113.66", BAD).status_code == 400
    assert _from(client, "203.0.113.66", BAD).status_code == 429  # the attacker is braked
    login = {"grant_type": "password", "username": "alice",
             "password": PASSWORD}
    ok = _from(client, "198.51.100.7", login)  # another client, the same gateway
    assert ok.status_code == 200, ok.get_json()


def test_without_a_proxy_a_forged_forwarded_header_does_not_dodge_the_brake(app, client):
    for n in range(60):
        resp = client.post("/auth/token", data=BAD,
                           headers={"X-Forwarded-For": f"198.51.100.{n}"})
        assert resp.status_code == 400
    assert client.post("/auth/token", data=BAD,
                       headers={"X-Forwarded-For": "192.0.2.200"}).status_code == 429
