"""`/auth/roles`, `/auth/permissions`, `/auth/sod-pairs`: policy data. Anyone signed in may
read them (outside systems map roles to permissions with them); edits need the admin rule."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.auth.api import common
from services.auth.models import db
from services.auth.schemas import (
    PermissionRead,
    RoleCreate,
    RoleRead,
    RoleUpdate,
    SodPairCreate,
    SodPairRead,
)
from services.auth.service import roles
from shared.web import Blueprint, PageQuery, page_of, page_payload

blp = Blueprint("roles", __name__, url_prefix="/auth", description="Roles and permissions")


def _pair(p: Any) -> dict[str, Any]:
    return {"id": p.id, "roles": [p.role_a, p.role_b]}


def _update(body: dict[str, Any], name: str) -> Any:
    common.require_admin()
    return roles.update_role(session=db.session, name=name, actor=common.actor(),
                             permissions=body.get("permissions"),
                             description=body.get("description"), changes=body)


@blp.route("/roles")
class Roles(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(RoleRead))
    def get(self, query: dict[str, int]) -> Any:
        """Every role with its description and permissions."""
        items, total = roles.list_roles(session=db.session, **query)
        return page_payload(items, total, query)

    @blp.arguments(RoleCreate)
    @blp.response(201, RoleRead)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a role (policy data)."""
        common.require_admin()
        return roles.create_role(session=db.session, actor=common.actor(), **body)


@blp.route("/roles/<name>",
           parameters=[{"in": "path", "name": "name", "example": "branch_head"}])
class RoleItem(MethodView):
    @blp.response(200, RoleRead)
    def get(self, name: str) -> Any:
        """One role."""
        return roles.get_role(session=db.session, name=name)

    @blp.arguments(RoleUpdate)
    @blp.response(200, RoleRead)
    def put(self, body: dict[str, Any], name: str) -> Any:
        """Replace a role's permissions and/or description (audited). Tokens issued from now
        on and every live check use the new permissions."""
        return _update(body, name)

    @blp.arguments(RoleUpdate)
    @blp.response(200, RoleRead)
    def patch(self, body: dict[str, Any], name: str) -> Any:
        """Same as PUT: only the fields given change."""
        return _update(body, name)

    @blp.response(204)
    def delete(self, name: str) -> None:
        """Delete a role nobody holds."""
        common.require_admin()
        roles.delete_role(session=db.session, name=name, actor=common.actor())


@blp.route("/permissions")
class Permissions(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(PermissionRead))
    def get(self, query: dict[str, int]) -> Any:
        """Every permission name and what it allows."""
        items, total = roles.list_permissions(session=db.session, **query)
        return page_payload(items, total, query)


@blp.route("/sod-pairs")
class SodPairs(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(SodPairRead))
    def get(self, query: dict[str, int]) -> Any:
        """Separation-of-duties pairs: roles one user may not hold over nesting scopes."""
        pairs = [_pair(p) for p in roles.sod_pairs(session=db.session)]
        start = (query["page"] - 1) * query["per_page"]
        return page_payload(pairs[start:start + query["per_page"]], len(pairs), query)

    @blp.arguments(SodPairCreate)
    @blp.response(201, SodPairRead)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a pair (applies to bindings created from now on)."""
        common.require_admin()
        return _pair(roles.add_sod_pair(session=db.session, roles=body["roles"],
                                        actor=common.actor()))


@blp.route("/sod-pairs/<int:pair_id>",
           parameters=[{"in": "path", "name": "pair_id", "example": 1}])
class SodPairItem(MethodView):
    @blp.response(204)
    def delete(self, pair_id: int) -> None:
        """Remove a pair."""
        common.require_admin()
        roles.delete_sod_pair(session=db.session, pair_id=pair_id, actor=common.actor())
