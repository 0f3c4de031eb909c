"""Bad input gets the status docs/api.md names: 400, 415, 422 — never a 5xx."""

from __future__ import annotations

import json

import marshmallow as ma
import pytest
from flask.views import MethodView

from shared.web import Blueprint
from tests.conftest import bearer
from tests.shared.conftest import client_for


class Duty(ma.Schema):
    text_zh = ma.fields.String(required=True, validate=ma.validate.Length(min=1))


class ThingCreate(ma.Schema):
    name = ma.fields.String(required=True)
    duties = ma.fields.List(ma.fields.Nested(Duty), load_default=list)


blp = Blueprint("things", __name__, url_prefix="/leave")


@blp.route("/things")
class Things(MethodView):
    @blp.arguments(ThingCreate)
    @blp.response(201, ThingCreate)
    def post(self, thing):
        return thing


class SearchQuery(ma.Schema):
    q = ma.fields.String()


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchQuery, location="query")
    @blp.response(200, SearchQuery)
    def get(self, query):
        return query


@pytest.fixture
def app_with_query(client):
    return client


@pytest.fixture
def client(verifier, tmp_path):
    return client_for([blp], verifier, tmp_path)


@pytest.fixture
def auth(tokens):
    return bearer(tokens.user(emp="E1"))


def test_a_valid_body_is_accepted(client, auth):
    resp = client.post("/leave/things", json={"name": "a", "duties": [{"text_zh": "职责"}]},
                       headers=auth)
    assert resp.status_code == 201
    assert resp.get_json()["duties"][0]["text_zh"] == "职责"


@pytest.mark.parametrize("body", [b"{not json", b'{"name": "a"', b"\xff\xfe"])
def test_malformed_json_is_a_400(client, auth, body):
    resp = client.post("/leave/things", data=body, content_type="application/json", headers=auth)
    assert resp.status_code == 400
    assert resp.mimetype == "application/problem+json"


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, auth, body):
    resp = client.post("/leave/things", data=body, content_type="application/json", headers=auth)
    assert resp.status_code == 400


def test_a_body_sent_as_another_content_type_is_a_415(client, auth):
    resp = client.post("/leave/things", data="name=a", headers=auth,
                       content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415


def test_invalid_and_unknown_fields_are_a_422_with_flat_per_field_messages(client, auth):
    resp = client.post("/leave/things", headers=auth,
                       json={"duties": [{"text_zh": ""}], "colour": "red"})
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert set(errors) == {"name", "duties.0.text_zh", "colour"}
    assert all(isinstance(v, list) and v for v in errors.values())


def test_no_token_is_a_401_before_any_validation(client):
    resp = client.post("/leave/things", data=b"{broken", content_type="application/json")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_request_id_is_echoed_or_minted(client, auth):
    resp = client.post("/leave/things", json={"name": "a"}, headers=auth)
    minted = resp.headers["X-Request-ID"]
    assert len(minted) >= 8
    resp = client.post("/leave/things", json={"name": "a"},
                       headers={**auth, "X-Request-ID": "req-12345678"})
    assert resp.headers["X-Request-ID"] == "req-12345678"
    resp = client.post("/leave/things", json={"name": "a"},
                       headers={**auth, "X-Request-ID": "bad id; drop table"})
    assert resp.headers["X-Request-ID"] != "bad id; drop table"


@pytest.mark.parametrize("depth", [40, 1000, 5000])
def test_hostile_nesting_is_a_400_not_a_500(client, auth, depth):
    body = '{"name": "a", "duties": ' + "[" * depth + "]" * depth + "}"
    resp = client.post("/leave/things", data=body, content_type="application/json", headers=auth)
    assert resp.status_code == 400, resp.data
    assert resp.mimetype == "application/problem+json"


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_an_empty_json_body_is_a_400(client, auth, body):
    resp = client.post("/leave/things", data=body, content_type="application/json", headers=auth)
    assert resp.status_code == 400


@pytest.mark.parametrize("text", ["a\x00b", "\u202eevil", "bell\x07", "\ud800", "c1\x85"])
def test_control_and_disguising_characters_are_a_422_naming_the_field(client, auth, text):
    ok = client.post("/leave/things", json={"name": "张三\t(tab is fine)\n"}, headers=auth)
    assert ok.status_code == 201
    body = json.dumps({"name": "ok", "duties": [{"text_zh": text}]})  # escapes, as clients do
    resp = client.post("/leave/things", data=body, content_type="application/json", headers=auth)
    assert resp.status_code == 422, resp.data
    assert list(resp.get_json()["errors"]) == ["duties.0.text_zh"]


def test_control_characters_in_the_query_string_are_a_422(client, auth, app_with_query):
    ok = app_with_query.get("/leave/search?q=%E5%BC%A0", headers=auth)
    assert ok.status_code == 200
    resp = app_with_query.get("/leave/search?q=a%00b", headers=auth)
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["q"]


def test_answers_behind_a_token_are_never_cached_while_public_ones_may_be(client, auth):
    resp = client.post("/leave/things", json={"name": "a"}, headers=auth)
    assert resp.headers["Cache-Control"] == "no-store"
    denied = client.post("/leave/things", json={"name": "a"})
    assert denied.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/leave/health").headers.get("Cache-Control", "")


def test_a_request_without_credentials_gets_a_bare_bearer_challenge(client, auth):
    assert client.post("/leave/things", json={"name": "a"}, headers=auth).status_code == 201
    assert client.post("/leave/things", json={"name": "a"}).headers["WWW-Authenticate"] == "Bearer"
    bad = client.post("/leave/things", json={"name": "a"},
                      headers={"Authorization": "Bearer not.a.token"})
    assert bad.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_the_spec_documents_401_and_403_on_secured_operations_only(client):
    spec = client.get("/leave/openapi.json").get_json()
    post = spec["paths"]["/leave/things"]["post"]["responses"]
    assert {"401", "403"} <= post.keys()
    health = spec["paths"]["/leave/health"]["get"]["responses"]
    assert "401" not in health
