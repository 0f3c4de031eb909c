"""RS256 access tokens (RFC 9068 shape: header `typ: at+jwt`, a `kid`) and their verification
by auth itself (the JWKS from its own database).

A user token carries only the bindings valid now, and its `exp` never outlives the earliest
end of a carried binding (an acting appointment ending today ends the token at midnight).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import jwt
from sqlalchemy import bindparam, case, literal_column, null, select
from sqlalchemy.orm import Session

from services.auth.domain.scope import end_instant, today_in
from services.auth.models import Client, RevokedAccessToken, TokenFamily, User
from services.auth.service import bindings, keys, roles
from services.auth.service.common import Prepared, session_scalar
from shared.errors import Unauthorized
from shared.settings import Settings
from shared.tokens import ACCESS_TOKEN_TYP, ALGORITHM, REQUIRED_CLAIMS, forget_oldest


def user_claims(*, session: Session, settings: Settings, user: User, now: dt.datetime,
                sid: str | None) -> dict[str, Any]:
    """Claims for `user` at `now`: current bindings only, `exp` capped by their ends."""
    today = today_in(now, settings.timezone)
    perms = roles.role_permissions(session=session)
    exp = now + dt.timedelta(seconds=settings.access_token_ttl)
    carried = []
    for b in bindings.views(session=session, user_id=user.id):
        if not b.period.contains(today) or b.path is None:
            continue
        if b.period.end is not None:
            exp = min(exp, end_instant(b.period.end, settings.timezone))
        carried.append({"role": b.role, "org": b.org, "path": b.path,
                        "permissions": sorted(perms.get(b.role, ())),
                        "valid_to": b.period.end.isoformat() if b.period.end else None})
    claims = _base(settings, sub=str(user.id), now=now, exp=exp)
    claims.update({"emp": user.employee_no, "roles": carried, "token_kind": "user",
                   "preferred_username": user.username})
    if sid:
        claims["sid"] = sid
    return claims


def client_claims(*, settings: Settings, client_id: str, permissions: list[str],
                  now: dt.datetime) -> dict[str, Any]:
    claims = _base(settings, sub=client_id, now=now,
                   exp=now + dt.timedelta(seconds=settings.access_token_ttl))
    claims.update({"client_id": client_id, "scope": " ".join(sorted(permissions)),
                   "roles": [], "emp": None, "token_kind": "client"})
    return claims


def _base(settings: Settings, *, sub: str, now: dt.datetime, exp: dt.datetime) -> dict[str, Any]:
    return {"iss": settings.issuer, "sub": sub, "iat": int(now.timestamp()),
            "exp": int(exp.timestamp()), "jti": uuid.uuid4().hex}


def sign(*, session: Session, settings: Settings, claims: dict[str, Any]) -> str:
    kid, key = keys.signer(session=session, settings=settings)
    return sign_with(kid, key, claims)


def sign_with(kid: str, key: Any, claims: dict[str, Any]) -> str:
    """`claims` signed by the private key `key` of `kid` (RS256, `typ: at+jwt`)."""
    return jwt.encode(claims, key, algorithm=ALGORITHM,
                      headers={"kid": kid, "typ": ACCESS_TOKEN_TYP})


def expires_in(claims: dict[str, Any], now: dt.datetime) -> int:
    return max(0, claims["exp"] - int(now.timestamp()))


def self_token(*, session: Session, settings: Settings, now: dt.datetime) -> tuple[str, int]:
    """Auth's own client token for calling staff (`sub` svc-auth, scope staff:read)."""
    claims = client_claims(settings=settings, client_id="svc-auth", permissions=["staff:read"],
                           now=now)
    return sign(session=session, settings=settings, claims=claims), expires_in(claims, now)


#: Tokens whose signature and claims checked out, per process: token -> (header, key id,
#: claims, usable until (epoch seconds)). A token's signature and its `iss`/required claims
#: are a pure function of the token and the key, so a second verification of the same token
#: with the same key can only differ by time: `exp` (kept to `exp + leeway - 1`), while
#: `iat`/`nbf` only become more valid. The key must still be published (`keys.public_key`,
#: asked every time) and the jti not revoked (asked of the database every time).
_VERIFIED_MAX = 2048
_verified: dict[str, tuple[dict[str, Any], str, dict[str, Any], float]] = {}
_verified_lock = threading.Lock()


#: kid -> (the key object `keys.public_key` handed out, its `_key_id`): the same object comes
#: back for as long as the key cache keeps it, so its modulus is formatted once, not per call.
_key_ids: dict[str, tuple[Any, str]] = {}


def _key_id(kid: str, key: Any) -> str:
    """What identifies the key a cached verification used (kid and modulus)."""
    known = _key_ids.get(kid)
    if known is not None and known[0] is key:
        return known[1]
    key_id = f"{kid}:{key.public_numbers().n:x}" if hasattr(key, "public_numbers") else kid
    with _verified_lock:
        if len(_key_ids) > 64:  # kids are few; never let junk grow it
            _key_ids.clear()
        _key_ids[kid] = (key, key_id)
    return key_id


def verify(*, session: Session, settings: Settings, token: str,
           now: dt.datetime | None = None) -> dict[str, Any]:
    """Claims of a valid access token signed by one of auth's published keys; else 401.

    Same rules as `shared.tokens.TokenVerifier` (RS256 only, `typ`, `kid`, `iss`, required
    claims) plus auth's own revocation list.
    """
    claims = _checked_claims(session=session, settings=settings, token=token, now=now)
    jti = claims.get("jti")
    if jti and session_scalar(session, _REVOKED, jti=jti) is not None:
        raise Unauthorized("The token has been revoked.")
    return claims


def verify_bearer(*, session: Session, settings: Settings,
                  token: str) -> tuple[dict[str, Any], bool]:
    """`verify`, plus whether the token's sign-in (`sid`) is gone or revoked — both live
    reads in one query, as the bearer gate asks on every request. (False without a `sid`.)"""
    claims = _checked_claims(session=session, settings=settings, token=token, now=None)
    jti, sid = claims.get("jti") or None, claims.get("sid") or None
    revoked, family, family_revoked_at = _REVOCATION_PREPARED.rows(
        session, jti=jti, sid=sid)[0]
    if jti and revoked is not None:
        raise Unauthorized("The token has been revoked.")
    return claims, bool(sid) and (family is None or family_revoked_at is not None)


def remembered_claims(token: str) -> dict[str, Any] | None:
    """The claims `_checked_claims` would give `token` now, when that needs no database and
    no PyJWT: its verification is remembered and still in time, its key's row is in the
    per-process cache, the key is published and is the one the verification used. Else None
    (the caller takes the path that reads the key). The claims are shared: do not change
    them. Revocation and the sign-in are the caller's to read, as for `verify_bearer`."""
    cached = _verified.get(token)
    if cached is None:
        return None
    header, key_id, claims, until = cached
    kid = header.get("kid")
    if (header.get("alg") != ALGORITHM or header.get("typ") != ACCESS_TOKEN_TYP
            or not isinstance(kid, str)):
        return None
    now = dt.datetime.now(dt.UTC)
    key = keys.cached_public_key(kid=kid, now=now)
    if key is None or _key_id(kid, key) != key_id or now.timestamp() >= until:
        return None
    return claims


def _checked_claims(*, session: Session, settings: Settings, token: str,
                    now: dt.datetime | None) -> dict[str, Any]:
    cached = _verified.get(token) if isinstance(token, str) else None
    if cached is not None:
        header = cached[0]
    else:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is malformed.") from exc
    if header.get("alg") != ALGORITHM or header.get("typ") != ACCESS_TOKEN_TYP:
        raise Unauthorized("The token's algorithm or type is not accepted.")
    kid = header.get("kid")
    when = now or dt.datetime.now(dt.UTC)
    key = keys.public_key(session=session, kid=kid, now=when) if isinstance(kid, str) else None
    if key is None:
        raise Unauthorized("The token was signed by an unknown key.")
    assert isinstance(kid, str)
    key_id = _key_id(kid, key)
    if (cached is not None and cached[1] == key_id
            and dt.datetime.now(dt.UTC).timestamp() < cached[3]):
        claims = dict(cached[2])
    else:
        try:
            claims = jwt.decode(token, key=key, algorithms=[ALGORITHM], issuer=settings.issuer,
                                leeway=settings.token_leeway,
                                options={"require": list(REQUIRED_CLAIMS),
                                         "verify_aud": False})
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is invalid.") from exc
        _remember(token, header, key_id, claims, settings.token_leeway)
    return claims


_REVOKED = select(RevokedAccessToken.jti).where(RevokedAccessToken.jti == bindparam("jti"))
_REVOCATION = select(
    _REVOKED.scalar_subquery().label("revoked"),
    select(TokenFamily.id).where(TokenFamily.id == bindparam("sid"))
    .scalar_subquery().label("family"),
    select(TokenFamily.revoked_at).where(TokenFamily.id == bindparam("sid"))
    .scalar_subquery().label("family_revoked_at"))
_REVOCATION_PREPARED = Prepared(_REVOCATION)


def gate_columns() -> list[Any]:
    """`verify_bearer`'s live reads as three columns for another statement to carry (the
    direct check path's one statement, `service.checks`): the revoked jti (or NULL), the
    sign-in's id (NULL when gone), and 'r' when the sign-in was revoked. Parameters `jti` and
    `sid`, as `_REVOCATION`'s."""
    family = select(TokenFamily.id).where(TokenFamily.id == bindparam("sid"))
    ended = case((TokenFamily.revoked_at.is_(None), null()), else_=literal_column("'r'"))
    revoked_at = select(ended).where(TokenFamily.id == bindparam("sid"))
    return [_REVOKED.scalar_subquery(), family.scalar_subquery(),
            revoked_at.scalar_subquery()]


def _remember(token: str, header: dict[str, Any], key_id: str, claims: dict[str, Any],
              leeway: int) -> None:
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        return
    with _verified_lock:
        if len(_verified) >= _VERIFIED_MAX:
            forget_oldest(_verified, _VERIFIED_MAX)
        _verified[token] = (header, key_id, dict(claims), float(exp) + leeway - 1)


def client_of(*, session: Session, claims: dict[str, Any]) -> Client | None:
    """The live client behind a client token (None when gone or disabled)."""
    if claims.get("token_kind") != "client":
        return None
    client = session.get(Client, str(claims.get("client_id") or claims["sub"]))
    return client if client is not None and client.status == "active" else None
