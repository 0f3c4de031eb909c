"""OpenAPI shapes of the OAuth endpoints (documentation: they answer RFC 6749 JSON)."""

from __future__ import annotations

import marshmallow as ma


class TokenRequest(ma.Schema):
    grant_type = ma.fields.String(required=True, metadata={
        "enum": ["password", "refresh_token", "client_credentials"], "example": "password"})
    username = ma.fields.String(metadata={"example": "tangmin"})
    password = ma.fields.String(metadata={"example": "Seven-Counters-Open-9"})
    refresh_token = ma.fields.String()
    client_id = ma.fields.String()
    client_secret = ma.fields.String()


class TokenResponse(ma.Schema):
    access_token = ma.fields.String(required=True, metadata={"example": "eyJhbGciOiJSUzI1NiIs…"})
    token_type = ma.fields.String(required=True, metadata={"enum": ["Bearer"], "example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"example": 300})
    refresh_token = ma.fields.String(metadata={"description": "Password and refresh grants."})
    scope = ma.fields.String(metadata={"description": "Client credentials: the permissions."})


class OAuthErrorBody(ma.Schema):
    error = ma.fields.String(required=True)
    error_description = ma.fields.String()


class TokenParam(ma.Schema):
    token = ma.fields.String(required=True, metadata={"example": "eyJhbGciOiJSUzI1NiIs…"})
    token_type_hint = ma.fields.String(metadata={"enum": ["access_token", "refresh_token"]})


class RevokeResult(ma.Schema):
    """RFC 7009 §2.2: 200 and the body is ignored; auth answers an empty JSON object."""


class Introspection(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    active = ma.fields.Boolean(required=True, metadata={"example": True})
    token_type = ma.fields.String()
    sub = ma.fields.String()
    exp = ma.fields.Integer()
    iat = ma.fields.Integer()
    iss = ma.fields.String()
    jti = ma.fields.String()
    client_id = ma.fields.String()
    scope = ma.fields.String()
    username = ma.fields.String()
    emp = ma.fields.String(allow_none=True)
    roles = ma.fields.List(ma.fields.Dict())
    token_kind = ma.fields.String()
    sid = ma.fields.String()


class Metadata(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    issuer = ma.fields.String(required=True, metadata={"example": "http://127.0.0.1:8001/auth"})
    token_endpoint = ma.fields.String(required=True, metadata={
        "example": "http://127.0.0.1:8001/auth/token"})
    jwks_uri = ma.fields.String(required=True)
    introspection_endpoint = ma.fields.String(required=True)
    revocation_endpoint = ma.fields.String(required=True)
    grant_types_supported = ma.fields.List(ma.fields.String(), required=True)
    token_endpoint_auth_methods_supported = ma.fields.List(ma.fields.String(), required=True)
    introspection_endpoint_auth_methods_supported = ma.fields.List(ma.fields.String())
    revocation_endpoint_auth_methods_supported = ma.fields.List(ma.fields.String())
    response_types_supported = ma.fields.List(ma.fields.String())
    scopes_supported = ma.fields.List(ma.fields.String())


class Jwks(ma.Schema):
    keys = ma.fields.List(ma.fields.Dict(), required=True, metadata={"example": [
        {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "2026-12-01", "n": "0vx7…",
         "e": "AQAB"}]})


def form_or_json(schema: str) -> dict:
    """A requestBody accepting the same fields as a form or as JSON."""
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": ref},
                                          "application/json": {"schema": ref}}}
