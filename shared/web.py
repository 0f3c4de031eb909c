"""The Flask application skeleton every service shares.

`build_app` gives each service the same shape: problem+json errors, request ids and JSON
access logs, `GET /<prefix>/health`, the OpenAPI document and an offline docs page, and the
bearer-token gate in front of every non-public route. A service adds its blueprints and
its own extensions; it never re-implements any of this.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable, Iterable
from typing import Any

import flask_swagger_ui
import marshmallow as ma
from flask import Flask, g, request, send_from_directory
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, abort

from shared.errors import install_error_handlers
from shared.logging import install_request_logging
from shared.settings import Settings

SWAGGER_DIST = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")


class StrictParser(FlaskParser):
    """JSON bodies must be JSON objects sent as JSON: otherwise 400 or 415, never a 422 guess."""

    DEFAULT_VALIDATION_STATUS = 422

    def _raw_load_json(self, req: Any) -> Any:
        raw = req.get_data(cache=True)
        if not raw.strip():
            return {}
        if not core.is_json(req.mimetype):
            abort(415, message="Send the body as application/json.")
        data = core.parse_json(raw)
        if not isinstance(data, dict):
            abort(400, message="The request body must be a JSON object.")
        return data

    def _handle_invalid_json_error(self, error: Any, req: Any, *a: Any,
                                   **k: Any) -> typing.NoReturn:
        abort(400, message="The request body is not valid JSON.")


class Blueprint(SmorestBlueprint):
    """flask-smorest blueprint with the strict parser."""

    ARGUMENTS_PARSER = StrictParser()


class PageQuery(ma.Schema):
    """`page` from 1, `per_page` 1–200 (default 50), as API.md's Lists section fixes."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
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


class Health(ma.Schema):
    status = ma.fields.String(required=True)


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
    app.config.update(
        API_TITLE=title,
        API_VERSION="1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=prefix,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=f"{prefix}/docs/assets/",
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
            "security": [{"bearerAuth": []}],
        },
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        TESTING=settings.TESTING,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["hr_settings"] = settings
    install_request_logging(app, settings)
    api = Api(app)
    install_error_handlers(app)  # after Api(): ours replace smorest's JSON error handler

    health_blp = Blueprint("health", __name__, url_prefix=prefix, description="Health")

    @health_blp.route("/health", methods=["GET"])
    @health_blp.response(200, Health)
    @health_blp.doc(security=[], responses={"503": {"description": "A dependency is down."}})
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

    public = {"health.health", "docs_assets", "static", "api-docs.openapi_json",
              "api-docs.openapi_swagger_ui", *public_endpoints}

    @app.before_request
    def gate() -> None:
        g.principal = None
        if request.endpoint is None or request.endpoint in public or authenticate is None:
            return
        if request.method == "OPTIONS":
            return
        authenticate()

    return app, api


def endpoint_names(app: Flask) -> list[str]:
    return sorted(r.endpoint for r in app.url_map.iter_rules())
