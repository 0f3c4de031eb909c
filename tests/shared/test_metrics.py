"""Operators' metrics: every answer counted by route template and status, latency
histograms, the pool, replay lookups — served without a token at `/<service>/metrics`."""

from __future__ import annotations

import pytest
from flask.views import MethodView
from prometheus_client.parser import text_string_to_metric_families

from shared.web import Blueprint
from tests.conftest import bearer
from tests.shared.conftest import client_for

blp = Blueprint("metered", __name__, url_prefix="/leave")


@blp.route("/metered/<int:thing_id>")
class Metered(MethodView):
    @blp.response(200)
    def get(self, thing_id):
        return {"id": thing_id}


@pytest.fixture
def client(verifier, tmp_path):
    return client_for([blp], verifier, tmp_path)


def samples(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    resp = client.get("/leave/metrics")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(resp.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def requests_of(found, route, status, method="GET"):
    key = ("hr_http_requests_total", tuple(sorted(
        {"service": "leave", "route": route, "method": method, "status": status}.items())))
    return found.get(key, 0.0)


def test_answers_are_counted_by_route_template_and_status(client, tokens):
    token = tokens.user(emp="E1")
    before = samples(client)
    for thing in (1, 2, 3):
        assert client.get(f"/leave/metered/{thing}", headers=bearer(token)).status_code == 200
    assert client.get("/leave/metered/4").status_code == 401  # no token
    after = samples(client)
    route = "/leave/metered/<int:thing_id>"
    assert requests_of(after, route, "200") - requests_of(before, route, "200") == 3
    assert requests_of(after, route, "401") - requests_of(before, route, "401") == 1
    # One series per route, never per id: a scan of ids cannot multiply the series.
    assert not [key for key in after if "/leave/metered/1" in str(key)]


def test_unknown_paths_share_one_label(client):
    before = samples(client)
    client.get("/leave/no-such-thing-a")
    client.get("/leave/no-such-thing-b")
    after = samples(client)
    assert requests_of(after, "unmatched", "404") - requests_of(before, "unmatched", "404") == 2


def test_latency_is_a_histogram_per_route(client, tokens):
    token = tokens.user(emp="E1")
    client.get("/leave/metered/9", headers=bearer(token))
    found = samples(client)
    labels = (("le", "+Inf"), ("method", "GET"), ("route", "/leave/metered/<int:thing_id>"),
              ("service", "leave"))
    assert found[("hr_http_request_duration_seconds_bucket", labels)] >= 1
    assert ("hr_http_request_duration_seconds_count",
            labels[1:]) in found


def test_metrics_need_no_token_but_other_routes_still_do(client, tokens):
    assert client.get("/leave/metrics").status_code == 200
    assert client.get("/leave/metered/1").status_code == 401
    assert client.get("/leave/metered/1",
                      headers=bearer(tokens.user(emp="E1"))).status_code == 200


def test_invented_methods_share_one_label(client):
    """Any token is a method to gunicorn: each invented one must not become a series."""
    before = samples(client)
    for method in ("AAAA", "ZZZ1", "BREW"):
        client.open("/leave/metered/1", method=method)
    after = samples(client)
    names = {dict(labels).get("method") for (name, labels) in after
             if name == "hr_http_requests_total"}
    assert not names & {"AAAA", "ZZZ1", "BREW"}
    other = sum(v for (name, labels), v in after.items()
                if name == "hr_http_requests_total" and dict(labels)["method"] == "other")
    other_before = sum(v for (name, labels), v in before.items()
                       if name == "hr_http_requests_total" and dict(labels)["method"] == "other")
    assert other - other_before == 3


def test_the_pool_gauges_follow_connections_as_they_come_and_go(client, tmp_path):
    from sqlalchemy import create_engine, text

    def gauge(found, name):
        return found.get((name, (("service", "leave"),)), 0.0)

    engine = create_engine(f"sqlite:///{tmp_path / 'pool.db'}")
    before = samples(client)
    conn = engine.connect()
    conn.execute(text("select 1"))
    during = samples(client)
    conn.close()
    after = samples(client)
    engine.dispose()
    disposed = samples(client)
    in_use = "hr_db_pool_connections_in_use"
    opened = "hr_db_pool_connections_open"
    assert gauge(during, in_use) - gauge(before, in_use) == 1
    assert gauge(after, in_use) == gauge(before, in_use)
    assert gauge(after, opened) - gauge(before, opened) == 1
    assert gauge(disposed, opened) == gauge(before, opened)
