"""Signing keys at rest, rotation, the JWKS and RFC 8414 metadata."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from cryptography.exceptions import InvalidTag

from services.auth.commands import rotate_keys
from services.auth.models import SigningKey, db
from services.auth.service import keys
from shared.audit import Actor
from shared.tokens import StaticKeySource, TokenVerifier
from tests.conftest import ISSUER, bearer


def test_the_private_key_is_stored_encrypted_and_needs_the_key_encryption_key(app, settings):
    with app.app_context():
        row = db.session.scalars(db.select(SigningKey)).one()
        blob = row.private_key_encrypted
        assert blob.startswith("v1.") and "PRIVATE KEY" not in blob
        assert keys.decrypt_private_key(blob, row.kid, settings.key_encryption_key)
        with pytest.raises(InvalidTag):
            keys.decrypt_private_key(blob, row.kid, "another-key-encryption-key")
        with pytest.raises(InvalidTag):
            keys.decrypt_private_key(blob, "other-kid", settings.key_encryption_key)


def test_the_jwks_lets_any_service_verify_auths_tokens_offline(auth, client):
    jwks = client.get("/auth/.well-known/jwks.json")
    assert jwks.status_code == 200
    [key] = jwks.get_json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and "d" not in key
    auth.user("amy", ("hr", "BR01"))
    verifier = TokenVerifier(issuer=ISSUER, keys=StaticKeySource(jwks.get_json()))
    principal = verifier.principal(auth.token("amy"))
    assert principal.kind == "user" and principal.roles[0].path == "HQ/BR01"
    assert "leave:approve" in principal.roles[0].permissions
    client_principal = verifier.principal(auth.client_token("leave"))
    assert client_principal.kind == "client" and "staff:read" in client_principal.scope


def test_rotation_keeps_the_old_key_published_until_its_tokens_expired(app, auth, client,
                                                                        settings):
    auth.user("amy")
    old_token = auth.token("amy")
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        new_kid = keys.rotate(session=db.session, settings=settings, now=now,
                              actor=Actor.system("test"))
    kids = {k["kid"] for k in client.get("/auth/.well-known/jwks.json").get_json()["keys"]}
    assert kids == {old_kid, new_kid}
    assert jwt.get_unverified_header(auth.token("amy"))["kid"] == new_kid
    assert client.get("/auth/me", headers=bearer(old_token)).status_code == 200
    later = now + dt.timedelta(seconds=settings.access_token_ttl + settings.token_leeway
                               + keys.SIGNER_CACHE_SECONDS + 1)
    with app.app_context():
        assert keys.jwks(session=db.session, now=later)["keys"][0]["kid"] == new_kid
        assert len(keys.jwks(session=db.session, now=later)["keys"]) == 1
        assert keys.retire_expired(session=db.session, now=later) == [old_kid]
        db.session.commit()
        assert db.session.get(SigningKey, old_kid).private_key_encrypted is None
    assert client.get("/auth/me", headers=bearer(old_token)).status_code == 401
    auth._admin = None  # the cached admin token was signed by the retired key
    audit = client.get("/auth/audit?action=keys.rotated", headers=auth.admin).get_json()
    assert audit["total"] == 1


def test_the_rotate_keys_command_makes_a_new_active_key(app, settings, client):
    before = client.get("/auth/.well-known/jwks.json").get_json()["keys"]
    assert rotate_keys(settings, []) == 0
    after = client.get("/auth/.well-known/jwks.json").get_json()["keys"]
    assert len(after) == len(before) + 1


def test_metadata_is_served_under_the_prefix_and_at_rfc_8414s_location(client):
    a = client.get("/auth/.well-known/oauth-authorization-server")
    b = client.get("/.well-known/oauth-authorization-server/auth")
    assert a.status_code == b.status_code == 200 and a.get_json() == b.get_json()
    meta = a.get_json()
    assert meta["issuer"] == ISSUER
    assert meta["token_endpoint"] == f"{ISSUER}/token"
    assert meta["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert meta["introspection_endpoint"] == f"{ISSUER}/introspect"
    assert meta["revocation_endpoint"] == f"{ISSUER}/revoke"
    assert set(meta["grant_types_supported"]) == {"password", "refresh_token",
                                                  "client_credentials"}
    assert "client_secret_basic" in meta["token_endpoint_auth_methods_supported"]


def test_the_openapi_document_lists_every_auth_route(client):
    spec = client.get("/auth/openapi.json").get_json()
    for path in ("/auth/token", "/auth/introspect", "/auth/revoke", "/auth/check",
                 "/auth/check/batch", "/auth/users/{user_id}/roles", "/auth/roles",
                 "/auth/sod-pairs", "/auth/clients", "/auth/audit", "/auth/org-events",
                 "/auth/.well-known/jwks.json"):
        assert path in spec["paths"], path
    assert client.get("/auth/health").get_json() == {"status": "ok"}


def test_metadata_is_identical_at_both_locations_headers_included(client):
    """Finding 16: same body and Cache-Control; only what auth supports is advertised."""
    a = client.get("/auth/.well-known/oauth-authorization-server")
    b = client.get("/.well-known/oauth-authorization-server/auth")
    assert a.get_data() == b.get_data()
    assert a.headers["Cache-Control"] == b.headers["Cache-Control"] == "public, max-age=300"
    assert a.mimetype == b.mimetype == "application/json"
    meta = a.get_json()
    assert "token_endpoint_auth_signing_alg_values_supported" not in meta
    assert meta["response_types_supported"] == []  # REQUIRED by RFC 8414 §2; none here


def test_jwks_keys_say_use_sig_without_key_ops(client, app, settings):
    with app.app_context():  # a key stored before the fix carried key_ops too
        row = db.session.scalars(db.select(SigningKey)).one()
        row.public_jwk = {**row.public_jwk, "key_ops": ["verify"]}
        db.session.commit()
    [key] = client.get("/auth/.well-known/jwks.json").get_json()["keys"]
    assert "key_ops" not in key
    assert key["use"] == "sig" and key["alg"] == "RS256" and key["kid"] and key["n"]
    with app.app_context():
        new_kid = keys.rotate(session=db.session, settings=settings,
                              now=dt.datetime.now(dt.UTC), actor=Actor.system("test"))
        stored = db.session.get(SigningKey, new_kid).public_jwk
    assert "key_ops" not in stored and stored["use"] == "sig"
