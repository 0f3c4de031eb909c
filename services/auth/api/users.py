"""`/auth/users`: user administration (admin rule: `auth:admin` over "*", see `common`)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.auth.api import common
from services.auth.models import db
from services.auth.schemas import (
    BindingCreate,
    BindingRead,
    LogoutResult,
    UserCreate,
    UserDetail,
    UserPatch,
    UserQuery,
    UserRead,
)
from services.auth.service import bindings, users
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("users", __name__, url_prefix="/auth/users", description="Users and bindings")


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserQuery, location="query")
    @blp.response(200, page_of(UserRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Users, filtered by status, username substring, employee number or role."""
        common.require_admin()
        items, total = users.list_users(session=db.session, **query)
        return page_payload(items, total, query)

    @blp.arguments(UserCreate)
    @blp.response(201, UserDetail)
    @blp.alt_response(503, description="An employee number was given and staff cannot be "
                      "asked whether it exists; nothing was written.")
    def post(self, body: dict[str, Any]) -> Any:
        """Create a user (password policy: 10+ characters, not the username, not common).
        A linked `employee_no` must be an employee staff knows who has not left (422)."""
        common.require_admin()
        user = users.create(session=db.session, settings=common.settings(),
                            actor=common.actor(), now=common.now(),
                            employee_no=body.get("employee_no"), username=body["username"],
                            password=body["password"], display_name=body["display_name"],
                            staff=common.staff_lookup())
        return users.detail(session=db.session, user_id=user.id)


@blp.route("/<int:user_id>")
class UserItem(MethodView):
    @blp.response(200, UserDetail)
    def get(self, user_id: int) -> Any:
        """The user and their bindings (never a password or its hash)."""
        common.require_admin()
        return users.detail(session=db.session, user_id=user_id)

    @blp.arguments(UserPatch)
    @blp.response(200, UserDetail)
    @blp.alt_response(503, description="A new employee number was given and staff cannot be "
                      "asked whether it exists; nothing was changed.")
    def patch(self, body: dict[str, Any], user_id: int) -> Any:
        """Change status (disabling revokes every refresh token at once), name, employee
        number or password."""
        common.require_admin()
        users.update(session=db.session, settings=common.settings(), user_id=user_id,
                     changes=body, actor=common.actor(), now=common.now(),
                     staff=common.staff_lookup())
        return users.detail(session=db.session, user_id=user_id)


@blp.route("/<int:user_id>/roles")
class UserBindings(MethodView):
    @blp.arguments(BindingCreate)
    @blp.response(201, BindingRead)
    @blp.alt_response(409, description="A duplicate of a binding held, a separation-of-duties "
                      "conflict, or a qualification the role needs is withdrawn.")
    @blp.alt_response(422, description="An unknown role or unit, or a unit of a type the "
                      "role may not be bound over.")
    @blp.alt_response(503, description="The unit is not cached and staff is down.")
    def post(self, body: dict[str, Any], user_id: int) -> Any:
        """Bind a role over a unit's subtree (or "*"), optionally for inclusive dates."""
        common.require_admin()
        view = bindings.add(session=db.session, settings=common.settings(), user_id=user_id,
                            role=body["role"], org=body["org"],
                            valid_from=body.get("valid_from"), valid_to=body.get("valid_to"),
                            actor=common.actor(), now=common.now(),
                            lookup=common.staff_lookup())
        return bindings.as_dict(view)


@blp.route("/<int:user_id>/roles/<int:binding_id>",
           parameters=[{"in": "path", "name": "user_id", "example": 12},
                       {"in": "path", "name": "binding_id", "example": 31}])
class UserBinding(MethodView):
    @blp.response(204)
    def delete(self, user_id: int, binding_id: int) -> None:
        """Remove a binding; checks and new tokens stop carrying it at once."""
        common.require_admin()
        bindings.remove(session=db.session, user_id=user_id, binding_id=binding_id,
                        actor=common.actor(), now=common.now())


@blp.route("/<int:user_id>/unlock")
class Unlock(MethodView):
    @blp.response(200, UserDetail)
    def post(self, user_id: int) -> Any:
        """Lift a lockout and restart the failure count."""
        common.require_admin()
        users.unlock(session=db.session, user_id=user_id, actor=common.actor(),
                     now=common.now())
        return users.detail(session=db.session, user_id=user_id)


@blp.route("/<int:user_id>/logout-all")
class LogoutUser(MethodView):
    @blp.response(200, LogoutResult)
    def post(self, user_id: int) -> Any:
        """End every sign-in of a user: refresh tokens die, access tokens turn inactive."""
        common.require_admin()
        n = users.logout_all(session=db.session, user_id=user_id, actor=common.actor(),
                             now=common.now())
        return {"revoked_families": n}
