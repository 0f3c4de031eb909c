"""Small pieces every auth use case shares: time handling and the OAuth error type."""

from __future__ import annotations

import datetime as dt
import hashlib

from shared.audit import utcnow

__all__ = ["OAuthError", "aware", "sha256_hex", "utcnow"]


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; everything auth stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: `{"error": ..., "error_description": ...}` (not problem+json)."""

    def __init__(self, error: str, description: str, status: int = 400,
                 headers: dict[str, str] | None = None) -> None:
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
