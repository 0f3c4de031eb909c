"""The performance service's application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from services.performance import service
from services.performance.api import blueprints
from services.performance.models import db
from shared.db import session_for, upgrade
from shared.settings import Settings
from shared.tokens import TokenVerifier
from shared.web import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, verifier: TokenVerifier | None = None) -> Flask:
    return create_service_app(
        settings or Settings("performance"), db=db, title="Performance", blueprints=blueprints,
        description="Rulebooks, demerit incidents, scorecards and bonus deductions.",
        verifier=verifier)


def prepare(settings: Settings) -> None:
    """Migrate, then load the rulebooks into an empty store (runs once, before workers)."""
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        service.load_reference_data(session=session)
