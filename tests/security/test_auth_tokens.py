# ruff: noqa: F811 - pytest fixtures imported from the auth suite are parameters here
"""Forged and broken bearer tokens are refused by auth, each beside a positive control: the
same call with a good token succeeds."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import RSAAlgorithm

from services.auth.models import SigningKey, db
from services.auth.service import keys
from shared.testing import SigningKey as KeyPair
from shared.testing import alg_none_token
from tests.auth.conftest import (  # noqa: F401 - fixtures shared with the auth suite
    Auth,
    _rsa_pool,
    app,
    auth,
    client,
    clock,
    settings,
    staff,
)
from tests.conftest import ISSUER, bearer


@pytest.fixture
def good(auth) -> tuple[str, dict]:
    """A good admin token and its claims (the positive control)."""
    token = auth.admin["Authorization"][7:]
    return token, jwt.decode(token, options={"verify_signature": False})


def _me(client, token):
    return client.get("/auth/users", headers=bearer(token))


def _with_claims(claims, **changes):
    out = dict(claims)
    out.update(changes)
    return out


def _auth_key(app, kid) -> KeyPair:
    """auth's own private key (as a `shared.testing.SigningKey`, to mint variants)."""
    with app.app_context():
        row = db.session.get(SigningKey, kid)
        settings = app.extensions["hr_settings"]
        private = keys.decrypt_private_key(row.private_key_encrypted, kid,
                                           settings.key_encryption_key)
    return KeyPair(kid=kid, private_key=private)


def test_a_good_token_is_accepted(client, good):
    assert _me(client, good[0]).status_code == 200


def test_a_token_signed_by_another_key_with_auths_kid_is_refused(client, good, other_key):
    token, claims = good
    kid = jwt.get_unverified_header(token)["kid"]
    forged = other_key.sign(claims, kid=kid)
    assert _me(client, token).status_code == 200
    resp = _me(client, forged)
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_alg_none_is_refused(client, good):
    token, claims = good
    kid = jwt.get_unverified_header(token)["kid"]
    assert _me(client, token).status_code == 200
    assert _me(client, alg_none_token(claims, kid)).status_code == 401


def test_hs256_signed_with_the_public_key_as_secret_is_refused(client, good):
    token, claims = good
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in client.get("/auth/.well-known/jwks.json").get_json()["keys"]
               if k["kid"] == kid)
    pem = RSAAlgorithm.from_jwk(jwk).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": kid}).encode())
    body = b64(json.dumps(claims).encode())
    sig = b64(hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest())
    assert _me(client, token).status_code == 200
    assert _me(client, f"{head}.{body}.{sig}").status_code == 401


def test_a_wrong_issuer_is_refused(app, client, good):
    token, claims = good
    key = _auth_key(app, jwt.get_unverified_header(token)["kid"])
    assert _me(client, key.sign(claims)).status_code == 200  # re-signed control
    assert _me(client, key.sign(_with_claims(claims, iss="http://evil/auth"))).status_code == 401


def test_an_expired_token_is_refused(app, client, good):
    token, claims = good
    key = _auth_key(app, jwt.get_unverified_header(token)["kid"])
    now = int(time.time())
    assert _me(client, key.sign(_with_claims(claims, iat=now - 30, exp=now + 60))).status_code \
        == 200
    expired = key.sign(_with_claims(claims, iat=now - 700, exp=now - 400))
    assert _me(client, expired).status_code == 401


def test_a_kid_pointing_nowhere_is_refused(app, client, good):
    token, claims = good
    key = _auth_key(app, jwt.get_unverified_header(token)["kid"])
    assert _me(client, key.sign(claims)).status_code == 200
    assert _me(client, key.sign(claims, kid="no-such-key")).status_code == 401
    unnamed = jwt.encode(claims, key.private_pem(), algorithm="RS256",
                         headers={"typ": "at+jwt"})
    assert _me(client, unnamed).status_code == 401


def test_a_token_that_is_not_an_access_token_is_refused(app, client, good):
    token, claims = good
    key = _auth_key(app, jwt.get_unverified_header(token)["kid"])
    assert _me(client, key.sign(claims, typ="at+jwt")).status_code == 200
    assert _me(client, key.sign(claims, typ="JWT")).status_code == 401


def test_a_token_missing_required_claims_is_refused(app, client, good):
    token, claims = good
    key = _auth_key(app, jwt.get_unverified_header(token)["kid"])
    assert _me(client, key.sign(claims)).status_code == 200
    for claim in ("exp", "iat", "iss", "sub"):
        stripped = {k: v for k, v in claims.items() if k != claim}
        assert _me(client, key.sign(stripped)).status_code == 401, claim


def test_the_test_suites_shared_token_factory_is_not_trusted_by_auth(client, good, tokens):
    assert _me(client, good[0]).status_code == 200
    forged = tokens.user(sub=good[1]["sub"], roles=[("admin", "*", "*")])
    assert _me(client, forged).status_code == 401
    assert good[1]["iss"] == ISSUER


def test_a_client_token_cannot_use_the_user_admin_routes(auth, client, good):
    assert _me(client, good[0]).status_code == 200
    assert _me(client, auth.client_token("staff")).status_code == 403


def test_no_credentials_get_a_bare_bearer_challenge_and_a_bad_token_an_error_code(client,
                                                                                   good):
    """Finding 15 / RFC 6750 §3.1: no error code when the request had no authentication."""
    assert _me(client, good[0]).status_code == 200
    bare = client.get("/auth/users")
    assert bare.status_code == 401
    challenge = bare.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer") and "error" not in challenge
    bad = _me(client, "not-a-token")
    assert bad.status_code == 401
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    other_scheme = client.get("/auth/users", headers={"Authorization": "Basic eDp5"})
    assert other_scheme.status_code == 401
    assert 'error="invalid_request"' in other_scheme.headers["WWW-Authenticate"]
