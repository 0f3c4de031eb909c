"""The OAuth endpoints answer hostile input with RFC 6749 errors, never a 5xx — on
PostgreSQL too, which refuses NUL in text outright."""

from __future__ import annotations

import base64

import pytest

from tests.auth.conftest import *  # noqa: F403 - the auth fixtures
from tests.auth.conftest import ADMIN, SERVICE_CREDS

NUL = "a\x00b"


@pytest.mark.parametrize("data", [
    {"grant_type": "password", "username": NUL, "password": "x"},
    {"grant_type": "password", "username": "admin", "password": NUL},
    {"grant_type": "refresh_token", "refresh_token": NUL},
    {"grant_type": "client_credentials", "client_id": NUL, "client_secret": "s"},
    {"grant_type": "password", "username": "\u202eadmin", "password": "x"},
])
def test_control_characters_at_the_token_endpoint_are_an_invalid_request(client, auth, data):
    assert auth.login(*ADMIN).status_code == 200  # the same endpoint, clean input
    resp = client.post("/auth/token", data=data)
    assert resp.status_code == 400, resp.data
    assert resp.get_json()["error"] == "invalid_request"
    as_json = client.post("/auth/token", json=data)
    assert as_json.status_code == 400 and as_json.get_json()["error"] == "invalid_request"


def test_hostile_json_nesting_at_the_token_endpoint_is_an_invalid_request(client):
    body = '{"grant_type": ' + "[" * 5000 + "]" * 5000 + "}"
    resp = client.post("/auth/token", data=body, content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_request"


@pytest.mark.parametrize("path", ["/auth/introspect", "/auth/revoke"])
def test_control_characters_in_client_credentials_are_an_invalid_client(client, path):
    cid, secret = SERVICE_CREDS["leave"]
    clean = base64.b64encode(f"{cid}:{secret}".encode()).decode()
    ok = client.post(path, data={"token": "t"}, headers={"Authorization": f"Basic {clean}"})
    assert ok.status_code == 200, ok.data
    creds = base64.b64encode(b"cli%00ent:secret").decode()
    resp = client.post(path, data={"token": "t"}, headers={"Authorization": f"Basic {creds}"})
    assert resp.status_code == 401, resp.data
    assert resp.get_json()["error"] == "invalid_client"
    token_nul = client.post(path, data={"token": NUL},
                            headers={"Authorization": f"Basic {creds}"})
    assert token_nul.status_code in (400, 401)
