"""RFC 8414 metadata and the JWKS (RFC 7517): public, cacheable for a short while.

The metadata is the same document with the same headers at both locations (under `/auth` and
at RFC 8414 §3's). It advertises only what auth does: no `token_endpoint_auth_signing_alg_…`
(no `private_key_jwt` / `client_secret_jwt` client authentication is supported), and
`response_types_supported: []` — RFC 8414 §2 makes the member REQUIRED, and auth has no
authorization endpoint, so the honest value is the empty list rather than leaving it out.
Every other array member with no element is left out, as §2 says (so no `scopes_supported`:
clients get their registered permissions, there is no scope catalogue to advertise).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

from flask import jsonify
from flask.views import MethodView

from services.auth.api import common
from services.auth.api.oauth_schemas import Jwks, Metadata
from services.auth.models import db
from services.auth.service import keys
from shared.web import Blueprint

blp = Blueprint("wellknown", __name__, url_prefix="/auth/.well-known",
                description="Discovery: metadata and keys")
PUBLIC = ("wellknown.KeySet", "wellknown.AuthServerMetadata", "rfc8414.metadata_at_root")


METADATA_CACHE = "public, max-age=300"


def metadata_response() -> Any:
    resp = jsonify(metadata())
    resp.headers["Cache-Control"] = METADATA_CACHE
    return resp


def metadata() -> dict[str, Any]:
    issuer = common.settings().issuer.rstrip("/")
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "introspection_endpoint": f"{issuer}/introspect",
        "revocation_endpoint": f"{issuer}/revoke",
        "grant_types_supported": ["password", "refresh_token", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic",
                                                          "client_secret_post", "bearer"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic",
                                                       "client_secret_post", "bearer", "none"],
        "response_types_supported": [],
    }


@blp.route("/oauth-authorization-server")
class AuthServerMetadata(MethodView):
    @blp.doc(security=[])
    @blp.response(200, Metadata)
    def get(self) -> Any:
        """Authorization server metadata (RFC 8414)."""
        return metadata_response()


@blp.route("/jwks.json")
class KeySet(MethodView):
    @blp.doc(security=[])
    @blp.response(200, Jwks)
    def get(self) -> Any:
        """The public keys that verify access tokens: the active key and those retiring."""
        resp = jsonify(keys.jwks(session=db.session, now=dt.datetime.now(dt.UTC)))
        resp.headers["Cache-Control"] = "public, max-age=60"
        return resp


def metadata_blueprint(issuer: str) -> Blueprint:
    """RFC 8414 §3's own location: `/.well-known/oauth-authorization-server` + issuer path
    (the one route outside the `/auth` prefix)."""
    root = Blueprint("rfc8414", __name__, description="Discovery at RFC 8414's location")
    path = urlparse(issuer).path.rstrip("/")

    @root.route(f"/.well-known/oauth-authorization-server{path}", endpoint="metadata_at_root",
                methods=["GET"])
    @root.doc(security=[])
    @root.response(200, Metadata)
    def metadata_at_root() -> Any:
        """Authorization server metadata at RFC 8414's location."""
        return metadata_response()

    return root
