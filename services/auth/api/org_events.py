"""`/auth/org-events`: staff tells auth that a unit moved (client permission
auth:org-sync, or the admin rule); every cached path under the old one is rewritten."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.auth.api import common
from services.auth.models import db
from services.auth.schemas import OrgEvent, OrgEventResult
from services.auth.service import orgs
from shared.permissions import current_principal
from shared.web import Blueprint

blp = Blueprint("org_events", __name__, url_prefix="/auth/org-events",
                description="Org changes from staff")


@blp.route("")
class OrgEvents(MethodView):
    @blp.arguments(OrgEvent)
    @blp.response(200, OrgEventResult)
    def post(self, body: dict[str, Any]) -> Any:
        """`{event: "moved", code, old_path, new_path}` → re-path the cache (idempotent)."""
        principal = current_principal()
        if not (principal.kind == "client"
                and "auth:org-sync" in common.client_permissions(principal)):
            common.require_admin()
        n = orgs.moved(session=db.session, code=body["code"], old_path=body["old_path"],
                       new_path=body["new_path"], actor=common.actor(), now=common.now())
        return {"updated": n}
