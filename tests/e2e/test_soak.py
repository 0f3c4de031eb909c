"""A short soak in every `make test`: the same traffic and the same after-checks as
`make soak` (bench/soak.py), at a size that fits the suite — so the soak cannot rot, and
concurrent mixed traffic across the four services is proven to lose nothing."""

from __future__ import annotations

import pytest

from bench.soak import soak
from tests.e2e.conftest import require

pytestmark = pytest.mark.e2e


def test_mixed_traffic_loses_no_write_and_every_balance_reconciles(stack):
    require("auth", "staff", "leave", "performance")
    report = soak(stack, clients=16, duration=10, employees_per_unit=4, prefix="SQ",
                  watch_memory=False)
    assert report["failures"] == [], report
    done = report["acknowledged"]
    # The traffic really wrote: requests filed and decided, incidents recorded.
    assert done["leave_requests"] > 0 and done["leave_transitions"] > done["leave_requests"]
    assert done["incidents"] > 0
    assert set(report["statuses"]) <= {"200", "201", "403", "404", "409", "422"}
    print(report)  # shown with -s: what the short soak did
