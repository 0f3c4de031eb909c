"""`/auth/clients`: machine clients (admin rule). The secret is shown once, at creation."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.auth.api import common
from services.auth.models import db
from services.auth.schemas import ClientCreate, ClientCreated, ClientPatch, ClientRead
from services.auth.service import clients
from shared.web import Blueprint, PageQuery, page_of, page_payload

blp = Blueprint("clients", __name__, url_prefix="/auth/clients", description="Machine clients")


def _read(c: Any) -> dict[str, Any]:
    return {"client_id": c.client_id, "name": c.name, "permissions": list(c.permissions),
            "kind": c.kind, "status": c.status}


@blp.route("")
class Clients(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(ClientRead))
    def get(self, query: dict[str, int]) -> Any:
        """Registered clients (never their secrets)."""
        common.require_admin()
        items, total = clients.list_clients(session=db.session, **query)
        return page_payload([_read(c) for c in items], total, query)

    @blp.arguments(ClientCreate)
    @blp.response(201, ClientCreated)
    def post(self, body: dict[str, Any]) -> Any:
        """Register a client: `{client_id, client_secret}`; only the secret's hash is kept."""
        common.require_admin()
        client, secret = clients.create(session=db.session, name=body["name"],
                                        permissions=body["permissions"], actor=common.actor())
        return {**_read(client), "client_secret": secret}


@blp.route("/<client_id>")
class ClientItem(MethodView):
    @blp.response(200, ClientRead)
    def get(self, client_id: str) -> Any:
        """One client."""
        common.require_admin()
        return _read(clients.get(session=db.session, client_id=client_id))

    @blp.arguments(ClientPatch)
    @blp.response(200, ClientRead)
    def patch(self, body: dict[str, Any], client_id: str) -> Any:
        """Disable/enable a client or change an outside client's permissions."""
        common.require_admin()
        return _read(clients.update(session=db.session, client_id=client_id,
                                    status=body.get("status"),
                                    permissions=body.get("permissions"), actor=common.actor()))
