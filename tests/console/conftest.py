"""Browser fixtures: the four services with the demo organisation (real gunicorns on free
ports, the store under test), the console's server in front of them, and Debian's chromium
driven by the `playwright` package (`executable_path`; no browser is ever downloaded).

Without chromium or playwright the browser tests skip — except under `CI=true`, where they
fail: `.ci/run` installs chromium and `make install` installs playwright, so a CI run
without them is broken, not excused."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from console.server import serve
from shared.settings import SERVICES
from shared.testing import ROOT, free_port
from tests.console.browser import PHONE, Session
from tests.e2e.harness import Stack, written_services

ARTIFACTS = ROOT / "var" / "test-artifacts" / "console"
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium")


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing under CI (.ci/run installs chromium; "
                    "pip installs playwright from the dev extras)")
    pytest.skip(f"{what} is not installed")


def chromium_binary() -> str:
    found = os.environ.get("HR_CHROMIUM") or shutil.which("chromium") or next(
        (p for p in CHROMIUM_PATHS if os.access(p, os.X_OK)), None)
    if not found:
        _missing("chromium (apt-get install chromium)")
    return str(found)


@pytest.fixture(scope="module")
def chromium():
    """A headless chromium for one test module (about a second to start): it and playwright's
    event loop are gone before the rest of the suite runs."""
    binary = chromium_binary()
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _missing("the playwright package")
    # expect() keeps its own 5 s default, apart from the page's (browser.py sets 30 s there);
    # a loaded CI machine needs the same margin for the assertions.
    expect.set_options(timeout=30_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=binary, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def console_stack(tmp_path_factory, pg_server) -> Iterator[tuple[Stack, str]]:
    """(the stack, the console's URL): demo data, so the people of the README's tour exist."""
    missing = [s for s in SERVICES if s not in written_services()]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"service(s) missing under CI: {', '.join(missing)}")
        pytest.skip(f"not written yet: {', '.join(missing)}")
    with Stack(tmp_path_factory.mktemp("console"), SERVICES, demo=True, pg=pg_server) as stack:
        env = {f"HR_{name.upper()}_URL": stack.base_url(name) for name in SERVICES}
        os.environ.setdefault("HR_CONSOLE_QUIET", "1")
        server = serve("127.0.0.1", free_port(), env)
        try:
            yield stack, f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the screenshots go, per store and per xdist worker (kept after the run; var/ is
    not in git): each worker clears only its own directory, never another's screenshots."""
    store = os.environ.get("HR_TEST_STORE", "sqlite")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = ARTIFACTS / store / worker
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.png"):
        old.unlink(missing_ok=True)
    return path


@pytest.fixture
def user(chromium, console_stack, artifacts):
    """`with user("1-tangmin") as session:` — a fresh browser context (no shared storage);
    on leaving it, any script error, CSP violation or failed request not expected by the
    test fails it."""
    _stack, base = console_stack
    opened: list[Session] = []

    @contextmanager
    def open_as(who: str, viewport=PHONE) -> Iterator[Session]:
        session = Session(chromium, base, artifacts, who, viewport)
        opened.append(session)
        try:
            yield session
        finally:
            session.close()
        unexpected = [p for p in session.problems
                      if not any(e in p for e in session.expected)]
        assert unexpected == [], unexpected

    yield open_as
