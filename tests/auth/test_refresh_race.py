"""Rotation under real concurrency: two refreshes of one token mint at most one successor
(the loser is a replay, so the family dies), and a refresh racing a revoke never leaves a
live token. Threads hit the app through separate test clients and separate connections."""

from __future__ import annotations

import threading

import pytest

from tests.auth.conftest import SERVICE_CREDS


def _race(app, calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, fn):
        client = app.test_client()
        barrier.wait()
        results[i] = fn(client)

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _refresh(raw):
    def call(client):
        resp = client.post("/auth/token", data={"grant_type": "refresh_token",
                                                "refresh_token": raw})
        return resp.status_code, resp.get_json()
    return call


def _active(client, token):
    return client.post("/auth/introspect", data={"token": token},
                       auth=SERVICE_CREDS["leave"]).get_json()["active"]


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_refreshes_of_one_token_leave_no_live_successor(app, auth, client,
                                                                       attempt):
    auth.user("alice")
    raw = auth.login("alice").get_json()["refresh_token"]
    results = _race(app, [_refresh(raw), _refresh(raw)])
    winners = [body for status, body in results if status == 200]
    assert len(winners) <= 1
    assert any(status == 400 for status, _ in results)
    for body in winners:  # the loser replayed the token: the family is revoked
        assert not _active(client, body["refresh_token"])
        assert not _active(client, body["access_token"])


@pytest.mark.parametrize("attempt", range(3))
def test_a_refresh_racing_a_revoke_never_leaves_a_live_token(app, auth, client, attempt):
    auth.user("alice")
    raw = auth.login("alice").get_json()["refresh_token"]

    def revoke(c):
        return c.post("/auth/revoke", data={"token": raw}).status_code, None

    results = _race(app, [_refresh(raw), revoke])
    status, body = results[0]
    assert results[1][0] == 200
    if status == 200:
        assert not _active(client, body["refresh_token"])
        assert not _active(client, body["access_token"])
    else:
        assert body["error"] == "invalid_grant"
    assert not _active(client, raw)
