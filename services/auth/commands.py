"""Operator commands beyond the shared ones."""

from __future__ import annotations

from services.auth.app import MIGRATIONS
from services.auth.service import keys
from shared.audit import Actor, utcnow
from shared.db import session_for, upgrade
from shared.settings import Settings


def rotate_keys(settings: Settings, args: list[str]) -> int:
    """Make a new signing key; old public keys stay in the JWKS until their tokens expired
    (and keys past that are retired now)."""
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        kid = keys.rotate(session=session, settings=settings, now=utcnow(),
                          actor=Actor.system("rotate-keys"))
    print(f"new signing key {kid}")
    return 0
