"""Password sign-in with lockout.

A wrong password, an unknown username, a locked account and a disabled account all raise the
same `invalid_grant` with the same text, after the same work (one argon2 verification: a
dummy hash when the user is unknown). The audit trail keeps the real reason.

Lockout: `MAX_FAILURES` failed passwords within `WINDOW` lock the account for `LOCK_FOR`;
a success or an admin's unlock restarts the count (`failures_since`).

Audit: every failure is recorded as `login.failed` with its real reason unless the caller
says not to (`audit_failures=False`). A request from an address over the token endpoint's
brake never gets here (it is answered 429 before any credential is read); the endpoint
writes one `token.throttled` per address per minute instead, so that a flood of anonymous
garbage does not turn into a flood of audit rows. `user.locked` is always recorded.
The success (`login.succeeded`) is recorded by the grant, which knows the sign-in (`sid`) and
the access token's `jti`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.auth.models import AuditEvent, LoginFailure, User
from services.auth.service import passwords
from services.auth.service.common import OAuthError, aware
from services.auth.service.users import normalise
from shared.audit import Actor, record
from shared.settings import Settings

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)
BAD_CREDENTIALS = "The username or password is incorrect."


def authenticate(*, session: Session, settings: Settings, username: str, password: str,
                 now: dt.datetime, actor: Actor, audit_failures: bool = True) -> User:
    """The active, unlocked user whose password this is; else `invalid_grant` (always the
    same answer). The success is not audited here (see the module)."""
    user = session.scalars(select(User).where(User.username == normalise(username))).first()
    ok = passwords.verify_or_dummy(settings, user.password_hash if user else None, password)
    if user is None:
        _fail(session, actor, None, username, "unknown_user", audit_failures)
    assert user is not None
    locked_until = aware(user.locked_until)
    if locked_until is not None and locked_until <= now:
        user.locked_until, locked_until = None, None
        user.failures_since = now
    if locked_until is not None:
        _fail(session, actor, user, username, "locked", audit_failures)
    if user.status != "active":
        _fail(session, actor, user, username, "disabled", audit_failures)
    if not ok:
        session.add(LoginFailure(user_id=user.id, at=now))
        session.flush()
        since = max(now - WINDOW, aware(user.failures_since) or now - WINDOW)
        count = session.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.user_id == user.id, LoginFailure.at > since)) or 0
        if count >= MAX_FAILURES:
            user.locked_until = now + LOCK_FOR
            record(session, AuditEvent, actor=actor, action="user.locked", target_type="user",
                   target_id=str(user.id),
                   after={"failures": count, "until": user.locked_until.isoformat()})
        _fail(session, actor, user, username, "wrong_password", audit_failures)
    user.failures_since = now
    if passwords.needs_rehash(settings, user.password_hash):
        user.password_hash = passwords.hash_password(settings, password)
    return user


def _fail(session: Session, actor: Actor, user: User | None, username: str, why: str,
          audit: bool) -> None:
    if audit:
        record(session, AuditEvent, actor=actor, action="login.failed", target_type="user",
               target_id=str(user.id) if user else None,
               after={"username": username[:100], "reason": why})
    session.commit()
    raise OAuthError("invalid_grant", BAD_CREDENTIALS)
