"""The performance service's application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import text

from services.performance import service
from services.performance.api import blueprints
from services.performance.models import db
from shared.db import init_db, session_for, upgrade
from shared.permissions import authenticate_request
from shared.settings import Settings
from shared.tokens import JWKSKeySource, TokenVerifier
from shared.web import build_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, verifier: TokenVerifier | None = None) -> Flask:
    settings = settings or Settings("performance")
    settings.check()
    app, _api = build_app(
        settings, title="Performance", blueprints=blueprints,
        description="Rulebooks, demerit incidents, scorecards and bonus deductions.",
        authenticate=authenticate_request, health_check=lambda: _ping(),
    )
    init_db(app, db, settings.database_url)
    app.extensions["hr_verifier"] = verifier or TokenVerifier(
        issuer=settings.issuer, leeway=settings.token_leeway,
        keys=JWKSKeySource(settings.jwks_url, timeout=settings.http_timeout))
    return app


def _ping() -> None:
    db.session.execute(text("SELECT 1"))


def prepare(settings: Settings) -> None:
    """Migrate, then load the rulebooks into an empty store (runs once, before workers)."""
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        service.load_reference_data(session=session)
