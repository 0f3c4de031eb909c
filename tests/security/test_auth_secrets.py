# ruff: noqa: F811 - pytest fixtures imported from the auth suite are parameters here
"""Secrets at rest and in logs: only hashes are stored, nothing secret is logged."""

from __future__ import annotations

import logging

from sqlalchemy import select

from services.auth.models import Client, RefreshToken, User, db
from tests.auth.conftest import (  # noqa: F401 - fixtures shared with the auth suite
    PASSWORD,
    SERVICE_CREDS,
    Auth,
    _rsa_pool,
    app,
    auth,
    client,
    clock,
    settings,
    staff,
)


def test_passwords_refresh_tokens_and_client_secrets_are_stored_only_as_hashes(app, auth):
    auth.user("amy")
    raw = auth.login("amy").get_json()["refresh_token"]
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "amy")).one()
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        hashes = db.session.scalars(select(RefreshToken.token_hash)).all()
        assert hashes and raw not in hashes and all(len(h) == 64 for h in hashes)
        secret_hashes = db.session.scalars(select(Client.secret_hash)).all()
        assert SERVICE_CREDS["leave"][1] not in secret_hashes


def test_no_password_or_token_reaches_the_logs(auth, client, caplog):
    caplog.set_level(logging.DEBUG)
    auth.user("amy")
    pair = auth.login("amy").get_json()
    auth.login("amy", "Wrong-Password-7")
    client.post("/auth/token", data={"grant_type": "refresh_token",
                                     "refresh_token": pair["refresh_token"]})
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "request" in logged  # the access log did run
    for secret in (PASSWORD, "Wrong-Password-7", pair["refresh_token"], pair["access_token"]):
        assert secret not in logged
