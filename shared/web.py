"""The Flask application skeleton every service shares.

`build_app` gives each service the same shape: problem+json errors, request ids and JSON
access logs, `GET /<prefix>/health`, the OpenAPI document and an offline docs page, and the
bearer-token gate in front of every non-public route. A service adds its blueprints and
its own extensions; it never re-implements any of this.
"""

from __future__ import annotations

import logging
import os
import re
import typing
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import flask_swagger_ui
import marshmallow as ma
from apispec import BasePlugin
from flask import Flask, g, request, send_from_directory
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.utils import prepare_response
from webargs import core
from webargs.flaskparser import FlaskParser, abort
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from shared.errors import PROBLEM_JSON, install_error_handlers
from shared.jsonio import FastJSONProvider
from shared.logging import finish_request, install_request_logging, start_request
from shared.metrics import count_response, install_metrics
from shared.server_errors import MAX_BODY_BYTES
from shared.settings import Settings

SWAGGER_DIST = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")


#: Characters no HR record has a use for and that break stores or displays: C0/C1 controls
#: but tab and newlines (PostgreSQL refuses NUL outright), lone surrogates (cannot be encoded
#: as UTF-8), and the bidirectional overrides used to disguise text (e.g. U+202E).
FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
CONTROL_MESSAGE = "Control, surrogate and bidirectional-override characters are not allowed."


#: No HR document nests deeper; deeper bodies are refused before anything walks them.
MAX_DEPTH = 32


class TooDeep(ValueError):
    pass


def forbidden_text(value: Any) -> dict[str, list[str]]:
    """Every field (dotted, as docs/api.md's `errors`) whose text holds a forbidden character.

    Iterative, so a hostile nesting depth cannot exhaust the stack; raises `TooDeep` past
    `MAX_DEPTH`.
    """
    found: dict[str, list[str]] = {}
    stack: list[tuple[str, Any, int]] = [("", value, 0)]
    while stack:
        path, item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TooDeep(path)
        if isinstance(item, str):
            if FORBIDDEN_CHARS.search(item):
                found[path or "_schema"] = [CONTROL_MESSAGE]
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and FORBIDDEN_CHARS.search(key):
                    found[name] = [CONTROL_MESSAGE]
                stack.append((name, child, depth + 1))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                stack.append((f"{path}.{index}" if path else str(index), child, depth + 1))
    return dict(sorted(found.items()))


class StrictParser(FlaskParser):
    """JSON bodies must be JSON objects sent as JSON: otherwise 400 or 415, never a 422 guess.

    Text with control characters is refused with 422 before any schema sees it, in bodies
    and query strings alike.
    """

    DEFAULT_VALIDATION_STATUS = 422

    def _raw_load_json(self, req: Any) -> Any:
        raw = req.get_data(cache=True)
        if not raw.strip():
            if core.is_json(req.mimetype):
                abort(400, message="The request body is empty; send a JSON object.")
            return {}
        if not core.is_json(req.mimetype):
            abort(415, message="Send the body as application/json.")
        try:
            data = core.parse_json(raw)
        except RecursionError:
            abort(400, message="The request body is nested too deeply.")
        if not isinstance(data, dict):
            abort(400, message="The request body must be a JSON object.")
        try:
            bad = forbidden_text(data)
        except TooDeep:
            abort(400, message="The request body is nested too deeply.")
        if bad:
            abort(422, messages={"json": bad})
        return data

    def load_querystring(self, req: Any, schema: ma.Schema) -> Any:
        bad = {key: [CONTROL_MESSAGE] for key, value in req.args.items(multi=True)
               if FORBIDDEN_CHARS.search(key) or FORBIDDEN_CHARS.search(value)}
        if bad:
            abort(422, messages={"query": bad})
        return super().load_querystring(req, schema)

    def _handle_invalid_json_error(self, error: Any, req: Any, *a: Any,
                                   **k: Any) -> typing.NoReturn:
        abort(400, message="The request body is not valid JSON.")


class Blueprint(SmorestBlueprint):
    """flask-smorest blueprint with the strict parser."""

    ARGUMENTS_PARSER = StrictParser()


#: The last page anyone may ask for: keeps `(page - 1) * per_page` a 64-bit OFFSET on every
#: store (a larger one was a 500 from SQLite's driver); beyond it → 422 like any bad field.
MAX_PAGE = 2**31 - 1


class PageQuery(ma.Schema):
    """`page` from 1, `per_page` 1–200 (default 50), as docs/api.md's Lists section fixes."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))


_page_schemas: dict[type, type] = {}


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The list envelope `{items, total, page, per_page}` around `item_schema` (cached)."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Schema").removesuffix("Read") + "Page"
        _page_schemas[item_schema] = type(name, (ma.Schema,), {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "total": ma.fields.Integer(required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
        })
    return _page_schemas[item_schema]


def page_payload(items: list[Any], total: int, query: dict[str, int]) -> dict[str, Any]:
    return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}


#: The largest id an `Integer` column holds on every store (int4 on PostgreSQL).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` that does not match beyond `MAX_ID`: no such row can exist, so → 404, where
    the drivers raised (SQLite: OverflowError past 2^63; PostgreSQL: integer out of range past
    2^31) and the caller got a 500. Documented as the parameter's `maximum`. A route over a
    BigInteger id says so: `<int(max=9223372036854775807):id>`."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_ID if max is None else max, signed=signed)


class Health(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})


class Problem(ma.Schema):
    """RFC 9457 problem details, as `shared.errors` answers every error (not OAuth's)."""

    class Meta:
        unknown = ma.INCLUDE  # documented as open: a problem may carry extension members

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Validation messages: field (nested as `a.0.b`) -> messages."})


class ProblemResponses(BasePlugin):
    """Document the errors every secured operation can answer, so the spec lists them.

    401 (no or bad token) and 403 (not allowed) on every operation that does not declare
    `security: []`; 404 on every operation whose path names a resource; the server's own
    limits (`shared.server_errors`) on every operation: 414 and 431, and 413 where a body is
    taken.
    """

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            present = {str(code) for code in responses}
            if operation.get("security") != []:
                for code, name in (("401", "UNAUTHORIZED"), ("403", "FORBIDDEN")):
                    if code not in present:
                        responses[code] = name
            if path and "{" in path and "404" not in present:
                responses["404"] = "NOT_FOUND"
            limits = [("414", "REQUEST_URI_TOO_LONG"),
                      ("431", "REQUEST_HEADER_FIELDS_TOO_LARGE")]
            if "requestBody" in operation:
                limits.append(("413", "REQUEST_ENTITY_TOO_LARGE"))
            for code, name in limits:
                responses.setdefault(code, name)


class ProblemApi(Api):
    """flask-smorest's `Api`, documenting error answers as they are sent: problem+json.

    smorest documents its status responses (`UNPROCESSABLE_ENTITY`, …) and every operation's
    `default` response with its own JSON error schema; ours are `Problem` documents served as
    `application/problem+json`, and a conformance checker (schemathesis) holds the spec to it.
    """

    ERROR_SCHEMA = Problem

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as RFC 9457 problem details.",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def oauth2_scheme(issuer: str) -> dict[str, Any]:
    """The docs page's "Authorize": sign in with a password or as a client, at auth's token
    endpoint (`HR_ISSUER` + `/token`), whichever service's page it is.

    Behind the gateway every page shares auth's origin; with `make run` each service has its
    own port, so only auth's own page can reach the endpoint from a browser (no CORS).
    """
    token_url = f"{issuer.rstrip('/')}/token"
    return {
        "type": "oauth2",
        "description": "Access tokens from auth's token endpoint (RS256, 300 s).",
        "flows": {
            "password": {"tokenUrl": token_url, "refreshUrl": token_url, "scopes": {}},
            "clientCredentials": {"tokenUrl": token_url, "refreshUrl": token_url,
                                  "scopes": {}},
        },
    }


def build_app(
    settings: Settings,
    *,
    title: str,
    description: str,
    blueprints: Iterable[SmorestBlueprint],
    authenticate: Callable[[], None] | None = None,
    public_endpoints: Iterable[str] = (),
    health_check: Callable[[], None] | None = None,
) -> tuple[Flask, Api]:
    """Create the Flask app for a service with everything shared already wired.

    `authenticate` runs before every route that is not public and sets `g.principal`;
    `health_check` raises when the service cannot serve (e.g. its database is down).
    """
    prefix = "/" + settings.service
    app = Flask(f"hr.{settings.service}")
    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    app.config.update(
        API_TITLE=title,
        API_VERSION="1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=prefix,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=f"{prefix}/docs/assets/",
        # Offline: never ask swagger.io's validator for a badge.
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "oauth2": oauth2_scheme(settings.issuer)}},
            # Either: a pasted access token, or one the docs page's "Authorize" obtained.
            "security": [{"bearerAuth": []}, {"oauth2": []}],
        },
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,  # 413 (shared.server_errors)
        TESTING=settings.TESTING,
    )
    app.json = FastJSONProvider(app)
    if settings.proxy_hops > 0:
        # Behind the gateway every request comes from its address: the client's is the
        # one the gateway appended to X-Forwarded-For. The token brake, the audit trail's
        # addresses and the logs need the client's (`HR_PROXY_HOPS`, docs/operations.md).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops,  # type: ignore[method-assign]
                                x_proto=settings.proxy_hops)
    app.extensions["hr_settings"] = settings
    # One hook each way does what every request needs (request id, token gate; no-store,
    # metrics, access log): Flask dispatches each registered hook on every request, and each
    # `request.`/`g.` is a context-variable lookup, so they are read once here.
    install_request_logging(app, settings, hooks=False)
    service = settings.service
    metrics_endpoint = install_metrics(app, service=service, hook=False)
    public = {"health.health", "docs_assets", "static", "api-docs.openapi_json",
              "api-docs.openapi_swagger_ui", metrics_endpoint, *public_endpoints}

    @app.before_request
    def arrive() -> None:
        req, ctx_g = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]
        start_request(req, ctx_g)
        ctx_g.principal = None
        endpoint = req.endpoint
        if endpoint is None or endpoint in public or authenticate is None:
            return
        if req.method == "OPTIONS":
            return
        authenticate()

    @app.after_request
    def answer(response: Any) -> Any:
        req, ctx_g = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]
        # Answers behind a token hold personal data or secrets: no cache may keep them.
        if req.endpoint not in public and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        count_response(service, req, response, getattr(ctx_g, "started", None))
        finish_request(req, ctx_g, response)
        return response

    api = ProblemApi(app, spec_kwargs={"extra_plugins": [ProblemResponses()]})
    install_error_handlers(app)  # after Api(): ours replace smorest's JSON error handler

    health_blp = Blueprint("health", __name__, url_prefix=prefix, description="Health")

    @health_blp.route("/health", methods=["GET"])
    @health_blp.response(200, Health)
    @health_blp.alt_response(503, schema=Problem, content_type=PROBLEM_JSON,
                             description="A dependency is down.")
    @health_blp.doc(security=[])
    def health() -> Any:
        """Liveness and readiness: 200 once the service can serve."""
        if health_check is not None:
            health_check()
        return {"status": "ok"}

    @app.get(f"{prefix}/docs/assets/<path:filename>")
    def docs_assets(filename: str) -> Any:
        return send_from_directory(SWAGGER_DIST, filename, max_age=3600)

    api.register_blueprint(health_blp)
    for bp in blueprints:
        api.register_blueprint(bp)

    return app, api


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def after_successful_writes(app: Flask, db: Any, action: Callable[[], None], *,
                            what: str) -> None:
    """Run `action` after every write request that succeeded — its transaction has
    committed — e.g. to deliver what an outbox owes. A failure there is logged and rolled
    back, never turned into an error for the write that was already answered."""
    log = logging.getLogger(f"{app.name}.after-writes")

    @app.after_request
    def _after_write(response: Any) -> Any:
        if request.method in WRITE_METHODS and response.status_code < 400:
            try:
                action()
            except Exception:
                db.session.rollback()
                log.exception("%s failed", what)
        return response


def endpoint_names(app: Flask) -> list[str]:
    return sorted(r.endpoint for r in app.url_map.iter_rules())


def create_service_app(
    settings: Settings,
    *,
    db: Any,
    title: str,
    description: str,
    blueprints: Iterable[SmorestBlueprint],
    verifier: Any = None,
    public_endpoints: Iterable[str] = (),
) -> Flask:
    """`build_app` for a service that verifies tokens offline and owns one database.

    The health check pings the database; the verifier defaults to auth's JWKS over HTTP.
    """
    from shared.db import init_db, ping
    from shared.permissions import authenticate_request
    from shared.tokens import JWKSKeySource, TokenVerifier

    settings.check()
    app, _api = build_app(
        settings, title=title, description=description, blueprints=blueprints,
        authenticate=authenticate_request, public_endpoints=public_endpoints,
        health_check=lambda: ping(db),
    )
    init_db(app, db, settings.database_url)
    app.extensions["hr_verifier"] = verifier or TokenVerifier(
        issuer=settings.issuer, leeway=settings.token_leeway,
        keys=JWKSKeySource(settings.jwks_url, timeout=settings.http_timeout))
    return app
