"""Opaque refresh tokens, rotated on every use, revoked by family on replay.

Only a SHA-256 of each token is stored. A family is one sign-in; its access tokens carry its
id as `sid`, so revoking the family (logout, replay, disabling the user) makes them inactive
at introspection too.

Race safety: rotation claims the presented token with one conditional UPDATE
(`used_at IS NULL AND revoked_at IS NULL`) and checks the row count, in the same transaction
that inserts the successor. Of two concurrent refreshes, exactly one gets the row; the other
sees a used token and revokes the family (successor included). A refresh racing a revoke
cannot leave a live token either: liveness also requires the family to be unrevoked.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from services.auth.models import AuditEvent, RefreshToken, TokenFamily
from services.auth.service.common import OAuthError, aware, core_rows, sha256_hex
from shared.audit import Actor, record
from shared.settings import Settings

INVALID = "The refresh token is invalid, expired or revoked."


def new_family(*, session: Session, user_id: int, now: dt.datetime) -> str:
    fam = TokenFamily(id=uuid.uuid4().hex, user_id=user_id, created_at=now)
    session.add(fam)
    session.flush()
    return fam.id


def issue(*, session: Session, settings: Settings, user_id: int, family_id: str,
          now: dt.datetime) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(RefreshToken(token_hash=sha256_hex(raw), family_id=family_id, user_id=user_id,
                             created_at=now,
                             expires_at=now + dt.timedelta(seconds=settings.refresh_token_ttl)))
    return raw


def rotate(*, session: Session, raw: str, now: dt.datetime, actor: Actor) -> RefreshToken:
    """Claim `raw` for one use; the caller issues the successor in the same transaction.

    Raises invalid_grant for unknown, expired, revoked and replayed tokens; a replay revokes
    the whole family (committed even though the request fails)."""
    digest = sha256_hex(raw)
    claimed = session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == digest, RefreshToken.used_at.is_(None),
               RefreshToken.revoked_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)).rowcount
    row = session.scalars(select(RefreshToken).where(RefreshToken.token_hash == digest)).first()
    if row is None:
        session.rollback()
        raise OAuthError("invalid_grant", INVALID)
    family = session.get(TokenFamily, row.family_id)
    if claimed != 1:
        session.rollback()
        if row.revoked_at is None and row.used_at is not None:
            revoke_family(session=session, family_id=row.family_id, reason="reuse", now=now,
                          actor=actor)
            session.commit()
        raise OAuthError("invalid_grant", INVALID)
    expires = aware(row.expires_at)
    if family is None or family.revoked_at is not None or (expires and expires <= now):
        session.rollback()
        raise OAuthError("invalid_grant", INVALID)
    return row


def revoke_family(*, session: Session, family_id: str, reason: str, now: dt.datetime,
                  actor: Actor) -> bool:
    """Revoke a family and every token in it (audited); False when it was revoked already."""
    family = session.get(TokenFamily, family_id)
    if family is None:
        return False
    session.execute(update(RefreshToken)
                    .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=now).execution_options(synchronize_session=False))
    if family.revoked_at is not None:
        return False
    family.revoked_at, family.revoked_reason = now, reason
    record(session, AuditEvent, actor=actor, action="token_family.revoked",
           target_type="user", target_id=str(family.user_id),
           after={"family": family_id, "reason": reason})
    return True


def revoke_all_for_user(*, session: Session, user_id: int, reason: str, now: dt.datetime,
                        actor: Actor) -> int:
    """Revoke every live family of a user (logout everywhere, disabling); returns how many."""
    ids = session.scalars(select(TokenFamily.id).where(TokenFamily.user_id == user_id,
                                                       TokenFamily.revoked_at.is_(None))).all()
    return sum(revoke_family(session=session, family_id=i, reason=reason, now=now, actor=actor)
               for i in ids)


def lookup(*, session: Session, raw: str) -> tuple[RefreshToken, TokenFamily] | None:
    row = session.scalars(select(RefreshToken)
                          .where(RefreshToken.token_hash == sha256_hex(raw))).first()
    if row is None:
        return None
    family = session.get(TokenFamily, row.family_id)
    return (row, family) if family is not None else None


def is_live(row: RefreshToken, family: TokenFamily, now: dt.datetime) -> bool:
    expires = aware(row.expires_at)
    return (row.used_at is None and row.revoked_at is None and family.revoked_at is None
            and expires is not None and expires > now)


_FAMILY_STATE = select(TokenFamily.id, TokenFamily.revoked_at).where(
    TokenFamily.id == bindparam("family_id"))


def family_revoked(*, session: Session, family_id: str) -> bool:
    """Is the sign-in gone or revoked? (One Core read: the bearer gate asks on every call.)"""
    rows = core_rows(session, _FAMILY_STATE, family_id=family_id)
    return not rows or rows[0].revoked_at is not None
