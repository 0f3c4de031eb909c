"""One error envelope (RFC 9457 problem+json) and the domain exceptions services raise.

Services raise these from `service.py` without knowing Flask; `install_error_handlers` maps
them, webargs/marshmallow validation errors, werkzeug HTTP errors and anything unexpected to
problem documents once, here.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, json, request
from marshmallow import ValidationError as MarshmallowValidationError
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("hr.errors")


class AppError(Exception):
    """Base of every domain error: a status, a short title and a human detail."""

    status = 500
    title = "Internal Server Error"
    type_slug = "about:blank"

    def __init__(self, detail: str | None = None, *, errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


class BadRequest(AppError):
    status, title = 400, "Bad Request"


class Unauthorized(AppError):
    status, title = 401, "Unauthorized"

    def __init__(self, detail: str | None = None, *, error: str | None = "invalid_token",
                 **kw: Any):
        headers = kw.pop("headers", None) or {}
        # RFC 6750 §3.1: a request with no credentials gets a bare challenge, no error code.
        headers.setdefault("WWW-Authenticate", f'Bearer error="{error}"' if error else "Bearer")
        super().__init__(detail or "A valid bearer token is required.", headers=headers, **kw)


class Forbidden(AppError):
    status, title = 403, "Forbidden"


class NotFound(AppError):
    status, title = 404, "Not Found"


class Conflict(AppError):
    status, title = 409, "Conflict"


class UnsupportedMediaType(AppError):
    status, title = 415, "Unsupported Media Type"


class ValidationFailed(AppError):
    """Invalid input that passed the schema but broke a rule (422, per-field messages)."""

    status, title = 422, "Unprocessable Entity"


class ServiceUnavailable(AppError):
    """A dependency (another service, the database) is down."""

    status, title = 503, "Service Unavailable"


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into docs/api.md's flat `field -> [messages]`."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            if key == "_schema":
                name = prefix or "_schema"
            for k, v in flatten_errors(value, name).items():
                flat.setdefault(k, []).extend(v)
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            flat[prefix or "_schema"] = list(messages)
        else:
            for m in messages:
                for k, v in flatten_errors(m, prefix).items():
                    flat.setdefault(k, []).extend(v)
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def problem(status: int, title: str, detail: str | None = None, *,
            errors: dict[str, list[str]] | None = None, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail or title}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _webargs_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """webargs nests messages under their location (`json`, `query`, …): drop that level."""
    messages = data.get("messages") or data.get("errors") or {}
    merged: dict[str, Any] = {}
    if isinstance(messages, dict):
        for location, inner in messages.items():
            if isinstance(inner, dict) and location in {"json", "query", "form", "querystring",
                                                        "headers", "files", "view_args"}:
                merged.update(inner)
            else:
                merged[location] = inner
    return flatten_errors(merged)


def handle_app_error(err: AppError) -> Response:
    if err.status >= 500 and not isinstance(err, ServiceUnavailable):
        log.error("app error", exc_info=err)
    return problem(err.status, err.title, err.detail, errors=err.errors, headers=err.headers,
                   **err.extra)


def handle_http_exception(err: HTTPException) -> Response:
    code = err.code or 500
    data = getattr(err, "data", None) or {}
    headers = dict(data.get("headers") or {})
    valid_methods = getattr(err, "valid_methods", None)
    if code == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    if code == 422 or (code == 400 and data.get("messages")):
        errors = _webargs_errors(data)
        if code == 400:
            return problem(400, "Bad Request", "The request body is not valid JSON.",
                           headers=headers)
        return problem(422, "Unprocessable Entity", "The request has invalid fields.",
                       errors=errors, headers=headers)
    if code >= 500:
        log.error("http error %s", code, exc_info=err)
        return problem(code, err.name, "The server could not complete the request.")
    detail = data.get("message") or err.description or err.name
    return problem(code, err.name, detail, headers=headers)


def handle_validation_error(err: MarshmallowValidationError) -> Response:
    return problem(422, "Unprocessable Entity", "The request has invalid fields.",
                   errors=flatten_errors(err.messages))


def handle_unexpected(err: Exception) -> Response:
    """The catch-all: log with the stack trace, answer without internals."""
    if isinstance(err, HTTPException):
        return handle_http_exception(err)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "Internal Server Error", "The server could not complete the request.")


def handle_database_unavailable(err: Exception) -> Response:
    """The database cannot be reached (down, restarting, gone): a 503, never a stack trace.

    The pool drops the broken connection, so the next request reconnects by itself.
    """
    log.error("database unavailable: %s", type(err).__name__)
    return problem(503, "Service Unavailable", "The service's database is unavailable.",
                   headers={"Retry-After": "5"})


def handle_data_error(err: Exception) -> Response:
    """The last line of defence for input the schemas let through but the store refuses
    (an out-of-range number, a character PostgreSQL cannot store): 422, not 500."""
    log.warning("database refused a value: %s", type(getattr(err, "orig", err)).__name__)
    return problem(422, "Unprocessable Entity", "A value is out of range or cannot be stored.")


#: SQLSTATE of a unique violation (PostgreSQL); SQLite says "UNIQUE constraint failed".
UNIQUE_VIOLATION = "23505"


def handle_integrity_error(err: Exception) -> Response:
    """A constraint the store enforces was hit — usually two requests racing to create the
    same thing after both checked it was free. A unique violation is the conflict the loser
    would have got had it come second: 409. Any other (a missing reference, a check) is input
    the store refused: 422. Never a 500, and never the constraint's name or the SQL."""
    from flask import has_app_context

    orig = getattr(err, "orig", err)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None),
                                                           "sqlstate", None)
    unique = sqlstate == UNIQUE_VIOLATION or "UNIQUE constraint failed" in str(orig)
    if has_app_context():
        db = current_app.extensions.get("sqlalchemy")
        if db is not None:
            db.session.rollback()
    log.warning("database refused a write: %s", type(orig).__name__)
    if unique:
        return problem(409, "Conflict", "It exists already (another request created it "
                                        "first); read it again.")
    return problem(422, "Unprocessable Entity", "The store refused a value it depends on.")


def install_error_handlers(app: Flask) -> None:
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError

    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(MarshmallowValidationError, handle_validation_error)
    app.register_error_handler(Exception, handle_unexpected)
