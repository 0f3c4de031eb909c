"""`make soak`: many concurrent clients of mixed traffic against all four services, then
proof that nothing was lost.

    .venv/bin/python -m bench.soak [--clients 200] [--duration 120] [--store postgres]

Starts auth, staff, leave and performance with gunicorn (the compose settings: 2 workers ×
4 threads each) on a throwaway PostgreSQL, builds an organisation through the public APIs
(`bench/soak_world.py`), then lets `--clients` threads act as its people for `--duration`
seconds — logins, `/auth/check`, reads of requests, balances, scorecards and staff records,
leave filed, withdrawn and decided, incidents recorded and confirmed. It stops by itself and
passes only if:

- no answer was a 5xx and no request failed at the transport (refused, reset, timed out);
- every acknowledged write is found afterwards: each request in the state its last
  acknowledged transition left it, each incident recorded or confirmed as acknowledged;
- every touched balance reconciles with its ledger (entitled, used, pending = the sums of
  the ledger's entries) and with the requests (used = approved days, pending = pending days);
- each service's resident memory (its whole gunicorn process group) is flat between the end
  of the first and of the second half of the run (≤ 10 % growth plus 8 MiB of slack).

A summary is printed and saved to `bench/results/soak-<UTC timestamp>.json`; exit 1 on any
failure. `tests/e2e/test_soak.py` runs a short soak with the same checks in `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.soak_checks import check_memory, check_writes, rss_by_service
from bench.soak_traffic import Traffic
from bench.soak_world import build

RESULTS = Path(__file__).resolve().parent / "results"


def soak(stack: Any, *, clients: int, duration: float, employees_per_unit: int = 30,
         prefix: str = "SK", watch_memory: bool = True) -> dict[str, Any]:
    """Build the world on a running stack, drive it, verify; returns the report."""
    built = time.monotonic()
    world = build(stack, prefix=prefix, employees_per_unit=employees_per_unit)
    setup_s = time.monotonic() - built
    traffic = Traffic(stack, world, clients=clients)
    memory: dict[str, list[int]] = {}

    def sample() -> None:
        for name, rss in rss_by_service(stack).items():
            memory.setdefault(name, []).append(rss)

    traffic.run(duration, halfway=sample if watch_memory else None)
    if watch_memory:
        sample()
    failures = [*traffic.transport_failures(), *check_writes(stack, traffic.ledger)]
    if watch_memory:
        failures += check_memory(memory)
    return {
        "clients": clients, "duration_s": duration, "setup_s": round(setup_s, 1),
        "people": len(world.personas), "requests": traffic.total(),
        "rate_per_s": round(traffic.total() / duration, 1),
        "by_action": traffic.by_action(), "statuses": traffic.statuses(),
        "acknowledged": traffic.ledger.counts(), "rss_mib": {
            name: [round(v / 2**20, 1) for v in values] for name, values in memory.items()},
        "failures": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--employees-per-unit", type=int, default=30)
    args = parser.parse_args(argv)

    from shared.testing import PostgresServer
    from tests.e2e.harness import Stack

    pg = PostgresServer().start() if args.store == "postgres" else None
    try:
        with tempfile.TemporaryDirectory(prefix="hr-soak-") as workdir, Stack(
                Path(workdir), pg=pg, extra_env={"HR_WORKERS": "2", "HR_THREADS": "4",
                                                 "HR_LOG_LEVEL": "WARNING"}) as stack:
            print(f"soak: {args.clients} clients × {args.duration:.0f} s on {args.store}",
                  file=sys.stderr)
            report = soak(stack, clients=args.clients, duration=args.duration,
                          employees_per_unit=args.employees_per_unit)
    finally:
        if pg is not None:
            pg.stop()
    report["store"] = args.store
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"soak-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "failures"}, indent=2))
    for failure in report["failures"]:
        print(f"FAIL {failure}")
    print("soak: " + ("passed" if not report["failures"] else
                      f"{len(report['failures'])} failure(s)"))
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
