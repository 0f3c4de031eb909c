"""argon2id password hashing with the cost from settings (tests lower it).

`verify_or_dummy` does the same work whether or not the user exists, so that the answer time
does not tell an unknown username from a wrong password.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.settings import Settings


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism,
                          type=Type.ID)


def hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib,
                   settings.argon2_parallelism)


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash("dummy password for unknown users")


def hash_password(settings: Settings, password: str) -> str:
    return hasher(settings).hash(password)


def verify_or_dummy(settings: Settings, password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash (unknown user) check a dummy, return False."""
    h = hasher(settings)
    target = password_hash or _dummy_hash(settings.argon2_time_cost, settings.argon2_memory_kib,
                                          settings.argon2_parallelism)
    try:
        ok = h.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return ok and password_hash is not None


def needs_rehash(settings: Settings, password_hash: str) -> bool:
    return hasher(settings).check_needs_rehash(password_hash)
