"""RFC 7662 introspection and RFC 7009 revocation of auth's own tokens.

Introspection is where revocation shows for access tokens (other services verify offline and
accept a token until its `exp`): a token is inactive when it expired, its jti was revoked, its
sign-in family was revoked (logout, replay, logout everywhere), or its user is disabled.

"Expired" here has no leeway: RFC 7662's `active` means active now, and an answer saying
`active: true` next to an `exp` in the past would contradict itself. (The verification leeway
is for clock skew between auth and an offline verifier; introspection is asked of auth's own
clock.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from services.auth.models import AuditEvent, RevokedAccessToken, User
from services.auth.service import refresh, tokens
from services.auth.service.common import aware
from shared.audit import Actor, record
from shared.errors import Unauthorized
from shared.settings import Settings

INACTIVE: dict[str, Any] = {"active": False}


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def _access_claims(session: Session, settings: Settings, token: str,
                   now: dt.datetime) -> dict[str, Any] | None:
    """Claims of a live access token, or None."""
    try:
        claims = tokens.verify(session=session, settings=settings, token=token, now=now)
    except Unauthorized:
        return None
    if claims.get("token_kind") == "client":
        return claims if tokens.client_of(session=session, claims=claims) else None
    try:
        user = session.get(User, int(claims["sub"]))
    except (TypeError, ValueError):
        return None
    if user is None or user.status != "active":
        return None
    sid = claims.get("sid")
    if sid and refresh.family_revoked(session=session, family_id=sid):
        return None
    return claims


def _before_exp(claims: dict[str, Any], now: dt.datetime) -> bool:
    exp = claims.get("exp")
    return isinstance(exp, int | float) and not isinstance(exp, bool) and now.timestamp() < exp


def introspect(*, session: Session, settings: Settings, token: str,
               now: dt.datetime) -> dict[str, Any]:
    if _looks_like_jwt(token):
        claims = _access_claims(session, settings, token, now)
        if claims is None or not _before_exp(claims, now):
            return INACTIVE
        answer = {"active": True, "token_type": "access_token"}
        for key in ("iss", "sub", "iat", "exp", "jti", "client_id", "scope", "emp", "roles",
                    "token_kind", "sid"):
            if key in claims:
                answer[key] = claims[key]
        if "preferred_username" in claims:
            answer["username"] = claims["preferred_username"]
        return answer
    found = refresh.lookup(session=session, raw=token)
    if found is None or not refresh.is_live(found[0], found[1], now):
        return INACTIVE
    row, family = found
    user = session.get(User, row.user_id)
    if user is None or user.status != "active":
        return INACTIVE
    return {"active": True, "token_type": "refresh_token", "sub": str(user.id),
            "username": user.username, "iss": settings.issuer, "sid": family.id,
            "iat": int(aware(row.created_at).timestamp()),
            "exp": int(aware(row.expires_at).timestamp())}


def revoke(*, session: Session, settings: Settings, token: str, now: dt.datetime,
           actor: Actor, owner: str | None = None) -> None:
    """Revoke what `token` is (refresh → its family; access → its jti). Unknown or already
    dead tokens are ignored, as RFC 7009 §2.2 says.

    With `owner` (a user id: the user logging out with their own bearer token) only that
    user's tokens are revoked; anyone else's are ignored like an unknown token, so the
    answer does not tell whether the token was live."""
    if _looks_like_jwt(token):
        try:
            claims = tokens.verify(session=session, settings=settings, token=token, now=now)
        except Unauthorized:
            return
        if owner is not None and (claims.get("token_kind") == "client"
                                  or str(claims.get("sub")) != owner):
            return
        session.merge(RevokedAccessToken(jti=claims["jti"], revoked_at=now,
                                         expires_at=dt.datetime.fromtimestamp(claims["exp"],
                                                                              dt.UTC)))
        record(session, AuditEvent, actor=actor, action="access_token.revoked",
               target_type=claims.get("token_kind", "user"), target_id=str(claims["sub"]),
               after={"jti": claims["jti"]})
        session.commit()
        return
    found = refresh.lookup(session=session, raw=token)
    if found is None or (owner is not None and str(found[0].user_id) != owner):
        return
    refresh.revoke_family(session=session, family_id=found[1].id, reason="revoked", now=now,
                          actor=actor)
    session.commit()
