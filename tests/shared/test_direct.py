"""`shared.direct`: a lane answers only its route, and whatever it declines or fails on goes
to the app behind it unchanged."""

from __future__ import annotations

import io

import pytest
from prometheus_client import REGISTRY

from shared.direct import DirectLanes, Route, query_args, remembered_principal
from shared.tokens import StaticKeySource, TokenVerifier


class Behind:
    """The app behind the lanes (Flask, in a service): records what reached it."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, environ, start_response):
        self.seen.append(environ["PATH_INFO"])
        start_response("404 NOT FOUND", [("Content-Type", "text/plain")])
        return [b"behind"]


def _call(lanes, path, method="GET", query="", headers=None):
    answer: dict = {}

    def start_response(status, headers_out):
        answer.update(status=status, headers=dict(headers_out))

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
               "REMOTE_ADDR": "10.0.0.7", "wsgi.input": io.BytesIO(b""), **(headers or {})}
    body = b"".join(lanes(environ, start_response))
    return answer["status"], answer["headers"], body


def _lanes(lane):
    behind = Behind()
    lanes = DirectLanes(behind, service="test-direct", routes=[
        Route("GET", "/x/items", "/x/items", lane),
        Route("GET", "/x/cards/", "/x/cards/<no>", lane, prefix=True)])
    return lanes, behind


def _count(route):
    return REGISTRY.get_sample_value("hr_http_requests_total", {
        "service": "test-direct", "route": route, "method": "GET", "status": "200"}) or 0.0


def test_a_lane_answers_its_route_with_the_headers_flask_gives():
    lanes, behind = _lanes(lambda environ: (b'{"ok":true}\n', "user-1"))
    before = _count("/x/cards/<no>")
    status, headers, body = _call(lanes, "/x/cards/E1",
                                  headers={"HTTP_X_REQUEST_ID": "abc-123-def-456"})
    assert (status, body, behind.seen, lanes.answered) == ("200 OK", b'{"ok":true}\n', [], 1)
    assert headers == {"Content-Type": "application/json", "Content-Length": "12",
                       "Cache-Control": "no-store", "X-Request-ID": "abc-123-def-456"}
    assert _count("/x/cards/<no>") == before + 1  # counted under Flask's route template


@pytest.mark.parametrize(("path", "answered"), [
    ("/x/emp/E1/chain", True), ("/x/emp//chain", False), ("/x/emp/E1/chain/", False),
    ("/x/emp/E1/x/chain", False), ("/x/emp/E1/chainx", False), ("/x/emp/chain", False),
])
def test_a_route_with_a_suffix_takes_one_segment_between(path, answered):
    behind = Behind()
    lanes = DirectLanes(behind, service="test-direct", routes=[
        Route("GET", "/x/emp/", "/x/emp/<no>/chain", lambda environ: (b"{}", "u"), prefix=True,
              suffix="/chain")])
    assert (_call(lanes, path)[2] == b"{}") is answered
    assert behind.seen == ([] if answered else [path])


@pytest.mark.parametrize(("path", "method"), [
    ("/x/items/", "GET"), ("/x/item", "GET"), ("/x/items", "POST"), ("/x/cards/", "GET"),
    ("/x/cards/E1/more", "GET"), ("/y/items", "GET"),
])
def test_other_routes_go_behind(path, method):
    lanes, behind = _lanes(lambda environ: (b"{}", "user-1"))
    assert _call(lanes, path, method) == ("404 NOT FOUND", {"Content-Type": "text/plain"},
                                          b"behind")
    assert (behind.seen, lanes.answered) == ([path], 0)


def _raises(environ):
    raise RuntimeError("the database is down")


@pytest.mark.parametrize("lane", [lambda environ: None, _raises], ids=["declines", "fails"])
def test_a_lane_that_declines_or_fails_sends_the_request_behind(lane):
    lanes, behind = _lanes(lane)
    assert _call(lanes, "/x/items")[2] == b"behind"
    assert (behind.seen, lanes.answered) == (["/x/items"], 0)


def test_disabled_lanes_send_everything_behind():
    lanes, _behind = _lanes(lambda environ: (b"{}", "user-1"))
    lanes.enabled = False
    assert _call(lanes, "/x/items")[2] == b"behind"
    lanes.enabled = True
    assert _call(lanes, "/x/items")[2] == b"{}"  # the control


def test_an_insane_request_id_is_replaced():
    lanes, _behind = _lanes(lambda environ: (b"{}", "user-1"))
    _status, headers, _body = _call(lanes, "/x/items",
                                    headers={"HTTP_X_REQUEST_ID": "bad id\r\nX-Evil: 1"})
    assert "\n" not in headers["X-Request-ID"] and len(headers["X-Request-ID"]) == 32


def test_query_args_read_as_werkzeug_does():
    args = query_args({"QUERY_STRING": "page=2&per_page=&page=%33&x=%FF&y=a+b"})
    assert args.getlist("page") == ["2", "3"] and args["per_page"] == ""
    assert args["x"] == "%FF" and args["y"] == "a b"


def test_only_a_token_verified_before_and_still_trusted_is_remembered(signing_key, tokens):
    verifier = TokenVerifier(issuer=tokens.issuer, keys=StaticKeySource(signing_key.jwks()))
    token = tokens.user(sub="user-7", emp="E7")
    environ = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert remembered_principal(verifier, environ) is None  # never verified here
    verifier.principal(token)
    assert remembered_principal(verifier, environ).sub == "user-7"
    assert remembered_principal(verifier, {"HTTP_AUTHORIZATION": f"Basic {token}"}) is None
    verifier._clock = lambda: 10**12  # far past its exp
    assert remembered_principal(verifier, environ) is None
