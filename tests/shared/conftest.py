"""Helpers for the shared-package tests."""

from __future__ import annotations

from typing import Any

from shared.permissions import authenticate_request
from shared.settings import TestSettings
from shared.web import build_app


def client_for(blueprints: list[Any], verifier: Any, tmp_path: Any) -> Any:
    """A test client of a bare service app (as `leave`) serving only `blueprints`, with the
    token gate on and `verifier` trusted."""
    settings = TestSettings("leave", {"HR_DATA_DIR": str(tmp_path)})
    app, _ = build_app(settings, title="t", description="t", blueprints=blueprints,
                       authenticate=authenticate_request)
    app.extensions["hr_verifier"] = verifier
    return app.test_client()
