"""`make secrets`: write `.env` for docker compose with fresh random secrets, mode 0600.

Every variable that `.env.example` assigns an empty value gets 48 random bytes as hex (letters
and digits only: they go into database URLs and SQL as they are); everything else in the
example (comments, optional settings) is copied as it stands. An existing file is never
overwritten — its database passwords are already in PostgreSQL's volume — unless `--force`.
Standard library only: it runs before any virtual environment exists.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMPTY = re.compile(r"^([A-Z][A-Z0-9_]*)=\s*$")
BYTES = 48


def render(example: str) -> str:
    """The example with every empty assignment filled with a fresh secret."""
    lines = []
    for line in example.splitlines():
        match = EMPTY.match(line)
        lines.append(f"{match.group(1)}={secrets.token_hex(BYTES)}" if match else line)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", type=Path, default=ROOT / ".env.example")
    parser.add_argument("--output", type=Path, default=ROOT / ".env")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.output.exists() and not args.force:
        print(f"{args.output} exists; not overwritten (its database passwords may already be "
              "in use). Remove it or pass --force (make secrets FORCE=1).", file=sys.stderr)
        return 1
    text = render(args.example.read_text(encoding="utf-8"))
    tmp = args.output.with_name(args.output.name + ".tmp")
    # A fresh file of our own: never follow (or write through) a link planted at .env.tmp.
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)  # whatever the umask
    os.replace(tmp, args.output)
    print(f"wrote {args.output} (mode 0600) with fresh secrets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
