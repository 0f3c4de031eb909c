"""JWT attacks against every service's verifier, through each service's own app.

The services share `shared.tokens.TokenVerifier` (auth verifies with its own keys), so one
hole would open all four; each attack is therefore tried on each app, on a guarded read, and
stands beside its positive control: the same claims, honestly signed, are accepted by the
same route of the same app. Refusals are 401 problem answers with a `Bearer` challenge; a
header pointing at an outside key set (`jku`, `x5u`) is never fetched.

Apps are built once per module (one store per service): the attacks write nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from services.auth.models import SigningKey as SigningKeyRow
from shared.settings import SERVICES
from shared.testing import SigningKey, alg_none_token
from tests.conformance.conftest import ServiceUnderTest, _dispose, build_service
from tests.conftest import bearer
from tests.jwks_server import JWKSServer

#: A guarded read of each service (needs a verified token, nothing else).
READ = {"auth": "/auth/me", "staff": "/staff/org-units", "leave": "/leave/types",
        "performance": "/performance/rules"}


@dataclass
class Target:
    """A service under attack: its app, the key that really signs its tokens, and the claims
    of a real admin token for it."""

    built: ServiceUnderTest
    key: SigningKey
    claims: dict[str, Any]

    def call(self, token: str) -> Any:
        return self.built.app.test_client().get(READ[self.built.name],
                                                headers=bearer(token))


def _auth_signing_key(built: ServiceUnderTest) -> SigningKey:
    """auth's private key behind its admin token (the real signer, to mint variants)."""
    from services.auth.models import db
    from services.auth.service import keys

    kid = jwt.get_unverified_header(built.token)["kid"]
    with built.app.app_context():
        row = db.session.get(SigningKeyRow, kid)
        private = keys.decrypt_private_key(
            row.private_key_encrypted, kid,
            built.app.extensions["hr_settings"].key_encryption_key)
    return SigningKey(kid=kid, private_key=private)


@pytest.fixture(scope="module", params=SERVICES)
def target(request, databases, tokens, verifier, signing_key, tmp_path_factory):
    built = build_service(request.param, databases=databases, tokens=tokens, verifier=verifier,
                          tmp_path=tmp_path_factory.mktemp(request.param))
    key = _auth_signing_key(built) if built.name == "auth" else signing_key
    claims = jwt.decode(built.token, options={"verify_signature": False})
    yield Target(built, key, claims)
    _dispose(built.app)
    databases.drop(built.database_url)


@pytest.fixture(scope="module")
def stranger() -> SigningKey:
    """The attacker's own key pair."""
    return SigningKey()


@pytest.fixture(scope="module")
def evil(stranger):
    """The attacker's key set, served over HTTP (one server for the module: stopping one
    takes up to half a second)."""
    with JWKSServer(stranger.jwks()) as server:
        yield server


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_with_public_key(t: Target) -> str:
    """HS/RS confusion: HMAC-SHA256 keyed with the verifier's RSA public key (PEM), built by
    hand as an attacker would (PyJWT refuses to HMAC with a PEM itself)."""
    head = _b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": t.key.kid}).encode())
    body = _b64(json.dumps(t.claims).encode())
    sig = hmac.new(t.key.public_pem(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(sig)}"


def _signed_by(key: SigningKey, claims: dict[str, Any], **headers: Any) -> str:
    return jwt.encode(claims, key.private_pem(), algorithm="RS256",
                      headers={"typ": "at+jwt", **headers})


def _now() -> int:
    return int(time.time())


#: attack name → forged token (target, attacker's key, attacker's JWKS URL).
ATTACKS: dict[str, Callable[[Target, SigningKey, str], str]] = {
    "alg none": lambda t, s, url: alg_none_token(t.claims, t.key.kid),
    "hs256 keyed with the rsa public key": lambda t, s, url: _hs256_with_public_key(t),
    "a foreign key under the real kid": lambda t, s, url: s.sign(t.claims, kid=t.key.kid),
    "a foreign key under its own kid": lambda t, s, url: s.sign(t.claims),
    "jku pointing at the attacker's keys": lambda t, s, url: _signed_by(
        s, t.claims, kid=s.kid, jku=url),
    "jku with the real kid": lambda t, s, url: _signed_by(s, t.claims, kid=t.key.kid, jku=url),
    "x5u pointing at the attacker's keys": lambda t, s, url: _signed_by(
        s, t.claims, kid=s.kid, x5u=url),
    "an embedded jwk of the attacker": lambda t, s, url: _signed_by(
        s, t.claims, kid=s.kid, jwk=s.jwk()),
    "an embedded jwk under the real kid": lambda t, s, url: _signed_by(
        s, t.claims, kid=t.key.kid, jwk=s.jwk()),
    "expired": lambda t, s, url: t.key.sign(t.claims | {"iat": _now() - 900,
                                                        "exp": _now() - 600}),
    "nbf in the future": lambda t, s, url: t.key.sign(t.claims | {"nbf": _now() + 600}),
    "iat in the future": lambda t, s, url: t.key.sign(t.claims | {"iat": _now() + 600,
                                                                  "exp": _now() + 900}),
    "wrong iss": lambda t, s, url: t.key.sign(t.claims | {"iss": "http://evil.test/auth"}),
    "wrong typ": lambda t, s, url: t.key.sign(t.claims, typ="JWT"),
    "no typ": lambda t, s, url: jwt.encode(t.claims, t.key.private_pem(), algorithm="RS256",
                                           headers={"kid": t.key.kid}),
    "no kid": lambda t, s, url: jwt.encode(t.claims, t.key.private_pem(), algorithm="RS256",
                                           headers={"typ": "at+jwt"}),
    "a kid that is sql": lambda t, s, url: t.key.sign(t.claims, kid="x' OR '1'='1"),
    "a kid that is a path": lambda t, s, url: t.key.sign(t.claims, kid="../../../etc/passwd"),
    "a tampered payload": lambda t, s, url: _tampered(t),
    "rs512 with the real key": lambda t, s, url: jwt.encode(
        t.claims, t.key.private_pem(), algorithm="RS512",
        headers={"kid": t.key.kid, "typ": "at+jwt"}),
}


def _tampered(t: Target) -> str:
    head, _body, sig = t.key.sign(t.claims).split(".")
    forged = t.claims | {"sub": "someone-else", "roles": [{"role": "admin", "org": "*",
                                                            "path": "*"}]}
    return f"{head}.{_b64(json.dumps(forged).encode())}.{sig}"


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_every_service_refuses_the_forged_token_and_accepts_the_honest_one(target, stranger,
                                                                         evil, attack):
    hits = evil.hits
    forged = ATTACKS[attack](target, stranger, evil.url)
    honest = target.key.sign(target.claims)
    assert target.call(honest).status_code == 200  # positive control
    resp = target.call(forged)
    assert resp.status_code == 401, (target.built.name, attack, resp.get_data()[:300])
    assert resp.mimetype == "application/problem+json"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert evil.hits == hits, f"{target.built.name} fetched keys named by the token"


def test_every_service_accepts_a_token_at_the_edge_of_its_lifetime(target):
    """The positive control for the time attacks: a token issued now and valid for a minute,
    with an `nbf` of now, is accepted."""
    now = _now()
    fresh = target.key.sign(target.claims | {"iat": now, "nbf": now, "exp": now + 60})
    assert target.call(fresh).status_code == 200
