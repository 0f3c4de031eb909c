"""`/auth/check` and `/auth/check/batch`: live permission decisions (see
`service.checks` for the codes and the unknown-org rule: 422 on `org`)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.auth.api import common
from services.auth.models import db
from services.auth.schemas import BatchCheckRequest, BatchCheckResult, CheckRequest, CheckResult
from services.auth.service import checks, tokens
from shared.errors import Forbidden, Unauthorized, ValidationFailed
from shared.permissions import current_principal
from shared.tokens import Principal
from shared.web import Blueprint

blp = Blueprint("checks", __name__, url_prefix="/auth/check", description="Permission checks")


def _subject(subject_token: str | None) -> Principal:
    """Whom the question is about: the bearer, or (for a client holding auth:check) the
    holder of `subject_token`."""
    caller = current_principal()
    if subject_token is None:
        return caller
    if caller.kind != "client" or "auth:check" not in common.client_permissions(caller):
        raise Forbidden("Only a client holding auth:check may ask about another token.")
    try:
        claims = tokens.verify(session=db.session, settings=common.settings(),
                               token=subject_token)
    except Unauthorized as exc:
        raise ValidationFailed("The subject token is not valid.",
                               errors={"subject_token": [exc.detail]}) from exc
    return Principal.from_claims(claims, subject_token)


def _run(subject: Principal, items: list[tuple[str, str]], batch: bool) -> list[dict[str, Any]]:
    if subject.kind == "client":
        return checks.check_client(session=db.session, items=items, batch=batch,
                                   permissions=common.client_permissions(subject))
    return checks.check_user(session=db.session, settings=common.settings(),
                             user_id=common.user_id_of(subject), items=items,
                             now=common.now(), lookup=common.staff_lookup(), batch=batch)


@blp.route("")
class Check(MethodView):
    @blp.arguments(CheckRequest)
    @blp.response(200, CheckResult)
    def post(self, body: dict[str, Any]) -> Any:
        """May the bearer (or the subject token's holder) use `permission` on unit `org`?
        Live: binding changes and disabled users show at once. Unknown permission or unit
        → 422."""
        subject = _subject(body.get("subject_token"))
        return _run(subject, [(body["permission"], body["org"])], batch=False)[0]


@blp.route("/batch")
class BatchCheck(MethodView):
    @blp.arguments(BatchCheckRequest)
    @blp.response(200, BatchCheckResult)
    def post(self, body: dict[str, Any]) -> Any:
        """Up to 100 checks about one subject in one call, answered in order."""
        subject = _subject(body.get("subject_token"))
        items = [(c["permission"], c["org"]) for c in body["checks"]]
        return {"results": _run(subject, items, batch=True)}
