"""The e2e fixture: one stack of real services per test session (started once, it is slow).

Services whose code is not in the checkout yet (no `app.py` and `wsgi.py`) are left out of the
stack, and the tests that need them skip with a reason naming them — except under `CI=true`,
where a missing service fails them, so the suite cannot ship with one missing. Once a service
exists it is started and every test runs against it.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e.harness import Stack, written_services


def require(*services: str) -> None:
    """Skip the calling test while one of `services` is not written yet."""
    missing = [s for s in services if s not in written_services()]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"service(s) missing under CI: {', '.join(missing)}")
        pytest.skip(f"not written yet: {', '.join(missing)}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory, pg_server):
    """auth, staff, leave, performance (those that exist) on free ports, `HR_DEMO=0`."""
    services = written_services()
    if not services:
        pytest.skip("no service is written yet")
    # Calls between services may wait 20 s, not production's 3: on the CI machine two test
    # workers share two cores, and the soak's 16 clients meet one-worker services. How a
    # service meets a hung neighbour is tested in tests/faults, with its own timeouts.
    with Stack(tmp_path_factory.mktemp("e2e"), services, demo=False, pg=pg_server,
               extra_env={"HR_HTTP_TIMEOUT": "20"}) as running:
        yield running
