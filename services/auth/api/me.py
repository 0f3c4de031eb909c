"""`/auth/me` and `/auth/logout-all`: the caller's own account."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.auth.api import common
from services.auth.models import db
from services.auth.schemas import LogoutResult, UserDetail
from services.auth.service import users
from shared.errors import Unauthorized
from shared.permissions import current_principal
from shared.web import Blueprint

blp = Blueprint("me", __name__, url_prefix="/auth", description="The caller's own account")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserDetail)
    def get(self) -> Any:
        """The signed-in user and all their bindings (past and future ones too)."""
        user_id = common.user_id_of(current_principal())
        detail = users.detail(session=db.session, user_id=user_id)
        if detail["status"] != "active":
            raise Unauthorized("The user is disabled.")
        return detail


@blp.route("/logout-all")
class LogoutEverywhere(MethodView):
    @blp.response(200, LogoutResult)
    def post(self) -> Any:
        """End every sign-in of the caller (all devices)."""
        user_id = common.user_id_of(current_principal())
        n = users.logout_all(session=db.session, user_id=user_id, actor=common.actor(),
                             now=common.now())
        return {"revoked_families": n}
