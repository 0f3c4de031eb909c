"""Prometheus metrics from a real gunicorn with several workers: a scrape reaches one worker
but reports what all of them answered; the gateway never serves them to the outside."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import require
from tests.e2e.harness import Stack

pytestmark = pytest.mark.e2e


def health_answers(base: str) -> float:
    text = requests.get(f"{base}/staff/metrics", timeout=10).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (sample.name == "hr_http_requests_total"
                    and sample.labels.get("route") == "/staff/health"
                    and sample.labels.get("status") == "200"):
                total += sample.value
    return total


def test_a_scrape_adds_up_every_workers_answers(tmp_path, pg_server):
    require("staff")
    metrics_dir = tmp_path / "metrics"  # an operator's directory, not there yet: created
    env = {"HR_WORKERS": "3", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with Stack(tmp_path / "stack", ["staff"], pg=pg_server, extra_env=env) as stack:
        base = stack.base_url("staff")
        before = health_answers(base)
        sent = 0

        def hit(_: int) -> int:
            return requests.get(f"{base}/staff/health", timeout=10).status_code

        # Parallel, a new connection each: until at least two workers have answered
        # (each worker writes its own counter file).
        with ThreadPoolExecutor(8) as pool:
            while sent < 600 and len(list(metrics_dir.glob("counter_*.db"))) < 2:
                assert set(pool.map(hit, range(30))) == {200}
                sent += 30
        assert len(list(metrics_dir.glob("counter_*.db"))) >= 2
        # Every scrape, whichever worker takes it, sees every answer.
        for _ in range(6):
            assert health_answers(base) - before == sent
