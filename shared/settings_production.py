"""What production refuses that a demo or a developer's machine allows (`Settings.check`).

With `HR_ENV=production` a process will not start when

- demo data would be loaded (`HR_DEMO` on; it is off by default there) — auth also refuses a
  store that already holds demo users (`services.auth.demo`), since their password is
  printed in the README;
- any secret it holds equals a value shipped in the repository: every value in the
  shipped `.env.example` (commented-out examples too: they are the ones people copy), and the
  development default. They are read from the file at start, not from a list kept here, so
  a value added to the example is refused the day it is added. The image ships the file for
  this reason; if it is missing, production refuses to start rather than guess;
- a secret carries less than 32 bytes (256 bits) of randomness, as far as its text can
  tell (`randomness_bits`).

Secrets are: auth's key-encryption key and every service client secret it provisions; a
service's own client secret; the password in its database URL. The bootstrap admin's
password is a person's password (auth's password policy judges it): only shipped values
are refused for it.

`make secrets` (deploy/make_secrets.py) writes a `.env` whose every secret passes.
"""

from __future__ import annotations

import importlib
import math
import re
import string
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / ".env.example"
#: 32 bytes of randomness.
MIN_BITS = 256
#: `KEY=value`, also in a comment (`# KEY=value   # what it is`).
_ASSIGNMENT = re.compile(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=(\S*)")
_HEX = frozenset(string.hexdigits)
_BASE64 = frozenset(string.ascii_letters + string.digits + "+/=-_")
_CLASSES = (frozenset(string.ascii_lowercase), frozenset(string.ascii_uppercase),
            frozenset(string.digits))


class MissingExample(RuntimeError):
    """The shipped example file is not there, so shipped values cannot be refused."""


def shipped_values(paths: Iterable[Path] | None = None,
                   extra: Iterable[str] = ()) -> frozenset[str]:
    """Every non-empty value assigned in the shipped example files (default: `.env.example`)
    and `extra`; for a `user:password` value its password part too."""
    found = set(extra)
    for path in (ENV_EXAMPLE,) if paths is None else paths:
        if not path.exists():
            raise MissingExample(f"{path} is missing: cannot refuse the values it ships")
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _ASSIGNMENT.match(line)
            if match and match.group(2):
                value = match.group(2)
                found.add(value)
                if ":" in value:
                    found.add(value.split(":", 1)[1])
    return frozenset(v for v in found if v)


def randomness_bits(secret: str) -> float:
    """A generous upper bound on the randomness a secret's text can hold, in bits.

    Per character: 4 bits for hex, 6 for base64, else log2 of the character classes used
    (lower, upper, digits, 33 punctuation marks). Capped by what the text compresses to
    (zlib, less its fixed overhead), so repetition (`aaaa…`, `abcabc…`) counts for little.
    Not a proof of randomness — a guard against placeholders, words and short keys."""
    if not secret:
        return 0.0
    chars = set(secret)
    if chars <= _HEX:
        per = 4.0
    elif chars <= _BASE64:
        per = 6.0
    else:
        size = sum(len(c) for c in _CLASSES if chars & c) + (33 if chars - _BASE64 else 0)
        per = math.log2(max(size, 2))
    compressed = 8 * max(0, len(zlib.compress(secret.encode("utf-8"), 9)) - 6)
    return min(per * len(secret), float(compressed)) if len(chars) > 1 else 0.0


def secret_problems(secrets: Mapping[str, str | None], shipped: frozenset[str],
                    *, random: bool = True) -> list[str]:
    """What is wrong with each named secret (an empty list when all pass)."""
    problems = []
    for name, value in secrets.items():
        if not value:
            problems.append(f"{name} is not set")
        elif value in shipped:
            problems.append(f"{name} is a value shipped in the repository (.env.example)")
        elif random and randomness_bits(value) < MIN_BITS:
            problems.append(f"{name} holds less than 32 bytes of randomness "
                            "(make secrets writes values that do)")
    return problems


def refuse_stored_demo_data(settings: Any) -> None:
    """In production, after migrations: refuse a store that holds demo data.

    A service says what that is in `services/<service>/production.py`
    (`stored_demo_data(settings) -> [reasons]`); one without that module has nothing to say.
    Called before the workers fork (`shared.gunicorn_conf`) and by `prepare` (`shared.cli`).
    """
    if not settings.is_production:
        return
    from shared.settings import InsecureSettings

    name = f"services.{settings.service}.production"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return
    reasons = module.stored_demo_data(settings)
    if reasons:
        raise InsecureSettings("refusing to start in production: " + "; ".join(reasons))
