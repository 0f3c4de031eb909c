"""`/auth/token`, `/auth/introspect`, `/auth/revoke`: OAuth endpoints answering RFC 6749
§5.2 errors (`{"error", "error_description"}`), never problem+json, always `no-store`.

They are public for the bearer gate; introspect and revoke authenticate the calling client
themselves (HTTP Basic, a client-credentials Bearer token, or client_id/client_secret in the
body). The token endpoint throttles an address that keeps failing (`ratelimit`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import replace
from typing import Any
from urllib.parse import unquote_plus

import jwt
from flask import current_app, jsonify, request
from flask.views import MethodView

from services.auth.api import common
from services.auth.api.oauth_schemas import (
    Introspection,
    OAuthErrorBody,
    RevokeResult,
    TokenParam,
    TokenRequest,
    TokenResponse,
    form_or_json,
)
from services.auth.models import Client, db
from services.auth.service import audit, clients, grants, introspection, ratelimit, tokens
from services.auth.service.common import OAuthError
from services.auth.service.ratelimit import FailureLimiter
from shared.db import autocommit
from shared.errors import Unauthorized
from shared.web import FORBIDDEN_CHARS, Blueprint, TooDeep, forbidden_text

blp = Blueprint("oauth", __name__, url_prefix="/auth", description="OAuth 2.0 endpoints")
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
PUBLIC = ("oauth.Token", "oauth.Introspect", "oauth.Revoke")
#: Off only in tests that compare the direct grant with the documented path.
DIRECT_GRANTS = True


def oauth_error(err: OAuthError) -> Any:
    resp = jsonify({"error": err.error, "error_description": err.description})
    resp.status_code = err.status
    for k, v in err.headers.items():
        resp.headers[k] = v
    return common.no_store(resp)


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """Refuse hostile nesting and control characters as invalid_request, before any lookup
    (PostgreSQL refuses NUL in text outright, which would otherwise be a 500)."""
    try:
        bad = forbidden_text(data)
    except TooDeep as exc:
        raise OAuthError.invalid_request("The body is nested too deeply.") from exc
    if bad:
        raise OAuthError.invalid_request(f"The parameter {next(iter(bad))} holds characters "
                                         "that are not allowed.")
    return data


def params() -> dict[str, Any]:
    """The parameters from a form or a JSON object body (RFC 6749 wants forms; docs/api.md both)."""
    if request.mimetype in FORM_TYPES:
        form = request.form
        if any(len(form.getlist(k)) > 1 for k in form):
            raise OAuthError.invalid_request("A parameter is repeated.")
        return _checked(form.to_dict())
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError as exc:
            raise OAuthError.invalid_request("The body is nested too deeply.") from exc
        if isinstance(data, dict):
            return _checked(data)
        raise OAuthError.invalid_request("The body must be a JSON object.")
    raise OAuthError.invalid_request("Send the parameters as a form or as a JSON object.")


def basic_credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError.invalid_client() from exc
    cid, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError.invalid_client()
    cid, secret = unquote_plus(cid), unquote_plus(secret)
    if FORBIDDEN_CHARS.search(cid) or FORBIDDEN_CHARS.search(secret):
        raise OAuthError.invalid_client()
    return cid, secret


def body_credentials(p: dict[str, Any]) -> tuple[str, str] | None:
    cid, secret = p.get("client_id"), p.get("client_secret")
    if isinstance(cid, str) and isinstance(secret, str) and cid and secret:
        return cid, secret
    return None


def calling_client(p: dict[str, Any]) -> Client | None:
    """The authenticated client behind this request, None when it sent no credentials;
    credentials that fail → invalid_client (401)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        try:
            claims = tokens.verify(session=db.session, settings=common.settings(),
                                   token=header[7:].strip())
        except Unauthorized as exc:
            raise OAuthError.invalid_client("Bearer") from exc
        client = tokens.client_of(session=db.session, claims=claims)
        if client is None:
            raise OAuthError.invalid_client("Bearer")
        return client
    creds = basic_credentials() or body_credentials(p)
    if creds is None:
        return None
    client = clients.authenticate(session=db.session, client_id=creds[0], secret=creds[1])
    if client is None:
        raise OAuthError.invalid_client()
    return client


@blp.route("/token")
class Token(MethodView):
    @blp.doc(security=[], requestBody=form_or_json("TokenRequest"))
    @blp.response(200, TokenResponse)
    @blp.alt_response(400, schema=OAuthErrorBody, description="RFC 6749 §5.2 error.")
    @blp.alt_response(401, schema=OAuthErrorBody, description="invalid_client.")
    @blp.alt_response(429, schema=OAuthErrorBody, description="Too many failures.")
    def post(self) -> Any:
        """Issue tokens: `password`, `refresh_token` or `client_credentials` grant.

        Brake (docs/api.md): once an address has 60 failed requests within the last minute, every
        token request from it is answered 429 with `Retry-After` before its body or any
        credential is looked at, so a right guess and a wrong one answer alike (see
        `service.ratelimit`)."""
        limiter: FailureLimiter = current_app.extensions["auth_limiter"]
        address = request.remote_addr or "unknown"
        now = common.now()
        direct = _client_grant_direct(limiter, address, now) if DIRECT_GRANTS else None
        if direct is not None:
            return common.no_store(jsonify(direct))
        if limiter.over_limit(session=db.session, address=address, now=now):
            return _throttled(limiter, address, now)
        try:
            body = _grant(params())
        except OAuthError as err:
            db.session.rollback()
            limiter.failed(session=db.session, address=address, now=now)
            return oauth_error(err)
        return common.no_store(jsonify(body))


def _client_grant_direct(limiter: FailureLimiter, address: str,
                         now: dt.datetime) -> dict[str, Any] | None:
    """A plain client-credentials grant (HTTP Basic or the client's credentials in the
    body, not both) answered from two statements (`grants.client_credentials_direct`,
    which reads the brake before anything of the request); None for anything else, which
    takes the documented path from its start."""
    with autocommit(db.engine).connect() as conn:
        return grants.client_credentials_direct(
            conn=conn, settings=common.settings(), limiter=limiter, address=address,
            now=now, credentials=_plain_client_credentials)


def _plain_client_credentials() -> tuple[str, str] | None:
    """The client's credentials of a well-formed client-credentials grant — HTTP Basic
    (`client_secret_basic`) or the body's `client_id`/`client_secret` (`client_secret_post`,
    which the metadata also offers) — else None; both at once is the documented path's
    `invalid_request`."""
    try:
        p = params()
        basic = basic_credentials()
    except OAuthError:
        return None
    body = body_credentials(p)
    if p.get("grant_type") != "client_credentials" or (basic and body):
        return None
    return basic or body


def _throttled(limiter: FailureLimiter, address: str, now: dt.datetime) -> Any:
    """429 for any request from an address over the brake, whatever it carries; audited as
    `token.throttled` at most once per address per minute (the refused requests themselves
    are neither audited nor counted: nothing in them was read)."""
    audit.record_at_most_once(
        db.session, actor=common.actor(), action="token.throttled", target_type="address",
        target_id=address[:200], now=now, window=ratelimit.WINDOW, per_address=True,
        after={"limit": limiter.limit, "window_seconds": int(ratelimit.WINDOW.total_seconds())})
    retry = limiter.retry_after(session=db.session, address=address, now=now)
    return oauth_error(OAuthError("too_many_requests",
                                  "Too many failed requests; try again later.", 429,
                                  {"Retry-After": str(retry)}))


def _grant(p: dict[str, Any], audit_failures: bool = True) -> dict[str, Any]:
    kw = {"session": db.session, "settings": common.settings(), "now": common.now(),
          "actor": common.actor(), "audit_failures": audit_failures}
    grant = p.get("grant_type")
    if not isinstance(grant, str) or not grant:
        raise OAuthError.invalid_request("The parameter grant_type is required.")
    if grant == "password":
        return grants.password_grant(params=p, **kw)
    if grant == "refresh_token":
        return grants.refresh_grant(params=p, **kw)
    if grant == "client_credentials":
        basic = basic_credentials()
        body = body_credentials(p)
        if basic and body:
            raise OAuthError.invalid_request("Use one client authentication method.")
        return grants.client_credentials_grant(credentials=basic or body, **kw)
    raise OAuthError("unsupported_grant_type", f"The grant type {grant[:40]!r} is not supported.")


@blp.route("/introspect")
class Introspect(MethodView):
    @blp.doc(security=[{"basicAuth": []}, {"bearerAuth": []}],
             requestBody=form_or_json("TokenParam"))
    @blp.response(200, Introspection)
    @blp.alt_response(400, schema=OAuthErrorBody, description="No token given.")
    @blp.alt_response(401, schema=OAuthErrorBody, description="Client authentication failed.")
    @blp.alt_response(403, schema=OAuthErrorBody, description="The client lacks auth:introspect.")
    def post(self) -> Any:
        """RFC 7662: is this access or refresh token active, and what does it carry?"""
        try:
            p = params()
            client = calling_client(p)
            if client is None:
                raise OAuthError.invalid_client()
            if "auth:introspect" not in client.permissions:
                raise OAuthError("insufficient_scope", "This needs auth:introspect.", 403)
            token = p.get("token")
            if not isinstance(token, str) or not token:
                raise OAuthError.invalid_request("The parameter token is required.")
        except OAuthError as err:
            return oauth_error(err)
        answer = introspection.introspect(session=db.session, settings=common.settings(),
                                          token=token, now=common.now())
        return common.no_store(jsonify(answer))


@blp.route("/revoke")
class Revoke(MethodView):
    @blp.doc(security=[{}, {"basicAuth": []}, {"bearerAuth": []}],
             requestBody=form_or_json("TokenParam"))
    @blp.response(200, RevokeResult,
                  description="Revoked, or nothing to revoke (RFC 7009 §2.2): `{}`.")
    @blp.alt_response(400, schema=OAuthErrorBody, description="No token given.")
    @blp.alt_response(401, schema=OAuthErrorBody, description="Client authentication failed.")
    def post(self) -> Any:
        """RFC 7009: revoke a refresh token (its whole sign-in) or an access token.

        A client authenticates as for introspection. A user logging out sends their own
        refresh token with no client credentials (holding the token is the proof), or with
        their own access token as `Authorization: Bearer` (a user token is not a client
        credential: it names the user, and only that user's tokens are revoked; a token of
        anyone else is answered 200 like an unknown one and left alone, RFC 7009 §2.2)."""
        try:
            p = params()
            is_user, owner = user_bearer()
            if not is_user:
                calling_client(p)
            token = p.get("token")
            if not isinstance(token, str) or not token:
                raise OAuthError.invalid_request("The parameter token is required.")
        except OAuthError as err:
            return oauth_error(err)
        actor = common.actor()
        if owner is not None:
            actor = replace(actor, sub=str(owner["sub"]), kind="user", jti=owner.get("jti"))
        introspection.revoke(session=db.session, settings=common.settings(), token=token,
                             now=common.now(), actor=actor,
                             owner=None if owner is None else str(owner["sub"]))
        return common.no_store(jsonify({}))


def user_bearer() -> tuple[bool, dict[str, Any] | None]:
    """Is `Authorization: Bearer` a user's access token (a logout from a console that sends
    its usual header), and its claims when it verifies?

    `(True, claims)`: the user's own live token; only their tokens may be revoked.
    `(True, None)`: a user token that no longer verifies (typically expired by the time the
    user logs out): no credentials at all, as a logout without the header.
    `(False, None)`: not a user token: client authentication decides (`calling_client`), so
    a client's bad or expired bearer token is still `invalid_client`."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return False, None
    raw = header[7:].strip()
    try:
        claims = tokens.verify(session=db.session, settings=common.settings(), token=raw)
    except Unauthorized:
        try:
            unverified = jwt.decode(raw, options={"verify_signature": False})
        except jwt.PyJWTError:
            return False, None
        return (isinstance(unverified, dict) and unverified.get("token_kind") == "user"), None
    if claims.get("token_kind") == "client":
        return False, None
    return True, claims


__all__ = ["PUBLIC", "TokenParam", "TokenRequest", "blp"]
