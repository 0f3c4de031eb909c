"""The protocol conformance matrix: every MUST of the OAuth/JWT RFCs that auth implements,
one test each, named by RFC and section, the requirement restated in the docstring.

Many of these behaviours are also tested in `tests/auth/`; this module is the reviewer's
checklist, so it calls the endpoints again on one in-process auth app shared by the module
(a fresh database per module, not per test: the tests only add tokens, and each makes its own).

Requirements that do not apply here, and why:
- RFC 6749 §2.3.1 / §3.1 / §3.2, RFC 7009 §2, RFC 7662 §4, RFC 8414 §3 "MUST use TLS": TLS is
  terminated by the gateway in front of the services (docs/operations.md); in-process tests
  speak plain HTTP.
- RFC 6749 §4.4.1 "only confidential clients": every registered client has a secret; the
  grant without client authentication is refused (tested as §4.4.2 below).
- RFC 6749 §3.3 scope: clients are granted their registered permissions (the pre-defined
  default the section allows) and the response always names them in `scope` (tested in §5.1).
- RFC 7009 §2.1 "verify the token was issued to the client making the request": user tokens
  are issued to no client (the console is a first-party public client with no client id), so
  the check is read as "whoever holds the token may revoke it"; a user's bearer token only
  revokes that user's tokens (tests/auth/test_refresh.py).
- RFC 7517 §4.6–4.9 (`x5u`, `x5c`, `x5t`): auth publishes bare keys, no certificates.
- RFC 8414 §2.1 signed metadata, §2 `authorization_endpoint`: not offered (no authorization
  code flow); `response_types_supported` is REQUIRED yet auth supports none: it answers `[]`
  (the REQUIRED member wins over "omit empty arrays" for this one member; see wellknown.py).
- RFC 8414 §2 `issuer` "uses the https scheme": the issuer is the operator's setting
  (`HR_ISSUER`, the gateway's public https address in production); the test issuer is http.
- RFC 8725 §3.4 (validate ECDH inputs), §3.5 (entropy of HMAC keys), §3.6 (no compression
  before encryption): auth signs RS256 only, never ECDH-ES, HMAC or JWE.
- RFC 8725 §3.9 audience: every access token is meant for the platform's four services alike
  (one relying party in the RFC's sense); no token is issued for another audience.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from services.auth.app import MIGRATIONS, create_app
from services.auth.models import SigningKey as SigningKeyRow
from services.auth.models import db
from services.auth.service import keys, orgs
from services.auth.service.setup import first_start
from shared.settings import TestSettings
from shared.testing import SigningKey, alg_none_token
from tests.auth.conftest import ADMIN, SERVICE_CREDS, TREE, TYPES, Auth, Clock, FakeStaff
from tests.conftest import ISSUER, bearer
from tests.jwks_server import JWKSServer

LEAVE = SERVICE_CREDS["leave"]  # holds auth:introspect
STAFF = SERVICE_CREDS["staff"]  # does not
#: RFC 6749 §5.2: error_description / error codes use only %x20-21 / %x23-5B / %x5D-7E.
ASCII_NQ = re.compile(r"^[\x20\x21\x23-\x5b\x5d-\x7e]*$")
REGISTERED = {"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
              "unsupported_grant_type", "invalid_scope"}


@pytest.fixture(scope="module")
def rig(databases, tmp_path_factory):
    """auth on a fresh store for the whole module, with the demo-free first start done."""
    url = databases.fresh("auth", MIGRATIONS)
    settings = TestSettings("auth", {"HR_DATA_DIR": str(tmp_path_factory.mktemp("rfc"))},
                            database_url=url, issuer=ISSUER, bootstrap_admin=":".join(ADMIN))
    clock = Clock()
    app = create_app(settings, staff_lookup=FakeStaff(), clock=clock)
    with app.app_context():
        first_start(session=db.session, settings=settings, now=clock(),
                    credentials=SERVICE_CREDS)
        for code in ("HQ", "BR01", "SB01"):
            orgs.remember(session=db.session, code=code, path=TREE[code], source="staff",
                          now=clock(), unit_type=TYPES[code])
        db.session.commit()
    auth = Auth(app.test_client())
    auth.user("alice", ("branch_head", "SB01"), employee_no="E7")
    yield app, auth
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)


@pytest.fixture
def app(rig):
    return rig[0]


@pytest.fixture
def auth(rig) -> Auth:
    return rig[1]


@pytest.fixture
def client(auth):
    return auth.client


def client_grant(client, creds=LEAVE, **kw):
    return client.post("/auth/token", data={"grant_type": "client_credentials", **kw},
                       auth=creds)


def introspect(client, token, creds=LEAVE, **extra):
    return client.post("/auth/introspect", data={"token": token, **extra}, auth=creds)


def auth_key(app, token: str) -> SigningKey:
    """auth's own private key behind `token` (to mint variants an attacker cannot)."""
    kid = jwt.get_unverified_header(token)["kid"]
    with app.app_context():
        row = db.session.get(SigningKeyRow, kid)
        private = keys.decrypt_private_key(row.private_key_encrypted, kid,
                                           app.extensions["hr_settings"].key_encryption_key)
    return SigningKey(kid=kid, private_key=private)


def me(client, token):
    return client.get("/auth/me", headers=bearer(token))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


# --- RFC 6749: client authentication, the token endpoint, §4.4 and §5 -----------------------

def test_rfc6749_2_3_1_http_basic_client_authentication_is_supported(client):
    """The server MUST support HTTP Basic for clients that were issued a password."""
    resp = client_grant(client)
    assert resp.status_code == 200 and resp.get_json()["access_token"]


def test_rfc6749_2_3_1_basic_credentials_are_form_urlencoded_before_base64(client):
    """Client id and secret MUST be form-urlencoded before Basic encoding, so the server
    decodes them: an escaped id names the same client."""
    cid, secret = LEAVE
    escaped = cid.replace("-", "%2D")
    assert escaped != cid
    assert client_grant(client, (escaped, secret)).status_code == 200
    assert client_grant(client, (escaped, secret + "x")).status_code == 401


def test_rfc6749_2_3_1_client_credentials_in_the_query_string_are_refused(client):
    """Client credentials MUST NOT be sent in the request URI: the server does not read them
    there (the same credentials in the body are accepted)."""
    cid, secret = LEAVE
    resp = client.post(f"/auth/token?client_id={cid}&client_secret={secret}",
                       data={"grant_type": "client_credentials"})
    assert resp.status_code == 401 and resp.get_json()["error"] == "invalid_client"
    body = client.post("/auth/token", data={"grant_type": "client_credentials",
                                            "client_id": cid, "client_secret": secret})
    assert body.status_code == 200


def test_rfc6749_3_2_the_token_endpoint_takes_only_post(client):
    """The client MUST use POST at the token endpoint; other methods are not served."""
    assert client.get("/auth/token?grant_type=client_credentials").status_code == 405
    assert client_grant(client).status_code == 200


def test_rfc6749_3_2_a_parameter_sent_twice_is_an_invalid_request(client):
    """Request parameters MUST NOT be included more than once."""
    resp = client.post("/auth/token", data="grant_type=client_credentials&"
                       "grant_type=client_credentials",
                       content_type="application/x-www-form-urlencoded", auth=LEAVE)
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_request"
    assert client_grant(client).status_code == 200


def test_rfc6749_3_2_a_parameter_without_a_value_counts_as_omitted(client):
    """Parameters sent without a value MUST be treated as if omitted: an empty grant_type is
    a missing one (invalid_request), not an unsupported grant."""
    resp = client.post("/auth/token", data={"grant_type": ""}, auth=LEAVE)
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_request"
    missing = client.post("/auth/token", data={}, auth=LEAVE)
    assert missing.get_json()["error"] == "invalid_request"


def test_rfc6749_4_4_2_the_client_credentials_grant_needs_client_authentication(client):
    """The client MUST authenticate with the server for the client credentials grant."""
    resp = client.post("/auth/token", data={"grant_type": "client_credentials",
                                            "client_id": LEAVE[0]})
    assert resp.status_code == 401 and resp.get_json()["error"] == "invalid_client"
    assert client_grant(client).status_code == 200


def test_rfc6749_4_4_3_a_client_credentials_response_carries_no_refresh_token(client):
    """A refresh token SHOULD NOT be included (docs/api.md: never) in a client credentials
    response."""
    body = client_grant(client).get_json()
    assert "refresh_token" not in body and body["access_token"]


def test_rfc6749_5_1_token_response_is_json_with_token_type_and_expiry(client, auth):
    """access_token and token_type are REQUIRED, in a JSON object (application/json);
    expires_in is the lifetime in seconds."""
    for resp in (client_grant(client), auth.login("alice")):
        assert resp.status_code == 200 and resp.mimetype == "application/json"
        body = resp.get_json()
        assert isinstance(body["access_token"], str) and body["access_token"]
        assert body["token_type"].lower() == "bearer"
        assert isinstance(body["expires_in"], int) and body["expires_in"] > 0


def test_rfc6749_5_1_token_response_has_no_store_cache_control(client, auth):
    """A response carrying tokens MUST have `Cache-Control: no-store` and
    `Pragma: no-cache`."""
    for resp in (client_grant(client), auth.login("alice")):
        assert resp.status_code == 200
        assert resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["Pragma"] == "no-cache"


def test_rfc6749_5_1_scope_is_named_when_it_differs_from_the_request(client):
    """scope is REQUIRED in the response when the granted scope is not the one requested:
    a client asking for one permission is told what it got."""
    body = client_grant(client, scope="leave:read").get_json()
    granted = set(body["scope"].split())
    assert granted and all(":" in p for p in granted)
    assert set(claims_of(body["access_token"])["scope"].split()) == granted


def _errors(client, auth):
    """One request for each error the token endpoint can give (well under the brake)."""
    return {
        "invalid_request": client.post("/auth/token", data={"grant_type": "password"}),
        "invalid_client": client_grant(client, (LEAVE[0], "wrong-secret")),
        "invalid_grant": auth.login("alice", "not-her-password"),
        "unsupported_grant_type": client.post("/auth/token",
                                              data={"grant_type": "urn:example:magic"}),
    }


def test_rfc6749_5_2_errors_are_json_objects_with_a_registered_code(client, auth):
    """An error response MUST carry `error`, one of the registered codes, in a JSON body;
    400 unless stated otherwise (401 for a failed client authentication)."""
    for code, resp in _errors(client, auth).items():
        body = resp.get_json()
        assert resp.mimetype == "application/json", code
        assert body["error"] == code and code in REGISTERED
        assert resp.status_code == (401 if code == "invalid_client" else 400), code
    assert client_grant(client).status_code == 200  # positive control


def test_rfc6749_5_2_failed_basic_authentication_is_401_with_a_basic_challenge(client):
    """A client that authenticated with the Authorization header and failed MUST get 401 and
    a WWW-Authenticate header for the scheme it used."""
    resp = client_grant(client, (LEAVE[0], "wrong-secret"))
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].lower().startswith("basic")
    assert client_grant(client).status_code == 200


@pytest.mark.parametrize("grant", ["урок", "休假", 'say "hi"', "back\\slash", "e\u0301"])
def test_rfc6749_5_2_error_description_holds_printable_ascii_only(client, grant):
    """error and error_description MUST NOT hold characters outside %x20-21 / %x23-5B /
    %x5D-7E — not even when the request echoed into them held such characters."""
    resp = client.post("/auth/token", data={"grant_type": grant})
    body = resp.get_json()
    assert resp.status_code == 400 and body["error"] == "unsupported_grant_type"
    assert ASCII_NQ.match(body["error"]) and ASCII_NQ.match(body["error_description"]), body


def test_rfc6749_5_2_every_error_description_is_printable_ascii(client, auth):
    """The same rule over every error the token endpoint gives."""
    for code, resp in _errors(client, auth).items():
        body = resp.get_json()
        assert ASCII_NQ.match(body.get("error_description", "")), (code, body)


# --- RFC 7009: revocation -------------------------------------------------------------------

def test_rfc7009_2_1_a_revoked_refresh_token_can_no_longer_be_used(client, auth):
    """After revocation the server MUST refuse the token: a revoked refresh token gives no
    new tokens (invalid_grant); an unrevoked one still does."""
    kept = auth.login("alice").get_json()["refresh_token"]
    revoked = auth.login("alice").get_json()["refresh_token"]
    assert client.post("/auth/revoke", data={"token": revoked}, auth=LEAVE).status_code == 200
    again = client.post("/auth/token", data={"grant_type": "refresh_token",
                                             "refresh_token": revoked})
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    assert client.post("/auth/token", data={"grant_type": "refresh_token",
                                            "refresh_token": kept}).status_code == 200


def test_rfc7009_2_1_a_wrong_hint_does_not_stop_the_search(client, auth):
    """When the token is not found under its hint the server MUST look under the other token
    types: a refresh token sent with hint access_token is still revoked."""
    refresh = auth.login("alice").get_json()["refresh_token"]
    resp = client.post("/auth/revoke", data={"token": refresh, "token_type_hint": "access_token"},
                       auth=LEAVE)
    assert resp.status_code == 200
    assert introspect(client, refresh).get_json() == {"active": False}
    access = auth.token("alice")
    client.post("/auth/revoke", data={"token": access, "token_type_hint": "refresh_token"},
                auth=LEAVE)
    assert introspect(client, access).get_json() == {"active": False}


def test_rfc7009_2_1_the_token_parameter_is_required(client):
    """`token` is REQUIRED: without it the request is an invalid_request (§2.2.1 / 6749 §5.2)."""
    resp = client.post("/auth/revoke", data={}, auth=LEAVE)
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_request"


def test_rfc7009_2_1_failed_client_authentication_is_invalid_client(client, auth):
    """The server first validates the client's credentials; failing them the request is
    refused (invalid_client) and the token stays valid."""
    refresh = auth.login("alice").get_json()["refresh_token"]
    resp = client.post("/auth/revoke", data={"token": refresh}, auth=(LEAVE[0], "wrong"))
    assert resp.status_code == 401 and resp.get_json()["error"] == "invalid_client"
    assert introspect(client, refresh).get_json()["active"] is True


def test_rfc7009_2_2_an_invalid_token_is_answered_200(client):
    """Invalid tokens do not cause an error: the server answers 200 as for a revoked one."""
    for junk in ("not-a-token", "a.b.c", "x" * 500):
        assert client.post("/auth/revoke", data={"token": junk}, auth=LEAVE).status_code == 200


def test_rfc7009_2_1_a_revoked_access_token_is_refused(client, auth):
    """A revoked access token is no longer accepted by the server that issued it (auth's own
    routes and its introspection answer)."""
    access = auth.token("alice")
    assert me(client, access).status_code == 200
    assert client.post("/auth/revoke", data={"token": access}, auth=LEAVE).status_code == 200
    assert introspect(client, access).get_json() == {"active": False}
    assert me(client, access).status_code == 401


def test_rfc7009_2_the_revocation_endpoint_takes_only_post(client):
    """The client requests revocation with an HTTP POST."""
    assert client.get("/auth/revoke?token=x").status_code == 405


# --- RFC 7662: introspection ----------------------------------------------------------------

def test_rfc7662_2_1_introspection_needs_authorization(client, auth):
    """The endpoint MUST require some form of authorization (against token scanning)."""
    token = auth.token("alice")
    resp = client.post("/auth/introspect", data={"token": token})
    assert resp.status_code == 401 and "active" not in resp.get_json()
    assert introspect(client, token).get_json()["active"] is True


def test_rfc7662_2_1_the_token_parameter_is_required(client):
    """`token` is REQUIRED."""
    resp = client.post("/auth/introspect", data={}, auth=LEAVE)
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_request"


def test_rfc7662_2_1_a_form_encoded_post_is_accepted(client, auth):
    """The endpoint takes POST with application/x-www-form-urlencoded parameters."""
    token = auth.token("alice")
    resp = client.post("/auth/introspect", data=f"token={token}",
                       content_type="application/x-www-form-urlencoded", auth=LEAVE)
    assert resp.status_code == 200 and resp.get_json()["active"] is True
    assert client.get(f"/auth/introspect?token={token}").status_code == 405


def test_rfc7662_2_2_an_active_token_answers_active_true_with_jwt_typed_members(client, auth):
    """`active` is REQUIRED and boolean; `exp`/`iat` are NumericDate integers, `sub`/`iss`/
    `jti` strings, `scope` a space-separated string, as in JWT."""
    for token in (auth.token("alice"), client_grant(client).get_json()["access_token"]):
        body = introspect(client, token).get_json()
        assert body["active"] is True
        assert all(isinstance(body[k], int) for k in ("exp", "iat"))
        assert all(isinstance(body[k], str) for k in ("sub", "iss", "jti"))
        assert body["iss"] == ISSUER
        if "scope" in body:
            assert isinstance(body["scope"], str) and all(body["scope"].split(" "))


def test_rfc7662_2_2_an_unknown_or_dead_token_answers_only_active_false(client, auth, tokens):
    """A token that is not active, not known, or not this server's MUST be answered with
    `active: false` and nothing else that could tell them apart."""
    access = auth.token("alice")
    client.post("/auth/revoke", data={"token": access}, auth=LEAVE)
    for token in ("garbage", "a.b.c", tokens.user(sub="1"), access):
        resp = introspect(client, token)
        assert resp.status_code == 200 and resp.get_json() == {"active": False}, token
    assert introspect(client, auth.token("alice")).get_json()["active"] is True


def test_rfc7662_2_3_failed_client_authentication_is_401(client, auth):
    """A caller whose credentials are invalid gets 401 and learns nothing about the token."""
    token = auth.token("alice")
    resp = introspect(client, token, creds=(LEAVE[0], "wrong"))
    assert resp.status_code == 401 and "active" not in resp.get_json()
    assert introspect(client, token).status_code == 200


def test_rfc7662_2_3_a_caller_without_the_right_learns_nothing(client, auth):
    """A caller without sufficient privileges is refused (RFC 6750 §3.1 insufficient_scope)
    and the answer holds no token state."""
    token = auth.token("alice")
    resp = introspect(client, token, creds=STAFF)
    assert resp.status_code == 403 and resp.get_json()["error"] == "insufficient_scope"
    assert "active" not in resp.get_json()
    assert introspect(client, token).get_json()["active"] is True


def test_rfc7662_2_2_introspection_answers_are_not_cached(client, auth):
    """Token state changes at once (revocation); answers carry no-store so that no cache
    keeps an `active: true` (RFC 7662 §4 requires the state be current)."""
    resp = introspect(client, auth.token("alice"))
    assert resp.headers["Cache-Control"] == "no-store"


# --- RFC 7517 (and RFC 7518 §6.3 for RSA members): the JWKS ---------------------------------

@pytest.fixture
def jwks(client):
    resp = client.get("/auth/.well-known/jwks.json")
    assert resp.status_code == 200 and resp.mimetype in {"application/json",
                                                         "application/jwk-set+json"}
    return resp.get_json()


def test_rfc7517_5_the_set_is_an_object_with_a_keys_array(jwks):
    """A JWK Set is a JSON object whose REQUIRED member `keys` is an array of JWKs."""
    assert isinstance(jwks["keys"], list) and jwks["keys"]
    assert all(isinstance(k, dict) for k in jwks["keys"])


def test_rfc7517_4_1_every_key_has_kty_and_its_rsa_members(jwks):
    """`kty` is REQUIRED; an RSA public key has `n` and `e` (RFC 7518 §6.3.1)."""
    for key in jwks["keys"]:
        assert key["kty"] == "RSA" and key["n"] and key["e"]


def test_rfc7517_4_3_use_and_key_ops_are_not_both_present(jwks):
    """`use` and `key_ops` SHOULD NOT be used together; when `use` is there it is `sig`."""
    for key in jwks["keys"]:
        assert not ("use" in key and "key_ops" in key)
        assert key.get("use", "sig") == "sig"


def test_rfc7517_4_5_kids_are_distinct_within_the_set(jwks):
    """Keys of a set SHOULD have distinct `kid`s (a verifier picks the key by kid)."""
    kids = [k["kid"] for k in jwks["keys"]]
    assert all(isinstance(k, str) and k for k in kids) and len(set(kids)) == len(kids)


def test_rfc7517_9_3_no_private_key_member_is_published(jwks):
    """Private key parameters MUST NOT be disclosed: a public set holds none of d, p, q, dp,
    dq, qi, oth, k."""
    for key in jwks["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi", "oth", "k"} & set(key)


def test_rfc7518_6_3_1_the_modulus_is_unpadded_minimal_base64url_of_2048_bits(jwks):
    """`n`/`e` are base64url without padding, using the minimum number of octets; RSA keys
    MUST be 2048 bits or more (RFC 7518 §3.3)."""
    for key in jwks["keys"]:
        for member in ("n", "e"):
            assert re.fullmatch(r"[A-Za-z0-9_-]+", key[member]), member
            assert b64decode(key[member])[0] != 0, member
        assert len(b64decode(key["n"])) * 8 >= 2048


def test_rfc7517_4_4_each_tokens_kid_and_alg_name_a_published_key_that_verifies_it(client,
                                                                                   auth,
                                                                                   jwks):
    """`alg`, when present, names the algorithm the key is used with: the kid of an issued
    token finds a key in the set with that alg, and that key verifies the token."""
    token = auth.token("alice")
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert key.get("alg", header["alg"]) == header["alg"] == "RS256"
    public = RSAAlgorithm.from_jwk(json.dumps(key))
    assert jwt.decode(token, public, algorithms=["RS256"], issuer=ISSUER)["sub"]


# --- RFC 8414: metadata ---------------------------------------------------------------------

@pytest.fixture
def metadata(client):
    resp = client.get("/.well-known/oauth-authorization-server/auth")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return resp.get_json()


def test_rfc8414_3_metadata_is_served_where_the_well_known_name_meets_the_issuer_path(client,
                                                                                      metadata):
    """The well-known suffix is inserted between host and the issuer's path component; the
    document answers 200 application/json there (and under the prefix, identically)."""
    under_prefix = client.get("/auth/.well-known/oauth-authorization-server")
    assert under_prefix.status_code == 200 and under_prefix.get_json() == metadata


def test_rfc8414_3_3_the_issuer_is_identical_to_the_one_the_url_was_built_from(metadata):
    """The `issuer` returned MUST be identical to the issuer identifier the well-known URL
    was made from, and it is the `iss` of issued tokens."""
    assert metadata["issuer"] == ISSUER


def test_rfc8414_2_the_issuer_has_no_query_or_fragment(metadata):
    """The issuer is a URL with no query or fragment components."""
    assert "?" not in metadata["issuer"] and "#" not in metadata["issuer"]


def test_rfc8414_2_required_members_are_present(metadata):
    """`issuer`, `token_endpoint` (a grant other than implicit is supported) and
    `response_types_supported` are REQUIRED."""
    assert metadata["issuer"] and metadata["token_endpoint"]
    assert isinstance(metadata["response_types_supported"], list)


def test_rfc8414_2_members_with_zero_elements_are_omitted(metadata):
    """Members that return multiple values are arrays, and members with zero elements MUST
    be omitted (`response_types_supported` excepted: it is REQUIRED; see the module
    docstring)."""
    for name, value in metadata.items():
        if isinstance(value, list) and name != "response_types_supported":
            assert value, f"{name} is an empty array"


def test_rfc8414_2_every_advertised_endpoint_is_served(client, metadata):
    """The endpoints the metadata names are where the server answers them."""
    def path(url: str) -> str:
        assert url.startswith(ISSUER + "/")
        return "/auth" + url[len(ISSUER):]

    assert client.get(path(metadata["jwks_uri"])).status_code == 200
    assert client.post(path(metadata["token_endpoint"]), data={"grant_type":
                                                               "client_credentials"},
                       auth=LEAVE).status_code == 200
    assert client.post(path(metadata["introspection_endpoint"]), data={"token": "x"},
                       auth=LEAVE).status_code == 200
    assert client.post(path(metadata["revocation_endpoint"]), data={"token": "x"},
                       auth=LEAVE).status_code == 200


def test_rfc8414_2_every_advertised_grant_type_is_honoured(client, auth, metadata):
    """`grant_types_supported` lists what the server does: each listed grant succeeds."""
    pair = auth.login("alice").get_json()
    answers = {"password": auth.login("alice"), "client_credentials": client_grant(client),
               "refresh_token": client.post("/auth/token", data={
                   "grant_type": "refresh_token", "refresh_token": pair["refresh_token"]})}
    for grant in metadata["grant_types_supported"]:
        assert answers[grant].status_code == 200, grant


# --- RFC 8725 §3: JWT best current practices ------------------------------------------------

@pytest.fixture
def good(auth):
    return auth.token("alice")


def test_rfc8725_3_1_an_unsigned_alg_none_token_is_refused(client, good):
    """Verifiers MUST only accept the algorithms they chose: `alg: none` is refused."""
    header = jwt.get_unverified_header(good)
    assert me(client, good).status_code == 200
    assert me(client, alg_none_token(claims_of(good), header["kid"])).status_code == 401


def test_rfc8725_3_1_hs256_keyed_with_the_public_key_is_refused(client, good, jwks):
    """No algorithm substitution: an HMAC token keyed with the RSA public key is refused."""
    kid = jwt.get_unverified_header(good)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    pem = RSAAlgorithm.from_jwk(json.dumps(jwk)).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    head = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": kid}).encode())
    body = b64(json.dumps(claims_of(good)).encode())
    sig = b64(hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest())
    assert me(client, good).status_code == 200
    assert me(client, f"{head}.{body}.{sig}").status_code == 401


def test_rfc8725_3_2_tokens_are_signed_rs256_with_a_key_of_2048_bits_or_more(app, good):
    """Use appropriate algorithms and key sizes: RS256 over an RSA key of ≥ 2048 bits."""
    assert jwt.get_unverified_header(good)["alg"] == "RS256"
    assert auth_key(app, good).private_key.key_size >= 2048


def test_rfc8725_3_3_a_token_whose_signature_fails_is_refused_whole(client, good):
    """Every cryptographic operation MUST be validated and the whole JWT rejected if one
    fails: one flipped signature byte, or a payload changed under the old signature."""
    head, payload, sig = good.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    claims = claims_of(good) | {"roles": [{"role": "admin", "org": "*", "path": "*"}]}
    assert me(client, good).status_code == 200
    assert me(client, f"{head}.{payload}.{flipped}").status_code == 401
    assert me(client, f"{head}.{b64(json.dumps(claims).encode())}.{sig}").status_code == 401


def test_rfc8725_3_7_claims_are_utf8_and_other_encodings_are_refused(app, client, good):
    """JSON in headers and claims MUST be UTF-8: a CJK claim in UTF-8 verifies; a payload in
    another encoding is refused as a bad token (401), never a 5xx."""
    key = auth_key(app, good)
    claims = claims_of(good) | {"note": "人民路支行"}
    assert me(client, key.sign(claims)).status_code == 200
    head = b64(json.dumps({"alg": "RS256", "typ": "at+jwt", "kid": key.kid}).encode())
    body = b64(json.dumps(claims, ensure_ascii=False).encode("gb18030"))
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    sig = key.private_key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    assert me(client, f"{head}.{body}.{b64(sig)}").status_code == 401


def test_rfc8725_3_8_a_token_from_another_issuer_is_refused(app, client, good):
    """The issuer MUST be validated, and the keys used MUST belong to it: the right key with
    a foreign `iss`, or a foreign key under auth's kid, are refused."""
    key = auth_key(app, good)
    claims = claims_of(good)
    assert me(client, key.sign(claims)).status_code == 200
    assert me(client, key.sign(claims | {"iss": "http://evil.test/auth"})).status_code == 401
    stranger = SigningKey(private_key=rsa.generate_private_key(65537, 2048))
    assert me(client, stranger.sign(claims, kid=key.kid)).status_code == 401


def test_rfc8725_3_10_header_members_pointing_elsewhere_are_not_followed(app, client, good):
    """Received header values are not trusted: `jku`, `x5u` and an embedded `jwk` naming an
    attacker's key are neither fetched nor used, and a hostile `kid` is a 401, never a 5xx."""
    stranger = SigningKey(private_key=rsa.generate_private_key(65537, 2048))
    claims = claims_of(good)
    with JWKSServer(stranger.jwks()) as evil:
        for extra in ({"jku": evil.url}, {"x5u": evil.url}, {"jwk": stranger.jwk()}):
            forged = jwt.encode(claims, stranger.private_pem(), algorithm="RS256",
                                headers={"kid": stranger.kid, "typ": "at+jwt", **extra})
            assert me(client, forged).status_code == 401, extra
        assert evil.hits == 0
    key = auth_key(app, good)
    for kid in ("' OR '1'='1", "../../etc/passwd", "\u202e" + key.kid, "k" * 5000):
        assert me(client, key.sign(claims, kid=kid)).status_code == 401, kid[:20]
    assert me(client, key.sign(claims)).status_code == 200


def test_rfc8725_3_11_access_tokens_are_explicitly_typed_and_the_type_is_checked(app, client,
                                                                                 good):
    """Explicit typing: issued tokens carry `typ: at+jwt` (RFC 9068) and a token of another
    type — even correctly signed — is refused."""
    assert jwt.get_unverified_header(good)["typ"] == "at+jwt"
    key = auth_key(app, good)
    assert me(client, key.sign(claims_of(good), typ="at+jwt")).status_code == 200
    for typ in ("JWT", "id_token+jwt", "secevent+jwt"):
        assert me(client, key.sign(claims_of(good), typ=typ)).status_code == 401, typ


def test_rfc8725_3_12_tokens_of_one_kind_are_not_accepted_as_another(client, auth):
    """Validation rules of different kinds of tokens are mutually exclusive: a refresh token
    is not a bearer token, and an access token is not a refresh token."""
    pair = auth.login("alice").get_json()
    assert me(client, pair["access_token"]).status_code == 200
    assert me(client, pair["refresh_token"]).status_code == 401
    resp = client.post("/auth/token", data={"grant_type": "refresh_token",
                                            "refresh_token": pair["access_token"]})
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_grant"


def test_rfc8725_3_1_an_expired_or_not_yet_valid_token_is_refused(app, client, good):
    """Registered time claims are validated: an `exp` in the past or an `nbf` in the future
    (beyond the leeway) is refused."""
    key = auth_key(app, good)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = claims_of(good)
    assert me(client, key.sign(claims | {"iat": now, "exp": now + 60})).status_code == 200
    assert me(client, key.sign(claims | {"iat": now - 700,
                                         "exp": now - 400})).status_code == 401
    assert me(client, key.sign(claims | {"nbf": now + 600})).status_code == 401
