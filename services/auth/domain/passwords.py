"""The password policy: at least 10 characters, not containing the username, not a common
password (a list shipped as data: `data/reference/common-passwords.txt`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 10
#: argon2 hashes any length, but a megabyte password is a denial-of-service tool, not a secret.
MAX_LENGTH = 256
COMMON_FILE = Path(__file__).resolve().parents[3] / "data" / "reference" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def policy_errors(password: str, username: str) -> list[str]:
    """Every rule `password` breaks, as messages for a 422 (empty when acceptable)."""
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        errors.append(f"Use at most {MAX_LENGTH} characters.")
    if username and username.lower() in password.lower():
        errors.append("The password must not contain the username.")
    if password.lower() in common_passwords():
        errors.append("This password is too common.")
    return errors
