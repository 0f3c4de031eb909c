"""`python -m bench` (`make bench`): measure every registered scenario, print one table
with each figure beside the bare-Flask baseline's, and save the run as JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.load import Result
from bench.machine import describe
from bench.scenarios import BASELINE, REGISTRY, Run, Scenario
from bench.servers import Environment, ServiceMissing

RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--store", choices=["sqlite", "postgres"],
                   default=env("HR_BENCH_STORE", "sqlite"))
    p.add_argument("--duration", type=float, default=float(env("HR_BENCH_DURATION", "5")),
                   help="measured seconds per row (default 5)")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per row")
    p.add_argument("--concurrency", type=int, default=int(env("HR_BENCH_CONCURRENCY", "8")))
    p.add_argument("--max-requests", type=int, default=50_000, help="cap per row")
    p.add_argument("--rounds", type=int, default=int(env("HR_BENCH_ROUNDS", "1")),
                   help="run every row this many times, interleaved, the baseline first in "
                        "each round; figures are medians, ×bare the median of the rounds' "
                        "own ratios (default 1)")
    p.add_argument("--workers", type=int, help="gunicorn workers (default: HR_WORKERS or 2)")
    p.add_argument("--threads", type=int, help="gunicorn threads (default: HR_THREADS or 4)")
    p.add_argument("--only", action="append", default=[],
                   help="run the rows whose name contains this (repeatable)")
    p.add_argument("--list", action="store_true", help="list the rows and exit")
    p.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    p.add_argument("--keep", action="store_true", help="keep the temporary data and logs")
    return p.parse_args(argv)


def select(only: list[str]) -> list[Scenario]:
    if not only:
        chosen = [s for s in REGISTRY.values() if s.default]
    else:
        chosen = [s for s in REGISTRY.values() if any(o in s.name for o in only)]
    baseline = REGISTRY[BASELINE]
    return [baseline] + [s for s in chosen if s is not baseline]


METRICS = ("rate_per_s", "p50_ms", "p95_ms", "p99_ms", "server_cpu_us")


def aggregate(rounds: list[dict[str, Any]], bases: list[dict[str, Any] | None]) -> dict[str, Any]:
    """One row's result over the rounds: the median of each figure, and `ratios` — for each
    figure, the median over rounds of (this round's figure ÷ the same round's baseline)."""
    merged = dict(rounds[-1])
    for key in (*METRICS, "client_cpu_us", "mean_ms"):
        values = [r[key] for r in rounds if r.get(key) is not None]
        merged[key] = round(statistics.median(values), 3) if values else None
    merged["requests"] = sum(r["requests"] for r in rounds)
    merged["errors"] = sum(r["errors"] for r in rounds)
    merged["rounds"] = len(rounds)
    ratios: dict[str, float | None] = {}
    for key in METRICS:
        per_round = [r[key] / b[key] for r, b in zip(rounds, bases, strict=True)
                     if b and r.get(key) is not None and b.get(key)]
        ratios[key] = round(statistics.median(per_round), 3) if per_round else None
    merged["ratios"] = ratios
    if len(rounds) > 1:
        merged["per_round"] = [{k: r.get(k) for k in (*METRICS, "requests", "errors")}
                               for r in rounds]
    return merged


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def render(rows: list[dict[str, Any]]) -> str:
    header = ["scenario", "rate/s", "×bare", "p50 ms", "×bare", "p95 ms", "×bare", "p99 ms",
              "×bare", "cpu µs", "×bare", "n", "errors"]
    table = [header]
    notes: dict[int, str] = {}
    for row in rows:
        if row["status"] != "ok":
            notes[len(table)] = f"{row['status']}: {row['reason'].splitlines()[0][:100]}"
            table.append([row["name"]] + [""] * (len(header) - 1))
            continue
        r = row["result"]
        ratios = r.get("ratios", {})
        unit = "" if r["unit"] == "req" else f" {r['unit']}"
        table.append([
            row["name"], _fmt(r["rate_per_s"], 0) + unit, _ratio(ratios.get("rate_per_s")),
            _fmt(r["p50_ms"], 3), _ratio(ratios.get("p50_ms")),
            _fmt(r["p95_ms"], 3), _ratio(ratios.get("p95_ms")),
            _fmt(r["p99_ms"], 3), _ratio(ratios.get("p99_ms")),
            _fmt(r.get("server_cpu_us"), 0), _ratio(ratios.get("server_cpu_us")),
            str(r["requests"]), str(r["errors"]),
        ])
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    out = []
    for n, line in enumerate(table):
        if n in notes:
            out.append(f"{line[0].ljust(widths[0])}  {notes[n]}")
            continue
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:],
                                                                         strict=True)]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scenarios = select(args.only)
    if args.list:
        for s in REGISTRY.values():
            print(f"{s.name}{'' if s.default else '  (only with --only)'}")
        return 0
    started = dt.datetime.now(dt.UTC)
    machine = describe(args.store)
    env = Environment(store=args.store, workers=args.workers, threads=args.threads,
                      verbose=args.keep)
    run = Run(env=env, concurrency=args.concurrency, duration=args.duration,
              max_requests=args.max_requests, warmup=args.warmup)
    measured: dict[str, list[dict[str, Any]]] = {s.name: [] for s in scenarios}
    bases: dict[str, list[dict[str, Any] | None]] = {s.name: [] for s in scenarios}
    failures: dict[str, dict[str, str]] = {}
    t0 = time.monotonic()
    try:
        for n in range(args.rounds):
            base: dict[str, Any] | None = None
            for s in scenarios:
                if s.name in failures:
                    continue
                label = f" (round {n + 1}/{args.rounds})" if args.rounds > 1 else ""
                print(f"· {s.name}{label} …", file=sys.stderr, flush=True)
                try:
                    for name in s.needs:
                        env.service(name)
                    result: Result = s.func(run)
                except ServiceMissing as exc:
                    failures[s.name] = {"status": "skipped", "reason": str(exc)}
                    continue
                except Exception as exc:
                    failures[s.name] = {"status": "error",
                                        "reason": f"{type(exc).__name__}: {exc}"}
                    print(f"  {failures[s.name]['reason']}", file=sys.stderr)
                    continue
                summary = result.summary()
                if s.name == BASELINE:
                    base = summary
                measured[s.name].append(summary)
                bases[s.name].append(base)
    finally:
        env.close()
    rows: list[dict[str, Any]] = []
    for s in scenarios:
        row: dict[str, Any] = {"name": s.name, "needs": list(s.needs)}
        if s.name in failures:
            row.update(failures[s.name])
        else:
            row.update(status="ok", result=aggregate(measured[s.name], bases[s.name]))
        rows.append(row)
    workers = args.workers or os.environ.get("HR_WORKERS", "2")
    threads = args.threads or os.environ.get("HR_THREADS", "4")
    print()
    print(f"store={args.store} gunicorn gthread workers={workers} threads={threads} "
          f"client concurrency={args.concurrency} duration={args.duration:g}s/row "
          f"rounds={args.rounds} cpus={os.cpu_count()}")
    print(render(rows))
    report = {
        "started_at": started.isoformat(), "elapsed_s": round(time.monotonic() - t0, 1),
        "store": args.store,
        "settings": {"workers": int(workers), "threads": int(threads),
                     "worker_class": "gthread", "concurrency": args.concurrency,
                     "duration_s": args.duration, "warmup_s": args.warmup,
                     "max_requests": args.max_requests, "rounds": args.rounds},
        "host": dict(machine, load_average_at_end=list(os.getloadavg())),
        "baseline": BASELINE, "rows": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", machine["hostname"]) or "host"
    path = args.out / f"{started.strftime('%Y%m%dT%H%M%SZ')}-{host}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nsaved {path}  (chart: python -m bench.chart {path})")
    failed = [r for r in rows if r["status"] == "error"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
