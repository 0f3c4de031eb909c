"""First-start work run by `prepare()` before the workers fork: signing keys, reference
roles, the services' clients, the bootstrap admin and (unless HR_DEMO=0) the demo users."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from services.auth.service import clients, keys, roles, users
from shared.settings import Settings, service_client_credentials

log = logging.getLogger("hr.auth")


def first_start(*, session: Session, settings: Settings, now: dt.datetime,
                credentials: dict[str, tuple[str, str]] | None = None) -> str | None:
    """Idempotent; returns a generated admin password (to print once) or None."""
    keys.ensure_active_key(session=session, settings=settings)
    roles.load_reference_roles(session=session)
    clients.provision_service_clients(
        session=session,
        credentials=service_client_credentials() if credentials is None else credentials)
    if settings.demo:
        from services.auth.demo import load_demo

        load_demo(session=session, settings=settings, now=now)
    return users.bootstrap_admin(session=session, settings=settings, now=now)
