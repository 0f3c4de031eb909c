"""The three grants of `POST /auth/token`.

Hand-written rather than Authlib's `AuthorizationServer`: Authlib's grants read form bodies
only (docs/api.md wants JSON too), its password grant has no hook to answer a locked account
exactly like a wrong password after the same work, and its refresh grant revokes and saves
through callbacks that cannot express the single conditional UPDATE that makes rotation
race-safe. The flows are small; the RFC 6749 error shapes are reproduced here exactly.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from services.auth.models import AuditEvent, Client, FailedRequest, SigningKey, User
from services.auth.service import clients, keys, login, refresh, tokens
from services.auth.service.common import OAuthError, Prepared, sha256_hex
from services.auth.service.ratelimit import ADDRESS_MAX, FailureLimiter
from shared.audit import Actor, record
from shared.settings import Settings

GRANTS = ("password", "refresh_token", "client_credentials")


def _required(params: dict[str, Any], *names: str) -> list[str]:
    values = []
    for name in names:
        value = params.get(name)
        if not isinstance(value, str) or not value:
            raise OAuthError.invalid_request(f"The parameter {name} is required.")
        values.append(value)
    return values


def _user_tokens(session: Session, settings: Settings, user: User, family_id: str,
                 now: dt.datetime, login_actor: Actor | None = None) -> dict[str, Any]:
    """Issue the pair; with `login_actor` (a password sign-in) audit `login.succeeded` with
    the new sign-in (`sid`, the refresh family) and the access token's `jti`, so a session
    can be traced from its login."""
    claims = tokens.user_claims(session=session, settings=settings, user=user, now=now,
                                sid=family_id)
    raw_refresh = refresh.issue(session=session, settings=settings, user_id=user.id,
                                family_id=family_id, now=now)
    access = tokens.sign(session=session, settings=settings, claims=claims)
    if login_actor is not None:
        record(session, AuditEvent, actor=login_actor, action="login.succeeded",
               target_type="user", target_id=str(user.id),
               after={"sid": family_id, "jti": claims["jti"], "exp": claims["exp"]})
    session.commit()
    return {"access_token": access, "token_type": "Bearer",
            "expires_in": tokens.expires_in(claims, now), "refresh_token": raw_refresh}


def password_grant(*, session: Session, settings: Settings, params: dict[str, Any],
                   now: dt.datetime, actor: Actor, audit_failures: bool = True) -> dict[str, Any]:
    username, password = _required(params, "username", "password")
    user = login.authenticate(session=session, settings=settings, username=username,
                              password=password, now=now, actor=actor,
                              audit_failures=audit_failures)
    family = refresh.new_family(session=session, user_id=user.id, now=now)
    return _user_tokens(session, settings, user, family, now, login_actor=actor)


def refresh_grant(*, session: Session, settings: Settings, params: dict[str, Any],
                  now: dt.datetime, actor: Actor, audit_failures: bool = True) -> dict[str, Any]:
    del audit_failures  # a replay's family revocation is always audited
    (raw,) = _required(params, "refresh_token")
    row = refresh.rotate(session=session, raw=raw, now=now, actor=actor)
    user = session.get(User, row.user_id)
    if user is None or user.status != "active":
        session.rollback()
        raise OAuthError("invalid_grant", refresh.INVALID)
    return _user_tokens(session, settings, user, row.family_id, now)


def client_credentials_grant(*, session: Session, settings: Settings,
                             credentials: tuple[str, str] | None, now: dt.datetime,
                             actor: Actor, audit_failures: bool = True) -> dict[str, Any]:
    if credentials is None:
        raise OAuthError.invalid_client()
    client = clients.authenticate(session=session, client_id=credentials[0],
                                  secret=credentials[1])
    if client is None and audit_failures:
        record(session, AuditEvent, actor=actor, action="client.auth_failed",
               target_type="client", target_id=credentials[0][:100])
        session.commit()
    if client is None:
        raise OAuthError.invalid_client()
    claims = tokens.client_claims(settings=settings, client_id=client.client_id,
                                  permissions=list(client.permissions), now=now)
    access = tokens.sign(session=session, settings=settings, claims=claims)
    session.commit()
    return {"access_token": access, "token_type": "Bearer",
            "expires_in": tokens.expires_in(claims, now), "scope": claims["scope"]}


#: A client-credentials grant's reads in two statements. First, before any credential is
#: looked at: the address's failures in the brake's window (`ratelimit.FailureLimiter
#: .over_limit`) and the active signing key's kid (`keys.signer`). Then the client's row
#: (`clients.authenticate`).
_BRAKE_AND_KEY = Prepared(select(
    select(func.count()).select_from(FailedRequest)
    .where(FailedRequest.address == bindparam("address"), FailedRequest.at > bindparam("since"))
    .scalar_subquery().label("failures"),
    select(SigningKey.kid).where(SigningKey.status == "active")
    .order_by(SigningKey.created_at.desc()).limit(1).scalar_subquery().label("kid")))
_CLIENT = Prepared(select(Client.secret_hash, Client.status, Client.permissions)
                   .where(Client.client_id == bindparam("client_id")))


def client_credentials_direct(
        *, conn: Connection, settings: Settings, limiter: FailureLimiter, address: str,
        now: dt.datetime,
        credentials: Callable[[], tuple[str, str] | None]) -> dict[str, Any] | None:
    """The answer `client_credentials_grant` gives a client that authenticates, in two
    statements on `conn` (autocommit: nothing is written on success, so there is no
    transaction to begin or end) — or None whenever the documented path would do anything
    else: the address is over the brake (429: then `credentials` is not even called), the
    request is not a plain client-credentials grant (`credentials()` gives None), the client
    is unknown, disabled or its secret is wrong (audited, counted: 401), there is no active
    key yet, or this process has not decrypted the active key yet. The caller then takes the
    documented path from its start. The active kid is read on every grant, so a rotation is
    followed at once, as `keys.signer` does."""
    failures, kid = _BRAKE_AND_KEY.run(conn, {"address": address[:ADDRESS_MAX],
                                              "since": now - limiter.window})[0]
    if (failures or 0) >= limiter.limit or kid is None:
        return None
    key = keys.cached_private_key(kid)
    given = credentials() if key is not None else None
    if given is None:
        return None
    client_id, secret = given
    rows = _CLIENT.run(conn, {"client_id": client_id})
    expected, status, permissions = rows[0] if rows else (None, None, None)
    ok = hmac.compare_digest(expected or sha256_hex("no such client"), sha256_hex(secret))
    if expected is None or not ok or status != "active":
        return None
    claims = tokens.client_claims(settings=settings, client_id=client_id,
                                  permissions=list(permissions or ()), now=now)
    return {"access_token": tokens.sign_with(kid, key, claims), "token_type": "Bearer",
            "expires_in": tokens.expires_in(claims, now), "scope": claims["scope"]}
