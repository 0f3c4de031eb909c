"""The leave service's application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from services.leave import service
from services.leave.api import blueprints
from services.leave.models import db
from shared.db import session_for, upgrade
from shared.settings import Settings
from shared.tokens import TokenVerifier
from shared.web import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, verifier: TokenVerifier | None = None) -> Flask:
    return create_service_app(
        settings or Settings("leave"), db=db, title="Leave", blueprints=blueprints,
        description="Leave on the China working calendar, routed by policy.", verifier=verifier)


def prepare(settings: Settings) -> None:
    """Migrate, then load reference data into an empty store (runs once, before workers)."""
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        service.load_reference_data(session=session)
