"""`/auth/check` and `/auth/check/batch`: live permission decisions (see
`service.checks` for the codes and the unknown-org rule: 422 on `org` for a caller who may
see the whole organisation, else the answer an out-of-scope unit gets).

Both are the platform's hottest routes, so a body of the plain valid shape (a JSON object
with string fields of allowed lengths and nothing else, sent as `application/json`) is read
by hand and the answer written straight to JSON: exactly what the schemas would load and
dump, without webargs' and marshmallow's per-request work. Anything else — a missing, extra,
mistyped, too long or control-character field, a body that is not a UTF-8 JSON object —
takes the documented flask-smorest path, so every error is the same as ever
(`tests/auth/test_check_fast_path.py` holds the two paths to identical answers).
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from flask.views import MethodView

from services.auth.api import common
from services.auth.models import db
from services.auth.schemas import BatchCheckRequest, BatchCheckResult, CheckRequest, CheckResult
from services.auth.service import checks, tokens
from shared.errors import Forbidden, Unauthorized, ValidationFailed
from shared.permissions import current_principal
from shared.tokens import Principal
from shared.web import FORBIDDEN_CHARS, Blueprint

blp = Blueprint("checks", __name__, url_prefix="/auth/check", description="Permission checks")

#: Off only in tests that compare the fast path with the schema path.
FAST_PATH = True


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
    """The answers.

    Asking about another token takes a client holding auth:check, and a client has no org
    scope: it keeps the precise answer (422) for an unknown unit. A user asking about
    themselves gets it only with a binding over the whole organisation (`service.checks`)."""
    if subject.kind == "client":
        return checks.check_client(session=db.session, items=items, batch=batch,
                                   permissions=common.client_permissions(subject))
    asks_for_another = subject is not current_principal()
    return checks.check_user(session=db.session, settings=common.settings(),
                             user_id=common.user_id_of(subject), items=items,
                             now=common.now(), lookup=common.staff_lookup(), batch=batch,
                             caller_sees_all=True if asks_for_another else None)


# --- the fast path's reading of a body: exactly the schemas' rules, or None ----------------

def _text(value: Any, longest: int) -> bool:
    """A string the schemas accept (`Length(1, longest)`) and the strict parser lets through
    (no control, surrogate or bidi-override character)."""
    return (type(value) is str and 0 < len(value) <= longest
            and FORBIDDEN_CHARS.search(value) is None)


def _plain_json() -> Any:
    """The request's JSON as the strict parser would decode it, or None when it would not
    simply decode (not `application/json`, empty, not UTF-8, not JSON)."""
    if request.mimetype != "application/json":
        return None
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError too
        return None


CHECK_FIELDS = frozenset({"permission", "org", "subject_token"})
ITEM_FIELDS = frozenset({"permission", "org"})
BATCH_FIELDS = frozenset({"checks", "subject_token"})
NAME_MAX, ORG_MAX, BATCH_MAX = 100, 40, 100


def plain_item(data: Any, fields: frozenset[str]) -> bool:
    return (type(data) is dict and data.keys() <= fields
            and _text(data.get("permission"), NAME_MAX) and _text(data.get("org"), ORG_MAX)
            and ("subject_token" not in data or _text(data["subject_token"], 1 << 62)))


def _plain_check() -> dict[str, Any] | None:
    data = _plain_json()
    return data if plain_item(data, CHECK_FIELDS) else None


def _plain_batch() -> dict[str, Any] | None:
    data = _plain_json()
    if (type(data) is not dict or not data.keys() <= BATCH_FIELDS
            or ("subject_token" in data and not _text(data["subject_token"], 1 << 62))):
        return None
    items = data.get("checks")
    if (type(items) is not list or not 0 < len(items) <= BATCH_MAX
            or not all(plain_item(item, ITEM_FIELDS) for item in items)):
        return None
    return data


def _json(payload: Any) -> Any:
    """What flask-smorest's `response` sends for a dumped result (`jsonify`, status 200)."""
    return current_app.json.response(payload)


# --- routes -------------------------------------------------------------------------------

def _check(body: dict[str, Any]) -> dict[str, Any]:
    subject = _subject(body.get("subject_token"))
    return _run(subject, [(body["permission"], body["org"])], batch=False)[0]


def _batch(body: dict[str, Any]) -> dict[str, Any]:
    subject = _subject(body.get("subject_token"))
    items = [(c["permission"], c["org"]) for c in body["checks"]]
    return {"results": _run(subject, items, batch=True)}


@blp.route("")
class Check(MethodView):
    init_every_request = False

    def dispatch_request(self, **kwargs: Any) -> Any:
        body = _plain_check() if FAST_PATH and request.method == "POST" else None
        if body is not None:  # CheckResult dumps `checks.as_dict` unchanged
            return _json(_check(body))
        return super().dispatch_request(**kwargs)

    @blp.arguments(CheckRequest)
    @blp.response(200, CheckResult)
    def post(self, body: dict[str, Any]) -> Any:
        """May the bearer (or the subject token's holder) use `permission` on unit `org`?
        Live: binding changes and disabled users show at once. Unknown permission → 422.
        An unknown unit is answered as a unit outside the caller's scope, unless the caller
        may see the whole organisation (a binding over `*`, or a client asking about a
        subject token): then → 422."""
        return _check(body)


@blp.route("/batch")
class BatchCheck(MethodView):
    init_every_request = False

    def dispatch_request(self, **kwargs: Any) -> Any:
        body = _plain_batch() if FAST_PATH and request.method == "POST" else None
        if body is not None:
            return _json(_batch(body))
        return super().dispatch_request(**kwargs)

    @blp.arguments(BatchCheckRequest)
    @blp.response(200, BatchCheckResult)
    def post(self, body: dict[str, Any]) -> Any:
        """Up to 100 checks about one subject in one call, answered in order."""
        return _batch(body)
