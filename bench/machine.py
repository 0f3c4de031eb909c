"""What a bench run needs to say about where it ran, and how often the replay lanes hit.

A figure without its machine is not comparable: results record the CPU model, cores,
memory, kernel, Python, PostgreSQL and the load average before and after the run. Hit
rates come from the services' own Prometheus counters (`hr_replay_lookups_total`,
`shared/metrics.py`), read before and after each row, so a row's figure is shown beside
the share of its answers that were replays rather than computed."""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
from typing import Any

import requests


def describe(store: str) -> dict[str, Any]:
    return {
        "hostname": socket.gethostname(),
        "cpu_model": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "postgresql": _postgres_version() if store == "postgres" else None,
        "load_average_at_start": list(os.getloadavg()),
    }


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _postgres_version() -> str | None:
    from shared.testing import _pg_bindir

    bindir = _pg_bindir()
    if bindir is None:
        return None
    try:
        out = subprocess.run([str(bindir / "pg_ctl"), "--version"], capture_output=True,
                             text=True, timeout=10).stdout
    except OSError:
        return None
    found = re.search(r"(\d+(?:\.\d+)*)", out)
    return found.group(1) if found else out.strip() or None


_SAMPLE = re.compile(r'^hr_replay_lookups_total\{lane="([^"]+)",result="(hit|miss)"\} (\S+)$',
                     re.MULTILINE)


def replay_counts(base_urls: dict[str, str]) -> dict[str, dict[str, float]]:
    """Per running server: {"hit": n, "miss": n} over its lanes (servers that do not answer
    are left out)."""
    out = {}
    for name, (prefix, base) in base_urls.items():
        try:
            text = requests.get(f"{base}/{prefix}/metrics", timeout=5).text
        except requests.RequestException:
            continue
        counts = {"hit": 0.0, "miss": 0.0}
        for _lane, result, value in _SAMPLE.findall(text):
            counts[result] += float(value)
        out[name] = counts
    return out


def hit_rate(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]
             ) -> dict[str, Any] | None:
    """The row's replay lookups and the share that hit, or None when no lane was asked. A
    server started during the row counts from zero."""
    hits = lookups = 0.0
    for name, now in after.items():
        then = before.get(name, {"hit": 0.0, "miss": 0.0})
        row_hits = now["hit"] - then["hit"]
        hits += row_hits
        lookups += row_hits + now["miss"] - then["miss"]
    if lookups <= 0:
        return None
    return {"lookups": int(lookups), "hits": int(hits), "hit_rate": round(hits / lookups, 4)}
