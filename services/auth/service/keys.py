"""Signing keys: generated on first start, stored in auth's database, rotated on command.

Private keys are encrypted at rest with AES-256-GCM under a key derived by scrypt from
`settings.key_encryption_key` (HR_KEY_ENCRYPTION_KEY) and a random per-key salt; the kid is
the associated data, so a ciphertext cannot be swapped onto another key's row. Stored as
`v1.<salt>.<nonce>.<ciphertext>` (base64url). Decrypted keys are cached per process by kid.

Public keys (what verifying a bearer token needs on every request) are cached per process by
kid for `PUBLIC_KEY_CACHE_SECONDS`, with the row's `status` and `retire_after`: whether a key
is published is still decided at each call from those, so the cache changes nothing a worker
could observe — a key only leaves the JWKS once `retire_after` has passed (rotation sets it
well beyond this TTL), and rotating or retiring in this process clears the cache at once.

Rotation (`python -m services.auth rotate-keys`) makes a new active key and keeps the old
public key in the JWKS until every token it signed has expired: `retire_after` = now + access
token ttl + leeway + `SIGNER_CACHE_SECONDS` (workers may sign with the old key that long).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import threading
import time
import uuid
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.auth.models import AuditEvent, SigningKey
from services.auth.service.common import aware
from shared.audit import Actor, record
from shared.settings import Settings

SIGNER_CACHE_SECONDS = 60
#: How long a worker trusts what it read of a public key's row (status, retire_after).
PUBLIC_KEY_CACHE_SECONDS = 30
_private_keys: dict[str, Any] = {}
#: kid -> (read at (monotonic), status, retire_after, deserialised public key)
_public_keys: dict[str, tuple[float, str, dt.datetime | None, Any]] = {}
_lock = threading.Lock()


def forget_public_keys() -> None:
    """Drop the per-process public key cache (after a rotation or a retirement)."""
    _public_keys.clear()


def new_rsa_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key (tests swap this for a pre-generated pool)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=32)
def _derive(kek: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(kek.encode())


def encrypt_private_key(key: rsa.RSAPrivateKey, kid: str, kek: str) -> str:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    salt, nonce = os.urandom(16), os.urandom(12)
    ct = AESGCM(_derive(kek, salt)).encrypt(nonce, pem, kid.encode())
    return ".".join(["v1", _b64(salt), _b64(nonce), _b64(ct)])


def decrypt_private_key(blob: str, kid: str, kek: str) -> Any:
    version, salt, nonce, ct = blob.split(".")
    if version != "v1":
        raise ValueError(f"unknown key encryption format {version!r}")
    pem = AESGCM(_derive(kek, _unb64(salt))).decrypt(_unb64(nonce), _unb64(ct), kid.encode())
    return serialization.load_pem_private_key(pem, password=None)


def _new_key_row(settings: Settings) -> SigningKey:
    key = new_rsa_key()
    kid = uuid.uuid4().hex[:16]
    jwk = _published_jwk(RSAAlgorithm.to_jwk(key.public_key(), as_dict=True))
    jwk.update(kid=kid, use="sig", alg="RS256")
    with _lock:
        _private_keys[kid] = key
    return SigningKey(kid=kid, status="active", public_jwk=jwk,
                      private_key_encrypted=encrypt_private_key(key, kid,
                                                                settings.key_encryption_key))


def ensure_active_key(*, session: Session, settings: Settings) -> str:
    """The active kid, generating the first key on first start."""
    row = session.scalars(select(SigningKey).where(SigningKey.status == "active")
                          .order_by(SigningKey.created_at.desc())).first()
    if row is None:
        row = _new_key_row(settings)
        session.add(row)
        record(session, AuditEvent, actor=Actor.system("auth"), action="keys.generated",
               target_type="signing_key", target_id=row.kid)
        session.commit()
    return row.kid


def signer(*, session: Session, settings: Settings) -> tuple[str, Any]:
    """(kid, private key) of the active key."""
    row = session.scalars(select(SigningKey).where(SigningKey.status == "active")
                          .order_by(SigningKey.created_at.desc())).first()
    if row is None:
        kid = ensure_active_key(session=session, settings=settings)
        row = session.get(SigningKey, kid)
    assert row is not None and row.private_key_encrypted
    key = _private_keys.get(row.kid)
    if key is None:
        key = decrypt_private_key(row.private_key_encrypted, row.kid,
                                  settings.key_encryption_key)
        with _lock:
            _private_keys[row.kid] = key
    return row.kid, key


def cached_private_key(kid: str) -> Any | None:
    """The private key `kid` if this process has already decrypted it (`signer`), else None:
    a grant that reads the active kid itself signs with it without the ORM row."""
    return _private_keys.get(kid)


def _published(row: SigningKey, now: dt.datetime) -> bool:
    return _is_published(row.status, aware(row.retire_after), now)


def _is_published(status: str, retire_after: dt.datetime | None, now: dt.datetime) -> bool:
    if status == "active":
        return True
    return status == "retiring" and retire_after is not None and retire_after > now


def jwks(*, session: Session, now: dt.datetime) -> dict[str, Any]:
    rows = session.scalars(select(SigningKey).where(SigningKey.status != "retired")
                           .order_by(SigningKey.created_at.desc())).all()
    return {"keys": [_published_jwk(r.public_jwk) for r in rows if _published(r, now)]}


def _published_jwk(jwk: dict[str, Any]) -> dict[str, Any]:
    """A public JWK as published: `use: "sig"` and no `key_ops` (PyJWT adds
    `key_ops: ["verify"]`; RFC 7517 §4.3 says the two SHOULD NOT be used together). Applied
    when a key is made and when it is served, for keys stored before."""
    return {k: v for k, v in jwk.items() if k != "key_ops"}


def public_key(*, session: Session, kid: str, now: dt.datetime) -> Any | None:
    """The public key `kid` if it is published at `now`, else None (cached per process,
    see the module's docstring; an unknown kid is read from the database every time)."""
    cached = _public_keys.get(kid)
    if cached is None or time.monotonic() - cached[0] >= PUBLIC_KEY_CACHE_SECONDS:
        row = session.get(SigningKey, kid)
        if row is None:
            _public_keys.pop(kid, None)
            return None
        cached = (time.monotonic(), row.status, aware(row.retire_after),
                  RSAAlgorithm.from_jwk(row.public_jwk))
        with _lock:
            if len(_public_keys) > 64:  # kids are few; never let junk grow it
                _public_keys.clear()
            _public_keys[kid] = cached
    _read_at, status, retire_after, key = cached
    return key if _is_published(status, retire_after, now) else None


def cached_public_key(*, kid: str, now: dt.datetime) -> Any | None:
    """`public_key` answered from this process's cache alone: the key if its row was read
    less than `PUBLIC_KEY_CACHE_SECONDS` ago and it is published at `now`, else None (the
    caller then takes the path that reads the row)."""
    cached = _public_keys.get(kid)
    if cached is None or time.monotonic() - cached[0] >= PUBLIC_KEY_CACHE_SECONDS:
        return None
    _read_at, status, retire_after, key = cached
    return key if _is_published(status, retire_after, now) else None


def rotate(*, session: Session, settings: Settings, now: dt.datetime, actor: Actor) -> str:
    """Make a new active key; the old ones stay published until their tokens expired."""
    grace = dt.timedelta(seconds=settings.access_token_ttl + settings.token_leeway
                         + SIGNER_CACHE_SECONDS)
    retired = retire_expired(session=session, now=now)
    for old in session.scalars(select(SigningKey).where(SigningKey.status == "active")).all():
        old.status = "retiring"
        old.retire_after = now + grace
    new = _new_key_row(settings)
    session.add(new)
    forget_public_keys()
    record(session, AuditEvent, actor=actor, action="keys.rotated", target_type="signing_key",
           target_id=new.kid, after={"retired": retired})
    session.commit()
    return new.kid


def retire_expired(*, session: Session, now: dt.datetime) -> list[str]:
    """Drop keys past `retire_after` from the JWKS and erase their private part."""
    done = []
    for row in session.scalars(select(SigningKey).where(SigningKey.status == "retiring")).all():
        retire = aware(row.retire_after)
        if retire is not None and retire <= now:
            row.status = "retired"
            row.private_key_encrypted = None
            done.append(row.kid)
            with _lock:
                _private_keys.pop(row.kid, None)
    if done:
        forget_public_keys()
    return done
