"""Leave fixtures: the app on a fresh store with a fake directory and a fixed 'today', and
tokens for the people of `tests/leave/fakes.py`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.leave import app as app_module
from services.leave import models, service
from tests.conftest import bearer, service_app
from tests.leave.fakes import FakeDirectory, path

#: Tests file leave in 2025 (a year whose official schedule the library knows).
TODAY = dt.date(2025, 8, 1)

#: Who holds which role (role, unit) — as their tokens carry them.
BINDINGS: dict[str, list[tuple[str, str]]] = {
    "H1": [("branch_head", "SB01")], "H2": [("branch_head", "SB02")],
    "OH": [("branch_head", "OT01")], "HR1": [("hr", "BR01")], "HR2": [("hr", "BR02")],
    "K1M": [("dept_manager", "SB01_D1")],
}


class Clock:
    def __init__(self) -> None:
        self.today = TODAY

    def __call__(self) -> dt.date:
        return self.today


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def posted() -> list[tuple[str, bytes, dict[str, str]]]:
    return []


@pytest.fixture
def app(databases, verifier, tmp_path, directory, clock, posted):
    def poster(url: str, body: bytes, headers: dict[str, str]) -> int:
        posted.append((url, body, headers))
        return 200

    class Module:
        MIGRATIONS = app_module.MIGRATIONS

        @staticmethod
        def create_app(settings, verifier):
            return app_module.create_app(settings, verifier=verifier, directory=directory,
                                         clock=clock, poster=poster)

    yield from service_app(databases, name="leave", app_module=Module, models=models,
                           verifier=verifier, tmp_path=tmp_path,
                           load=service.load_reference_data)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def who(tokens):
    """`who("E1")` → headers for employee E1 with the roles BINDINGS gives them;
    `who("X", roles=[("admin", "*")])` for anyone else."""
    def headers(emp: str | None, roles: list[tuple[str, str]] | None = None,
                sub: str | None = None) -> dict[str, str]:
        held = BINDINGS.get(emp or "", []) if roles is None else roles
        grants = [(role, org, "*" if org == "*" else path(org)) for role, org in held]
        return bearer(tokens.user(sub=sub or f"user-{emp}", emp=emp, roles=grants))
    return headers


def file(client: Any, headers: dict[str, str], **body: Any) -> Any:
    """POST /leave/requests with sensible defaults (annual leave, a reason)."""
    payload = {"type": "annual", "reason": "family matters", **body}
    for key in ("start_date", "end_date"):
        if isinstance(payload.get(key), dt.date):
            payload[key] = payload[key].isoformat()
    return client.post("/leave/requests", headers=headers, json=payload)


def decide(client: Any, headers: dict[str, str], request_id: int, decision: str = "approve",
           **extra: Any) -> Any:
    return client.post(f"/leave/requests/{request_id}/decision", headers=headers,
                       json={"decision": decision, **extra})
