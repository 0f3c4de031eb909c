"""What a bench run needs to say about where it ran.

A figure without its machine is not comparable: results record the CPU model, cores,
memory, kernel, Python, PostgreSQL and the load average before and after the run."""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
from typing import Any


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
