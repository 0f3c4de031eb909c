"""RS256 access tokens (RFC 9068 shape: header `typ: at+jwt`, a `kid`) and their verification
by auth itself (the JWKS from its own database).

A user token carries only the bindings valid now, and its `exp` never outlives the earliest
end of a carried binding (an acting appointment ending today ends the token at midnight).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import jwt
from sqlalchemy.orm import Session

from services.auth.domain.scope import end_instant, today_in
from services.auth.models import Client, RevokedAccessToken, User
from services.auth.service import bindings, keys, roles
from shared.errors import Unauthorized
from shared.settings import Settings
from shared.tokens import ACCESS_TOKEN_TYP, ALGORITHM, REQUIRED_CLAIMS


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
    return jwt.encode(claims, key, algorithm=ALGORITHM,
                      headers={"kid": kid, "typ": ACCESS_TOKEN_TYP})


def expires_in(claims: dict[str, Any], now: dt.datetime) -> int:
    return max(0, claims["exp"] - int(now.timestamp()))


def self_token(*, session: Session, settings: Settings, now: dt.datetime) -> tuple[str, int]:
    """Auth's own client token for calling staff (`sub` svc-auth, scope staff:read)."""
    claims = client_claims(settings=settings, client_id="svc-auth", permissions=["staff:read"],
                           now=now)
    return sign(session=session, settings=settings, claims=claims), expires_in(claims, now)


def verify(*, session: Session, settings: Settings, token: str,
           now: dt.datetime | None = None) -> dict[str, Any]:
    """Claims of a valid access token signed by one of auth's published keys; else 401.

    Same rules as `shared.tokens.TokenVerifier` (RS256 only, `typ`, `kid`, `iss`, required
    claims) plus auth's own revocation list.
    """
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
    try:
        claims = jwt.decode(token, key=key, algorithms=[ALGORITHM], issuer=settings.issuer,
                            leeway=settings.token_leeway,
                            options={"require": list(REQUIRED_CLAIMS), "verify_aud": False})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("The token is invalid.") from exc
    if claims.get("jti") and session.get(RevokedAccessToken, claims["jti"]) is not None:
        raise Unauthorized("The token has been revoked.")
    return claims


def client_of(*, session: Session, claims: dict[str, Any]) -> Client | None:
    """The live client behind a client token (None when gone or disabled)."""
    if claims.get("token_kind") != "client":
        return None
    client = session.get(Client, str(claims.get("client_id") or claims["sub"]))
    return client if client is not None and client.status == "active" else None
