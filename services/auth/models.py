"""Tables the auth service owns.

Timestamps are stored in UTC (`DateTime(timezone=True)`); SQLite hands them back naive, so
code that compares them goes through `service.clock.aware`. Secrets never appear here in the
clear: passwords are argon2id hashes, client secrets and refresh tokens SHA-256 hashes, and
private signing keys are encrypted (see `service.keys`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.audit import make_audit_model, utcnow
from shared.db import make_db

db = make_db()
AuditEvent = make_audit_model(db)

Model: Any = db.Model


class Permission(Model):
    """A permission name (`leave:approve`) and what it allows; the closed vocabulary."""

    __tablename__ = "permissions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(500), default="")


class Role(Model):
    """A role as policy data: its permissions are editable by admins."""

    __tablename__ = "roles"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The unit types a binding of this role may name (`branch_head`: sub-branches and
    #: outlets); null = any type, and "*" only then.
    unit_types: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    #: A staff qualification the holder must keep (`customer_manager`, 客户经理资格): its
    #: withdrawal ends the bindings and refuses new ones.
    requires_qualification: Mapped[str | None] = mapped_column(String(64), nullable=True)


class SodPair(Model):
    """Two roles one user may not hold where one binding's scope covers the other's.

    Stored with `role_a < role_b` so a pair exists once whatever order it was given in.
    """

    __tablename__ = "sod_pairs"
    __table_args__ = (UniqueConstraint("role_a", "role_b"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_a: Mapped[str] = mapped_column(String(64))
    role_b: Mapped[str] = mapped_column(String(64))


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200))
    employee_no: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | disabled
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Set when 5 failures fall within the window; the account answers as a wrong password
    #: until then.
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Failures before this instant no longer count (set by a success or an unlock).
    failures_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Model):
    """One failed password for a known user (the lockout counts these in a window)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FailedRequest(Model):
    """One failed `/auth/token` request from an address: the per-address brake counts these
    in a sliding minute (`service.ratelimit`). Kept in the database so that every worker and
    every process sees the same count; rows older than the window are pruned as it goes."""

    __tablename__ = "failed_requests"
    __table_args__ = (Index("ix_failed_requests_address_at", "address", "at"),)

    #: 64-bit on PostgreSQL (a busy public endpoint may use up int4 ids); SQLite's rowid is
    #: 64-bit already and must be spelt INTEGER to be one.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrgPath(Model):
    """Auth's cache of org unit paths (the staff service owns the tree)."""

    __tablename__ = "org_paths"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), index=True)
    source: Mapped[str] = mapped_column(String(20), default="staff")  # staff | demo
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The unit's type as staff says it (types never change there); null until asked.
    unit_type: Mapped[str | None] = mapped_column(String(20), nullable=True)


class RoleBinding(Model):
    """A user holds `role` over the subtree of unit `org` ("*" = everything) for a period.

    Dates are inclusive and read in `HR_TIMEZONE`; null means open-ended. A bounded binding is
    an acting appointment.
    """

    __tablename__ = "role_bindings"
    __table_args__ = (
        Index("ix_role_bindings_user", "user_id"),
        # Who holds a role over a unit's chain (`service.holders`: leave's routing asks on
        # every filing): bindings by unit code (migration 0007).
        Index("ix_role_bindings_org_role", "org", "role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(ForeignKey("roles.name"))
    org: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))


class QualificationState(Model):
    """The latest withdrawal or restoration of an employee's qualification that staff told
    auth of (`POST /auth/people-events`). `sequence` is staff's record id: an older event
    delivered late (at least once, maybe twice) never undoes a newer one."""

    __tablename__ = "qualification_states"

    employee_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    qualification: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # withdrawn | restored
    reference: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    sequence: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Client(Model):
    """A machine client (a service or an outside system): flat permissions, no org scope."""

    __tablename__ = "clients"

    client_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(128))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(20), default="client")  # client | service
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SigningKey(Model):
    """An RSA signing key. `active` signs; `retiring` is still published in the JWKS until
    `retire_after`; `retired` keys are gone from the JWKS and their private part erased."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    private_key_encrypted: Mapped[str | None] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retire_after: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class TokenFamily(Model):
    """One sign-in: every refresh token rotated from it, and its access tokens (`sid`)."""

    __tablename__ = "token_families"
    __table_args__ = (Index("ix_token_families_user", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(50))


class RefreshToken(Model):
    """An opaque refresh token, stored only as its SHA-256; usable once."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_family", "family_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("token_families.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RevokedAccessToken(Model):
    """An access token revoked before its `exp` (RFC 7009); kept until it would expire."""

    __tablename__ = "revoked_access_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
