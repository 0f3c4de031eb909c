"""After a soak: every acknowledged write is found, every touched balance reconciles, and
memory stayed flat. Each check returns failures as sentences (empty: it held)."""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal
from typing import Any

from bench.soak_traffic import TERMINAL, Acknowledged

#: An incident only moves forward; answers may arrive out of order, so the furthest counts.
_INCIDENT_ORDER = {"recorded": 0, "confirmed": 1, "dismissed": 1}
MEMORY_GROWTH = 0.10
MEMORY_SLACK = 8 * 2**20


def check_writes(stack: Any, ledger: Acknowledged) -> list[str]:
    admin = stack.admin_token()
    failures: list[str] = []
    found: dict[int, dict[str, Any]] = {}
    for rid, statuses in sorted(ledger.leave.items()):
        resp = stack.request("GET", "leave", f"/requests/{rid}", token=admin)
        if resp.status_code != 200:
            failures.append(f"leave request {rid} acknowledged but answers {resp.status_code}")
            continue
        found[rid] = resp.json()
        terminal = [s for s in statuses if s in TERMINAL]
        expected = terminal[-1] if terminal else "pending"
        if len(set(terminal)) > 1:
            failures.append(f"leave request {rid}: two different ends acknowledged {terminal}")
        elif found[rid]["status"] != expected:
            failures.append(f"leave request {rid}: acknowledged {statuses}, "
                            f"found {found[rid]['status']}")
    for iid, statuses in sorted(ledger.incidents.items()):
        resp = stack.request("GET", "performance", f"/incidents/{iid}", token=admin)
        if resp.status_code != 200:
            failures.append(f"incident {iid} acknowledged but answers {resp.status_code}")
        elif resp.json()["status"] != max(statuses, key=_INCIDENT_ORDER.get):
            failures.append(f"incident {iid}: acknowledged {statuses}, found "
                            f"{resp.json()['status']}")
    owners = sorted(set(ledger.leave_owner.values()))
    for employee_no in owners:
        failures += reconcile(stack, admin, employee_no)
    return failures


def reconcile(stack: Any, admin: str, employee_no: str) -> list[str]:
    """Balances = the ledger's sums = the requests' days, per type with a balance and year."""
    requests_ = _all(stack, admin, "leave", f"/requests?employee_no={employee_no}")
    years = sorted({int(r["start_date"][:4]) for r in requests_})
    failures = []
    for year in years:
        balances = stack.request("GET", "leave", f"/balances/{employee_no}?year={year}",
                                 token=admin).json()["balances"]
        entries = _all(stack, admin, "leave", f"/balances/{employee_no}/ledger?year={year}")
        sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for entry in entries:
            sums[entry["type"]][entry["kind"]] += Decimal(str(entry["days"]))
        days: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for r in requests_:
            if int(r["start_date"][:4]) == year:
                days[r["type"]][r["status"]] += Decimal(str(r["days"]))
        for balance in balances:
            kind = sums[balance["type"]]
            by_status = days[balance["type"]]
            expected = {
                "entitled": kind["allocation"] + kind["adjustment"],
                "used": kind["consumption"] - kind["reversal"],
                "pending": kind["hold"] - kind["release"],
            }
            for name, value in expected.items():
                if Decimal(str(balance[name])) != value:
                    failures.append(f"{employee_no} {year} {balance['type']}: {name} "
                                    f"{balance[name]} but the ledger sums to {value}")
            if Decimal(str(balance["used"])) != by_status["approved"]:
                failures.append(f"{employee_no} {year} {balance['type']}: used "
                                f"{balance['used']} but approved requests hold "
                                f"{by_status['approved']} days")
            if Decimal(str(balance["pending"])) != by_status["pending"]:
                failures.append(f"{employee_no} {year} {balance['type']}: pending "
                                f"{balance['pending']} but pending requests hold "
                                f"{by_status['pending']} days")
    return failures


def _all(stack: Any, token: str, service: str, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    joiner = "&" if "?" in path else "?"
    while True:
        resp = stack.request("GET", service, f"{path}{joiner}page={page}&per_page=100",
                             token=token)
        resp.raise_for_status()
        body = resp.json()
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items
        page += 1


def rss_by_service(stack: Any) -> dict[str, int]:
    """Resident bytes of each service's gunicorn process group (master and workers)."""
    out = {}
    for name, proc in stack.procs.items():
        total = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.getpgid(int(pid)) != proc.pid:
                    continue
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
            except (OSError, ProcessLookupError):
                continue
        out[name] = total
    return out


def check_memory(samples: dict[str, list[int]]) -> list[str]:
    failures = []
    for name, values in samples.items():
        if len(values) >= 2:
            first, last = values[0], values[-1]
            if last > first * (1 + MEMORY_GROWTH) + MEMORY_SLACK:
                failures.append(f"{name}: resident memory grew from {first / 2**20:.1f} MiB "
                                f"to {last / 2**20:.1f} MiB in the second half")
    return failures
