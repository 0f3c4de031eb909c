"""Secrets never reach the logs of running services, whatever flows through them."""

from __future__ import annotations

import json

from tests.e2e.conftest import require


def test_passwords_tokens_and_client_secrets_never_reach_the_service_logs(stack):
    require("auth", "staff")
    secrets_seen: list[str] = [stack.admin_password]
    login = stack.http.post(stack.url("auth", "/token"), data={
        "grant_type": "password", "username": stack.admin_username,
        "password": stack.admin_password}, timeout=10)
    assert login.status_code == 200
    refresh = login.json()["refresh_token"]
    access = login.json()["access_token"]
    secrets_seen += [refresh, access]
    rotated = stack.http.post(stack.url("auth", "/token"), data={
        "grant_type": "refresh_token", "refresh_token": refresh}, timeout=10)
    assert rotated.status_code == 200
    secrets_seen += [rotated.json()["refresh_token"], rotated.json()["access_token"]]
    # A failed login with a password-like string must not be logged either.
    wrong = "Wrong-Passw0rd-" + refresh[:8]
    stack.http.post(stack.url("auth", "/token"), data={
        "grant_type": "password", "username": stack.admin_username, "password": wrong},
        timeout=10)
    secrets_seen.append(wrong)
    made = stack.request("POST", "auth", "/clients", token=stack.admin_token(),
                         json={"name": "log-probe", "permissions": ["auth:check"]})
    assert made.status_code == 201
    secrets_seen.append(made.json()["client_secret"])
    service_clients = json.loads((stack.data_dir / "service-clients.json").read_text())
    secrets_seen += [entry["client_secret"] for entry in service_clients.values()]
    # staff verifies the token offline: the token passes through another service's log too.
    assert stack.request("GET", "staff", "/positions", token=access).status_code == 200

    logs = "".join(stack.log_tail(name, lines=100000) for name in stack.services)
    assert "request" in logs  # the access log is there to be searched
    for secret in secrets_seen:
        assert secret not in logs, "a secret reached the logs"
