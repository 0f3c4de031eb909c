"""The auth service's application factory and its start-up preparation."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from services.auth.api import PUBLIC_ENDPOINTS, blueprints, check_direct
from services.auth.api.common import authenticate
from services.auth.api.oauth_schemas import TokenParam, TokenRequest
from services.auth.api.wellknown import metadata_blueprint
from services.auth.models import db
from services.auth.service import orgs, tokens
from services.auth.service.ratelimit import FailureLimiter
from services.auth.service.setup import first_start
from services.auth.service.staff_directory import HttpStaffDirectory
from shared.audit import utcnow
from shared.db import engine_of, init_db, ping, session_for, upgrade
from shared.direct import DirectLanes, install
from shared.http import ServiceClient
from shared.settings import Settings
from shared.tokens import TokenVerifier
from shared.web import build_app

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("hr.auth")


class SelfToken:
    """Auth's own client token for calling staff, minted locally (auth is the issuer) and
    reused until shortly before it expires. Called inside a request (needs `db.session`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._token: str | None = None
        self._until = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        self._token = None

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._until:
                self._token, ttl = tokens.self_token(session=db.session, settings=self.settings,
                                                     now=utcnow())
                self._until = time.monotonic() + max(0, ttl - 30)
            return self._token


def create_app(settings: Settings | None = None, *, verifier: TokenVerifier | None = None,
               staff_lookup: orgs.StaffLookup | None = None,
               clock: Callable[[], dt.datetime] | None = None) -> Flask:
    """Build the app. `verifier` exists for the shared factory signature only: auth always
    verifies bearer tokens with its own keys from its database (trusting any other key would
    let tokens auth never issued administer auth). `staff_lookup` and `clock` are for tests:
    `staff_lookup` is the staff directory (`service.staff_directory.StaffDirectory`: a unit's
    path and type, an employee's existence)."""
    del verifier
    settings = settings or Settings("auth")
    settings.check()
    app, api = build_app(
        settings, title="Auth", blueprints=[*blueprints, metadata_blueprint(settings.issuer)],
        description="Users, org-scoped roles, RS256 access tokens, refresh rotation, "
                    "client credentials and permission checks.",
        authenticate=authenticate, public_endpoints=PUBLIC_ENDPOINTS,
        health_check=lambda: ping(db),
    )
    api.spec.components.schema("TokenRequest", schema=TokenRequest)
    api.spec.components.schema("TokenParam", schema=TokenParam)
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    init_db(app, db, settings.database_url)
    app.extensions["auth_clock"] = clock or utcnow
    app.extensions["auth_limiter"] = FailureLimiter()
    if staff_lookup is None:
        staff_lookup = HttpStaffDirectory(ServiceClient(
            settings.urls["staff"], name="staff", token=SelfToken(settings),
            timeout=settings.http_timeout, retries=1))
    app.extensions["auth_staff_lookup"] = staff_lookup
    direct = install(app, lambda inner: DirectLanes(
        inner, service=settings.service, routes=check_direct.routes(app, engine_of(app, db))))
    app.extensions["auth_check_direct"] = direct
    return app


def prepare(settings: Settings) -> None:
    """Migrate, then first-start data: keys, roles, service clients, demo users, the
    bootstrap admin (runs once, before the workers fork)."""
    upgrade(MIGRATIONS, settings.database_url)
    with session_for(settings.database_url) as session:
        generated = first_start(session=session, settings=settings, now=utcnow())
    if generated:
        path = Path(settings.data_dir) / "admin-credentials"
        print(f"auth: created user 'admin' with password {generated} "
              f"(also written to {path}); shown once", file=sys.stderr, flush=True)
