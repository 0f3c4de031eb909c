"""Small pieces every auth use case shares: time handling and the OAuth error type."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from sqlalchemy import Executable, Row
from sqlalchemy.orm import Session

from shared.audit import utcnow
from shared.prepared import Prepared

__all__ = ["OAuthError", "Prepared", "aware", "core_rows", "iso_utc", "session_scalar",
           "sha256_hex", "utcnow"]


def core_rows(session: Session, statement: Executable, **params: Any) -> list[Row[Any]]:
    """Rows of a Core `statement` run on the session's connection and transaction — the hot
    paths' reads, without the ORM's per-statement and per-row work. Pending ORM changes are
    flushed first, as the ORM's own autoflush would."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return list(session.connection().execute(statement, params).all())


def session_scalar(session: Session, statement: Executable, **params: Any) -> Any:
    """The first column of the first row of a Core `statement` (None when no row)."""
    rows = core_rows(session, statement, **params)
    return rows[0][0] if rows else None


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; everything auth stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def iso_utc(value: dt.datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC with its offset (`…+00:00`), whatever the store gave back
    (SQLite: naive UTC; PostgreSQL: aware, in the connection's time zone). Every datetime auth
    answers goes through here: without an offset a time is ambiguous (the platform reads
    dates in Asia/Shanghai)."""
    if value is None:
        return None
    return aware(value).astimezone(dt.UTC).isoformat()  # type: ignore[union-attr]


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


_NOT_IN_DESCRIPTION = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: `{"error": ..., "error_description": ...}` (not problem+json)."""

    def __init__(self, error: str, description: str, status: int = 400,
                 headers: dict[str, str] | None = None) -> None:
        # RFC 6749 §5.2: error_description holds only %x20-21 / %x23-5B / %x5D-7E; a
        # description echoing the request (a CJK grant type, a quote) must not break that.
        description = _NOT_IN_DESCRIPTION.sub("?", description)
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}

    @classmethod
    def invalid_client(cls, scheme: str = "Basic") -> OAuthError:
        return cls("invalid_client", "Client authentication failed.", 401,
                   {"WWW-Authenticate": f'{scheme} realm="auth"'})

    @classmethod
    def invalid_request(cls, description: str) -> OAuthError:
        return cls("invalid_request", description)
