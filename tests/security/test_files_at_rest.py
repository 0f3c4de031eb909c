"""Files at rest under a real gunicorn (issue 14.8): everything a service writes into its
data directory is owner-only, and a clean shutdown leaves no WAL behind (checkpointed, every
connection closed). SQLite whatever the store under test: the WAL is SQLite's."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.e2e.harness import Stack


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_stopped_service_leaves_owner_only_files_and_no_wal(tmp_path):
    with Stack(tmp_path / "stack", ["auth"], pg=None) as stack:
        assert stack.admin_token()  # a sign-in: rows written by a worker
        db = stack.data_dir / "auth.db"
        assert Path(f"{db}-wal").exists()  # the control: while serving, the WAL is in use
        running = sorted(p for p in stack.data_dir.rglob("*"))
    assert _mode(stack.data_dir) == 0o700
    loose = {str(p): oct(_mode(p)) for p in running if p.exists() and _mode(p) & 0o077}
    assert loose == {}
    assert db.exists() and _mode(db) == 0o600
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
