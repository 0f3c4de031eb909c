"""Backups are only as good as their restore: `deploy/backup.py` dumps the four services'
databases of a running stack, restores them into fresh databases, and a second stack on the
restored data carries on — the same people log in, a request half-way through its approval
is finished, its signed trail still verifies, the incident is there."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import uuid

import pytest

from tests.dates import six_working_days
from tests.e2e.conftest import require
from tests.e2e.harness import ROOT, Stack

pytestmark = pytest.mark.e2e
PASSWORD = "Backup-Passw0rd-2026!"
SERVICES = ("auth", "staff", "leave", "performance")


def tool(action: str, directory, urls: dict[str, str], data_dir,
         *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update({f"{s.upper()}_DATABASE_URL": u for s, u in urls.items()},
               HR_DATA_DIR=str(data_dir), HR_ENV="test")
    return subprocess.run([sys.executable, "deploy/backup.py", action, str(directory), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def fresh_urls(tmp_path, pg_server) -> dict[str, str]:
    if pg_server is None:
        return {s: f"sqlite:///{tmp_path / 'restored' / (s + '.db')}" for s in SERVICES}
    return {s: pg_server.create_database(f"restored_{s}_{uuid.uuid4().hex[:8]}")
            for s in SERVICES}


def test_a_restored_backup_carries_on_where_it_left_off(tmp_path, pg_server):
    require(*SERVICES)
    start, end = six_working_days()  # more than five working days: two steps
    with Stack(tmp_path / "before", pg=pg_server) as before:
        admin = before.admin_token()
        before.units(admin, ("BKHQ", "head_office", None), ("BKBR", "branch", "BKHQ"),
                            ("BKSB", "sub_branch", "BKBR"), ("BKHR", "department", "BKBR"))
        before.hire(admin, "BK1", "BKSB", "SUB_BRANCH_HEAD")
        before.hire(admin, "BK2", "BKSB", "CREDIT_OFFICER")
        before.hire(admin, "BK3", "BKHR", "HR_ADMIN_SUPERVISOR")
        head = before.person(admin, "bk.head", "BK1", "branch_head", "BKSB", PASSWORD)
        officer = before.person(admin, "bk.officer", "BK2", "employee", "BKSB", PASSWORD)
        before.person(admin, "bk.hr", "BK3", "hr", "BKBR", PASSWORD)
        filed = before.request("POST", "leave", "/requests", token=officer, json={
            "type": "personal", "start_date": start.isoformat(),
            "end_date": end.isoformat(), "reason": "backup"})
        assert filed.status_code == 201, filed.text
        rid = filed.json()["id"]
        review = before.request("POST", "leave", f"/requests/{rid}/decision", token=head,
                                json={"decision": "approve"})
        assert review.status_code == 200 and review.json()["status"] == "pending"
        rules = before.request("GET", "performance", "/rules?per_page=100", token=admin).json()
        rule = next(r["code"] for r in rules["items"] if not r["consequence"]
                    and r["deduction_min"] is None and r["points"])
        incident = before.request("POST", "performance", "/incidents", token=head, json={
            "employee_no": "BK2", "rule": rule, "occurred_on": dt.date.today().isoformat(),
            "description": "Recorded before the backup."})
        assert incident.status_code == 201, incident.text
        kid = before.request("GET", "auth", "/.well-known/jwks.json").json()["keys"][0]["kid"]

        backup = tmp_path / "backup"
        made = tool("backup", backup, before.database_urls, before.data_dir)
        assert made.returncode == 0, made.stderr
        clients_file = tmp_path / "service-clients.json"
        shutil.copy(before.data_dir / "service-clients.json", clients_file)

    # Owner-only: a backup holds password hashes and encrypted keys.
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in backup.iterdir()} == {0o600}

    restored = fresh_urls(tmp_path, pg_server)
    done = tool("restore", backup, restored, tmp_path)
    assert done.returncode == 0, done.stderr
    # Never over a live database: restoring again into the same (now full) ones is refused.
    again = tool("restore", backup, restored, tmp_path)
    assert again.returncode == 1 and "not empty" in again.stderr

    after = Stack(tmp_path / "after", pg=pg_server, database_urls=restored)
    after.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(clients_file, after.data_dir / "service-clients.json")
    with after:
        assert after.request("GET", "auth", "/.well-known/jwks.json").json()["keys"][0][
            "kid"] == kid  # the same signing key, decrypted from the restored store
        hr = after.login("bk.hr", PASSWORD)  # the same people, the same passwords
        officer = after.login("bk.officer", PASSWORD)
        final = after.request("POST", "leave", f"/requests/{rid}/decision", token=hr,
                              json={"decision": "approve"})
        assert final.status_code == 200 and final.json()["status"] == "approved", final.text
        trail = after.request("GET", "leave", f"/requests/{rid}/trail", token=officer).json()
        assert trail["valid"] and [e["actor_emp"] for e in trail["entries"]] == [
            "BK2", "BK1", "BK3"]
        found = after.request("GET", "performance", f"/incidents/{incident.json()['id']}",
                              token=hr)
        assert found.status_code == 200 and found.json()["employee_no"] == "BK2"
