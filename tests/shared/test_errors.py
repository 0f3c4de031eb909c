"""One error envelope: every shared error and framework error maps to its status once."""

from __future__ import annotations

import pytest
from flask import Flask

from shared import errors
from shared.errors import flatten_errors, install_error_handlers


@pytest.fixture
def app():
    app = Flask("t")
    install_error_handlers(app)

    @app.get("/raise/<name>")
    def raise_(name):
        raise getattr(errors, name)("the detail")

    @app.get("/integrity/<kind>")
    def integrity(kind):
        import sqlite3

        from sqlalchemy.exc import IntegrityError

        message = {"unique": "UNIQUE constraint failed: users.username",
                   "foreign": "FOREIGN KEY constraint failed"}[kind]
        raise IntegrityError("INSERT INTO users ...", {}, sqlite3.IntegrityError(message))

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    return app


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("BadRequest", 400),
        ("Unauthorized", 401),
        ("Forbidden", 403),
        ("NotFound", 404),
        ("Conflict", 409),
        ("UnsupportedMediaType", 415),
        ("ValidationFailed", 422),
        ("ServiceUnavailable", 503),
    ],
)
def test_each_domain_error_answers_its_status_as_problem_json(app, name, status):
    resp = app.test_client().get(f"/raise/{name}")
    assert resp.status_code == status
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == status and body["detail"] == "the detail"
    assert {"type", "title", "status", "detail"} <= body.keys()


def test_unauthorized_names_the_bearer_scheme(app):
    resp = app.test_client().get("/raise/Unauthorized")
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unexpected_exception_is_a_plain_500_without_internals(app, caplog):
    resp = app.test_client().get("/boom")
    assert resp.status_code == 500
    assert resp.mimetype == "application/problem+json"
    assert b"hunter2" not in resp.data and b"Traceback" not in resp.data
    assert any("unhandled error" in r.getMessage() for r in caplog.records)


def test_unknown_route_and_wrong_method_are_problems(app):
    client = app.test_client()
    assert client.get("/nowhere").status_code == 404
    resp = client.post("/boom")
    assert resp.status_code == 405 and resp.mimetype == "application/problem+json"
    assert "GET" in resp.headers["Allow"]


def test_nested_messages_flatten_to_dotted_field_names():
    messages = {"name": ["Missing data for required field."],
                "duties": {0: {"text_zh": ["Shorter than minimum length 1."]}},
                "_schema": ["Invalid input type."]}
    assert flatten_errors(messages) == {
        "name": ["Missing data for required field."],
        "duties.0.text_zh": ["Shorter than minimum length 1."],
        "_schema": ["Invalid input type."],
    }


@pytest.mark.parametrize(("kind", "status"), [("unique", 409), ("foreign", 422)])
def test_a_constraint_the_store_enforces_is_a_conflict_or_refused_input_never_a_500(
        app, kind, status):
    resp = app.test_client().get(f"/integrity/{kind}")
    assert resp.status_code == status and resp.mimetype == "application/problem+json"
    assert b"users" not in resp.data and b"INSERT" not in resp.data
