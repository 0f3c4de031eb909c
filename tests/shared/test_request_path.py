"""The platform's request path, made cheaper, still does everything it did: one access-log
line per answer with every field, the request id, no-store behind the token, the metrics'
series (and no series per invented method), and the remembered principal of a token."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from flask.views import MethodView

from shared import metrics
from shared.logging import JsonFormatter, log_access
from shared.web import Blueprint
from tests.conftest import bearer
from tests.shared.conftest import client_for

blp = Blueprint("path", __name__, url_prefix="/leave")


@blp.route("/path-thing")
class PathThing(MethodView):
    @blp.response(200)
    def get(self):
        return {"name": "年假"}


@pytest.fixture
def client(verifier, tmp_path):
    return client_for([blp], verifier, tmp_path)


def access_lines(caplog):
    return [r for r in caplog.records if r.name == "hr.access"]


def test_each_answer_is_one_access_line_with_every_field(client, tokens, caplog):
    token = tokens.user(sub="user-77", emp="E1")
    with caplog.at_level(logging.INFO, logger="hr.access"):
        resp = client.get("/leave/path-thing",
                          headers={**bearer(token), "X-Request-ID": "req-abcdef12"})
    assert resp.status_code == 200
    [line] = access_lines(caplog)
    assert (line.method, line.path, line.status, line.sub, line.request_id) == (
        "GET", "/leave/path-thing", 200, "user-77", "req-abcdef12")
    assert line.duration_ms >= 0
    assert line.levelname == "INFO" and line.getMessage() == "request"
    assert line.thread == threading.get_ident()


def test_a_refused_request_is_logged_too_without_a_caller(client, caplog):
    with caplog.at_level(logging.INFO, logger="hr.access"):
        resp = client.get("/leave/path-thing")
    assert resp.status_code == 401
    [line] = access_lines(caplog)
    assert (line.status, line.sub) == (401, None)
    assert line.request_id == resp.headers["X-Request-ID"]


def test_the_json_line_keeps_chinese_text_and_every_field(caplog):
    with caplog.at_level(logging.INFO, logger="hr.access"):
        log_access(method="GET", path="/leave/年假", status=200, started=None, sub="u-1",
                   remote="10.0.0.1", request_id="req-abcdef12")
    [record] = access_lines(caplog)
    text = JsonFormatter("leave").format(record)
    assert "年假" in text  # UTF-8 as is, not \\u escapes
    entry = json.loads(text)
    assert entry["ts"].endswith("Z")
    assert {k: entry[k] for k in ("level", "service", "logger", "msg", "method", "path",
                                  "status", "duration_ms", "sub", "remote", "request_id")} == {
        "level": "info", "service": "leave", "logger": "hr.access", "msg": "request",
        "method": "GET", "path": "/leave/年假", "status": 200, "duration_ms": None,
        "sub": "u-1", "remote": "10.0.0.1", "request_id": "req-abcdef12"}


def test_a_value_orjson_refuses_is_still_written():
    record = logging.LogRecord("hr.test", logging.INFO, __file__, 1, "big", None, None)
    record.status = 2**70  # beyond 64 bits: the standard library's encoder writes it
    assert json.loads(JsonFormatter("leave").format(record))["status"] == 2**70


def test_answers_behind_the_token_are_no_store_and_public_ones_are_not(client, tokens):
    token = tokens.user(emp="E1")
    assert client.get("/leave/path-thing", headers=bearer(token)).headers[
        "Cache-Control"] == "no-store"
    assert client.get("/leave/path-thing").headers["Cache-Control"] == "no-store"  # the 401
    assert "no-store" not in client.get("/leave/metrics").headers.get("Cache-Control", "")


def test_invented_methods_reuse_one_remembered_series(client):
    for method in ("AAAA", "BBBB", "CCCC"):
        client.open("/leave/path-thing", method=method)
    assert {k[2] for k in metrics._children} <= metrics.METHODS | {"other"}
    assert ("leave", "unmatched", "other", 405) in metrics._children  # no rule took it


def test_a_remembered_series_counts_as_the_labels_call_would():
    def count():
        return metrics.REQUESTS.labels("leave", "/leave/x-route", "GET", "200")._value.get()

    before = count()
    metrics.observe_request("leave", "/leave/x-route", "GET", 200, 0.003)
    metrics.observe_request("leave", "/leave/x-route", "GET", 200, None)
    assert count() - before == 2


def test_a_token_already_seen_is_not_verified_again_until_it_expires(verifier, tokens,
                                                                     monkeypatch):
    class VerifiedAgain(Exception):
        pass

    def verify(_token):
        raise VerifiedAgain

    token = tokens.user(emp="E1")
    first = verifier.principal(token)
    monkeypatch.setattr(verifier, "verify", verify)
    assert verifier.principal(token) is first
    until = verifier.trusted_until(token)
    monkeypatch.setattr(verifier, "_clock", lambda: until + 1)
    with pytest.raises(VerifiedAgain):  # past exp + leeway: verified again
        verifier.principal(token)
