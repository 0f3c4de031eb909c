"""Back up and restore the four services' databases — one command for operators, the same
one `tests/faults/test_backup_restore.py` proves by restoring into fresh databases and
carrying on with the restored data over real HTTP.

    python deploy/backup.py backup  DIR [--service auth ...]
    python deploy/backup.py restore DIR [--service auth ...]

Each service's database is the one it would use itself (`<SERVICE>_DATABASE_URL`, else the
development default under `HR_DATA_DIR`). PostgreSQL is dumped with `pg_dump --format=custom`
and restored with `pg_restore --single-transaction --exit-on-error` into an EMPTY database
(create it first; restore refuses a database that already has tables, so a typo cannot
overwrite a live one). SQLite (development) is copied with SQLite's online backup API.
`DIR/manifest.json` records each file's SHA-256, checked before anything is restored.

A backup holds password hashes, encrypted signing keys and personal data: DIR is created
0700 and its files 0600. It does NOT hold the secrets that unlock it — `HR_KEY_ENCRYPTION_KEY`
(auth's private keys are encrypted under it) and the service clients' secrets (`.env` or
`var/service-clients.json`): keep those in the secret store, apart from the dumps
(docs/operations.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, inspect  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from shared.settings import SERVICES, Settings  # noqa: E402

#: Producers before consumers: an event delivered between two dumps is then still pending in
#: the producer's older dump and is delivered again after a restore (receivers are
#: idempotent), never marked delivered there while missing from the consumer's.
#: performance → staff (qualifications) → auth (leavers, qualifications); leave → receivers.
DUMP_ORDER = ("performance", "leave", "staff", "auth")


class BackupError(RuntimeError):
    pass


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for the client tools, the password moved to PGPASSWORD (never argv,
    which any local user can read in the process list)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private(path: Path) -> None:
    path.chmod(0o600)


def backup(target: Path, services: list[str]) -> dict[str, dict[str, str]]:
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    target.chmod(0o700)
    manifest = target / "manifest.json"
    made: dict[str, dict[str, str]] = (  # a partial backup adds to what is there
        json.loads(manifest.read_text())["services"] if manifest.exists() else {})
    for service in sorted(services, key=DUMP_ORDER.index):
        url = Settings(service).database_url
        if url.startswith("sqlite"):
            out = target / f"{service}.sqlite"
            source = make_url(url).database
            if not source or not Path(source).exists():
                raise BackupError(f"{service}: no database at {source}")
            _sqlite_copy(Path(source), out)
            fmt = "sqlite"
        else:
            out = target / f"{service}.dump"
            dsn, env = _libpq(url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={out}", f"--dbname={dsn}"], env, service)
            fmt = "pg_dump-custom"
        _private(out)
        made[service] = {"file": out.name, "format": fmt, "sha256": _sha256(out)}
    manifest.write_text(json.dumps({
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "services": made}, indent=2))
    _private(manifest)
    return made


def restore(source: Path, services: list[str]) -> None:
    manifest = json.loads((source / "manifest.json").read_text())["services"]
    for service in services:  # check everything before touching anything
        entry = manifest.get(service)
        if entry is None:
            raise BackupError(f"{service}: not in {source / 'manifest.json'}")
        if _sha256(source / entry["file"]) != entry["sha256"]:
            raise BackupError(f"{service}: {entry['file']} does not match its SHA-256")
        url = Settings(service).database_url
        if (entry["format"] == "sqlite") != url.startswith("sqlite"):
            scheme = url.split(":")[0]
            raise BackupError(f"{service}: a {entry['format']} backup cannot go to {scheme}")
        if _has_tables(url):
            raise BackupError(f"{service}: the target database is not empty; restore goes into "
                              "a fresh database only")
    for service in services:
        entry = manifest[service]
        url = Settings(service).database_url
        if entry["format"] == "sqlite":
            target = Path(make_url(url).database or "")
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _sqlite_copy(source / entry["file"], target)
            _private(target)
        else:
            dsn, env = _libpq(url)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
                  "--exit-on-error", f"--dbname={dsn}", str(source / entry["file"])],
                 env, service)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup (consistent while the service writes), connections closed."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _has_tables(url: str) -> bool:
    if url.startswith("sqlite"):
        path = make_url(url).database
        if not path or not Path(path).exists():
            return False
    engine = create_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _run(cmd: list[str], env: dict[str, str], service: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{service}: {cmd[0]} failed: {done.stderr.strip()[:500]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Back up or restore the services' databases.")
    parser.add_argument("action", choices=("backup", "restore"))
    parser.add_argument("directory", type=Path)
    parser.add_argument("--service", action="append", choices=SERVICES,
                        help="only this service (repeatable); default: all four")
    args = parser.parse_args(argv)
    services = args.service or list(SERVICES)
    try:
        if args.action == "backup":
            for service, entry in backup(args.directory, services).items():
                print(f"{service}: {args.directory / entry['file']} ({entry['format']})")
        else:
            restore(args.directory, services)
            print(f"restored: {', '.join(services)}")
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
