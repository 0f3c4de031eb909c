"""Machine clients: the services' own (from `service_clients.yaml`, secrets from deployment
config) and outside systems registered by admins.

What a registered client may hold: `roles.CLIENT_GRANTABLE` only, read and check permissions.
Clients have no org scope (their permissions hold over the whole organisation) and no person
behind them, so a client with `auth:admin`, `staff:write`, `leave:approve`, … would be an
unscoped, unattended administrator or writer. Anything else → 422 on `permissions`. The
services' own clients are exempt: their permissions come from reference data
(`service_clients.yaml`, e.g. `auth:org-sync` for svc-staff) and cannot be changed over the
API. `GET /auth/permissions` shows the set (`client_grantable`).

Secrets are hashed with SHA-256, not argon2: a generated secret carries 256 bits of entropy,
so a slow hash adds nothing against guessing, while clients authenticate on every
introspection call. Comparison is constant-time.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.auth.models import AuditEvent, Client
from services.auth.service import roles
from services.auth.service.common import sha256_hex
from services.auth.service.roles import CLIENT_GRANTABLE
from shared.audit import Actor, record
from shared.errors import Conflict, NotFound, ValidationFailed

CLIENTS_FILE = Path(__file__).resolve().parents[3] / "data" / "reference" / "service_clients.yaml"


def authenticate(*, session: Session, client_id: str, secret: str) -> Client | None:
    """The active client whose secret matches, else None (same work either way)."""
    client = session.get(Client, client_id)
    expected = client.secret_hash if client is not None else sha256_hex("no such client")
    ok = hmac.compare_digest(expected, sha256_hex(secret))
    if client is None or not ok or client.status != "active":
        return None
    return client


def _validated(session: Session, permissions: list[str]) -> list[str]:
    unknown = roles.unknown_permissions(session=session, names=permissions)
    if unknown:
        raise ValidationFailed("Unknown permission names.",
                               errors={"permissions": [f"Unknown permission: {n}."
                                                       for n in unknown]})
    refused = sorted(set(permissions) - CLIENT_GRANTABLE)
    if refused:
        allowed = ", ".join(sorted(CLIENT_GRANTABLE))
        raise ValidationFailed(
            "A client may only be granted read and check permissions.",
            errors={"permissions": [
                f"{n} may not be granted to a client: clients have no org scope, so it would "
                f"hold over the whole organisation. Allowed: {allowed}." for n in refused]})
    return sorted(set(permissions))


def create(*, session: Session, name: str, permissions: list[str],
           actor: Actor) -> tuple[Client, str]:
    """Register a client; the secret is returned once and only its hash kept."""
    perms = _validated(session, permissions)
    client_id = "cl-" + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    client = Client(client_id=client_id, name=name, secret_hash=sha256_hex(secret),
                    permissions=perms, kind="client")
    session.add(client)
    record(session, AuditEvent, actor=actor, action="client.created", target_type="client",
           target_id=client_id, after={"name": name, "permissions": perms})
    session.commit()
    return client, secret


def get(*, session: Session, client_id: str) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound("There is no such client.")
    return client


def list_clients(*, session: Session, page: int, per_page: int) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(Client)) or 0
    rows = session.scalars(select(Client).order_by(Client.client_id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def update(*, session: Session, client_id: str, status: str | None,
           permissions: list[str] | None, actor: Actor) -> Client:
    client = get(session=session, client_id=client_id)
    before = {"status": client.status, "permissions": list(client.permissions)}
    if permissions is not None:
        if client.kind == "service":
            raise Conflict("A service client's permissions are fixed by service_clients.yaml.")
        client.permissions = _validated(session, permissions)
    if status is not None:
        client.status = status
    record(session, AuditEvent, actor=actor, action="client.updated", target_type="client",
           target_id=client_id, before=before,
           after={"status": client.status, "permissions": list(client.permissions)})
    session.commit()
    return client


def provision_service_clients(*, session: Session, credentials: dict[str, tuple[str, str]],
                              path: Path = CLIENTS_FILE) -> list[str]:
    """Create or update the services' clients; a changed secret replaces the stored hash.

    Returns the client ids that changed (audited, without secrets)."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))["service_clients"]
    changed = []
    for service, permissions in spec.items():
        if service not in credentials:
            continue
        client_id, secret = credentials[service]
        digest = sha256_hex(secret)
        perms = sorted(permissions)
        client = session.get(Client, client_id)
        if client is None:
            session.add(Client(client_id=client_id, name=f"{service} service", kind="service",
                               secret_hash=digest, permissions=perms))
            action = "client.provisioned"
        elif client.secret_hash != digest or sorted(client.permissions) != perms:
            secret_changed = client.secret_hash != digest
            client.secret_hash, client.permissions, client.kind = digest, perms, "service"
            action = "client.secret_replaced" if secret_changed else "client.updated"
        else:
            continue
        record(session, AuditEvent, actor=Actor.system("auth"), action=action,
               target_type="client", target_id=client_id, after={"permissions": perms})
        changed.append(client_id)
    session.commit()
    return changed
