"""deploy/backup.py's own promises, without a stack: a tampered dump is refused before
anything is restored, a partial backup adds to the manifest, and dumps go producers first."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

from tests.faults.test_backup_restore import tool

SERVICES = ("auth", "staff", "leave", "performance")


def _databases(tmp_path, name):
    urls = {}
    for service in SERVICES:
        path = tmp_path / name / f"{service}.db"
        path.parent.mkdir(exist_ok=True)
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("create table t (x text)")
            conn.execute("insert into t values (?)", (f"{service} row",))
            conn.commit()
        urls[service] = f"sqlite:///{path}"
    return urls


def test_a_tampered_dump_is_refused_before_anything_is_restored(tmp_path):
    urls = _databases(tmp_path, "live")
    made = tool("backup", tmp_path / "b", urls, tmp_path)
    assert made.returncode == 0, made.stderr
    # Producers first: performance, leave, staff, then auth (the consumer of staff's events).
    assert [line.split(":")[0] for line in made.stdout.splitlines()] == [
        "performance", "leave", "staff", "auth"]
    dump = tmp_path / "b" / "staff.sqlite"
    data = bytearray(dump.read_bytes())
    data[-1] ^= 0xFF
    dump.write_bytes(bytes(data))
    fresh = {s: f"sqlite:///{tmp_path / 'fresh' / (s + '.db')}" for s in SERVICES}
    refused = tool("restore", tmp_path / "b", fresh, tmp_path)
    assert refused.returncode == 1 and "SHA-256" in refused.stderr
    assert not (tmp_path / "fresh" / "auth.db").exists()  # nothing restored, not even auth
    again = tool("backup", tmp_path / "b", urls, tmp_path)  # positive control
    assert again.returncode == 0
    assert tool("restore", tmp_path / "b", fresh, tmp_path).returncode == 0
    with closing(sqlite3.connect(tmp_path / "fresh" / "staff.db")) as conn:
        assert conn.execute("select x from t").fetchall() == [("staff row",)]


def test_a_partial_backup_adds_to_the_manifest(tmp_path):
    urls = _databases(tmp_path, "live")
    assert tool("backup", tmp_path / "b", urls, tmp_path).returncode == 0
    done = tool("backup", tmp_path / "b", {"leave": urls["leave"]}, tmp_path,
                "--service", "leave")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert set(manifest["services"]) == set(SERVICES)
