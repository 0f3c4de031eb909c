"""`Idempotency-Key` on POSTs: a retried write answers the first answer, never writes twice.

A client that lost the answer to a POST (a timeout, a dropped connection) sends it again
with the same `Idempotency-Key` header. The first request reserves the key (a row that
commits before the work starts), does the work, and stores its 2xx answer; a retry with the
same key and the same body gets that answer again (`Idempotent-Replayed: true`); while the
first is still running, a retry gets 409; the same key with a different body is a 422 —
a client bug that must not silently do something else. Keys are per caller (token subject).
Errors are not kept: nothing was written, so a retry simply runs again.

A service opts in by giving its app `app.extensions["hr_idempotency"] = (db, Model)`, where
`Model` has the columns of `IdempotentAnswer` in the leave service, and decorating the view
(above flask-smorest's decorators, so the stored answer is the bytes that were sent).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from shared.errors import Conflict, ValidationFailed

HEADER = "Idempotency-Key"
KEY_FORMAT = re.compile(r"^[\x21-\x7e]{1,200}$")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not KEY_FORMAT.match(key):
            raise ValidationFailed(f"{HEADER} must be 1–200 visible ASCII characters.",
                                   errors={HEADER: ["1–200 visible ASCII characters."]})
        db, model = current_app.extensions["hr_idempotency"]
        session = db.session
        principal = getattr(g, "principal", None)
        caller = f"{principal.kind}:{principal.sub}" if principal else "anonymous"
        fingerprint = _fingerprint()
        found = session.scalar(select(model).where(model.caller == caller, model.key == key))
        if found is not None:
            return _replay(found, fingerprint)
        session.add(model(caller=caller, key=key, fingerprint=fingerprint, status=0, body=""))
        try:
            session.commit()
        except IntegrityError:  # the same key, at the same moment, from the same caller
            session.rollback()
            raise Conflict(f"A request with this {HEADER} is in progress; retry later.") from None
        try:
            response = view(*args, **kwargs)
        except BaseException:
            session.rollback()
            _forget(session, model, caller, key)
            raise
        response = current_app.make_response(response)
        if 200 <= response.status_code < 300:
            row = session.scalar(select(model).where(model.caller == caller, model.key == key))
            row.status, row.body = response.status_code, response.get_data(as_text=True)
            session.commit()
        else:
            _forget(session, model, caller, key)
        return response

    return wrapper


def _replay(found: Any, fingerprint: str) -> Response:
    if found.fingerprint != fingerprint:
        raise ValidationFailed(f"This {HEADER} was used for a different request.",
                               errors={HEADER: ["Used before with another method, path "
                                                "or body."]})
    if not found.status:
        raise Conflict(f"A request with this {HEADER} is in progress; retry later.")
    response = Response(found.body, status=found.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _forget(session: Any, model: Any, caller: str, key: str) -> None:
    session.execute(delete(model).where(model.caller == caller, model.key == key))
    session.commit()
