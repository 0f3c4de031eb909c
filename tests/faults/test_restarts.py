"""Faults a production stack meets, over real HTTP between running services: PostgreSQL
restarted under the services, a service killed in the middle of a request, a webhook
receiver that was down when the event happened. Each ends with the same call succeeding.

One stack per module (on its own PostgreSQL server under the PostgreSQL store, which this
module restarts), so killing and restarting never disturbs the session's shared stack."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from shared.testing import PostgresServer, free_port
from tests.dates import short_span
from tests.e2e.conftest import require
from tests.e2e.harness import ROOT, Stack

pytestmark = pytest.mark.e2e
PASSWORD = "Faults-Passw0rd-2026!"
SERVICES = ("auth", "staff", "leave", "performance")


@pytest.fixture(scope="module")
def world(tmp_path_factory, store):
    require(*SERVICES)
    pg = PostgresServer().start() if store == "postgres" else None
    # A long timeout for calls between services: the kill tests stop leave while it waits,
    # and it must still be waiting (not answering 503) when the kill comes.
    stack = Stack(tmp_path_factory.mktemp("faults"), pg=pg,
                  extra_env={"HR_HTTP_TIMEOUT": "20"}).start()
    try:
        admin = stack.admin_token()
        stack.units(admin, ("FTHQ", "head_office", None), ("FTBR", "branch", "FTHQ"),
                           ("FTSB", "sub_branch", "FTBR"))
        stack.hire(admin, "FT1", "FTSB", "SUB_BRANCH_HEAD")
        for n in range(2, 6):
            stack.hire(admin, f"FT{n}", "FTSB", "CREDIT_OFFICER")
        stack.person(admin, "ft.head", "FT1", "branch_head", "FTSB", PASSWORD)
        for n in range(2, 6):
            stack.person(admin, f"ft.officer{n}", f"FT{n}", "employee", "FTSB", PASSWORD)
        yield stack, pg
    finally:
        stack.stop()
        if pg is not None:
            pg.stop()


def _file(stack, token, weeks, **kw):
    """Two days in the week `weeks` weeks ahead, from its first working day: one step.
    The spans of weeks two apart never join (one officer files weeks 5 and 7)."""
    start, end = short_span(weeks)
    return stack.request("POST", "leave", "/requests", token=token, timeout=30, json={
        "type": "personal", "start_date": start.isoformat(),
        "end_date": end.isoformat(), "reason": "faults", **kw})


def _until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def test_services_ride_out_a_database_restart_without_being_restarted(world, store):
    if store != "postgres":
        pytest.skip("a database server restart needs the PostgreSQL store")
    stack, pg = world
    officer = stack.login("ft.officer2", PASSWORD)
    head = stack.login("ft.head", PASSWORD)
    pids = {name: proc.pid for name, proc in stack.procs.items()}
    assert _file(stack, officer, 5).status_code == 201  # positive control

    pg.shut_down()
    try:
        for service in SERVICES:  # down: a 503 problem, never a 500 or a hang
            resp = stack.request("GET", service, "/health", timeout=15)
            assert resp.status_code == 503, (service, resp.status_code, resp.text)
            assert resp.headers["Content-Type"] == "application/problem+json"
        mine = stack.request("GET", "leave", "/requests?mine=true", token=officer, timeout=15)
        assert mine.status_code == 503 and "Traceback" not in mine.text
    finally:
        pg.start_again()

    assert _until(lambda: all(stack.request("GET", s, "/health", timeout=5).status_code == 200
                              for s in SERVICES))
    filed = _file(stack, officer, 7)
    assert filed.status_code == 201, filed.text
    decided = stack.request("POST", "leave", f"/requests/{filed.json()['id']}/decision",
                            token=head, json={"decision": "approve"}, timeout=30)
    assert decided.status_code == 200 and decided.json()["status"] == "approved", decided.text
    assert stack.login("ft.officer2", PASSWORD)  # auth's own writes and reads are back too
    assert {name: proc.pid for name, proc in stack.procs.items()} == pids
    assert all(proc.poll() is None for proc in stack.procs.values())


def test_a_service_killed_while_a_filing_waits_on_another_stores_nothing(world):
    """leave is killed (SIGKILL, its whole process group) while a filing waits on auth:
    nothing of the request is stored, and once leave is back the same filing succeeds."""
    stack, _pg = world
    officer = stack.login("ft.officer3", PASSWORD)
    admin = stack.admin_token()
    assert stack.request("GET", "leave", "/requests?mine=true", token=officer).status_code == 200
    answers: list = []

    def file_it() -> None:
        try:
            answers.append(_file(stack, officer, 9))
        except requests.RequestException as exc:
            answers.append(exc)

    stack.pause_service("auth")  # leave's question to auth (who holds the step) hangs
    try:
        filing = threading.Thread(target=file_it)
        filing.start()
        time.sleep(1.0)  # the filing is inside leave now, waiting
        stack.kill_service("leave")
        filing.join(30)
    finally:
        stack.pause_service("auth", paused=False)
    assert answers and isinstance(answers[0], requests.RequestException), answers

    stack.restart_service("leave")
    stored = stack.request("GET", "leave", "/requests?employee_no=FT3", token=admin)
    assert stored.status_code == 200 and stored.json()["total"] == 0, stored.text
    ledger = stack.request("GET", "leave", f"/balances/FT3/ledger?year={short_span(9)[0].year}",
                           token=admin)
    assert ledger.status_code == 200
    assert [e for e in ledger.json()["items"] if e["kind"] == "hold"] == []
    retried = _file(stack, officer, 9)
    assert retried.status_code == 201, retried.text


class _Receiver:
    """A webhook receiver on a fixed port that can be started after the fact."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.got: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_an_event_a_receiver_missed_while_down_is_delivered_when_it_is_back(world, tmp_path):
    stack, _pg = world
    admin = stack.admin_token()
    port = free_port()
    hook = stack.request("POST", "leave", "/webhooks", token=admin, json={
        "url": f"http://127.0.0.1:{port}/hr-events", "topics": ["leave.submitted"]})
    assert hook.status_code == 201, hook.text
    secret = hook.json()["secret"]

    officer = stack.login("ft.officer4", PASSWORD)
    filed = _file(stack, officer, 11)  # the receiver is down: delivery fails, the event stays
    assert filed.status_code == 201, filed.text

    receiver = _Receiver(port)
    try:
        env = stack.environment() | {"HR_SERVICE": "leave",
                                     "LEAVE_DATABASE_URL": stack.database_urls["leave"]}
        done = subprocess.run([sys.executable, "-m", "services.leave", "deliver-events"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert _until(lambda: receiver.got, timeout=10)
        headers, body = receiver.got[0]
        event = json.loads(body)
        assert event["topic"] == "leave.submitted"
        assert event["data"]["id"] == filed.json()["id"]
        expected = hmac.new(secret.encode(), headers["x-hr-timestamp"].encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        assert headers["x-hr-signature"] == f"sha256={expected}"  # signed, not forged
    finally:
        receiver.close()


@pytest.fixture
def subscribed(world):
    """A webhook on `leave.submitted`, so that a filing writes an outbox row (leave writes
    none while nobody subscribes). Its receiver never listens: the events stay pending, and
    go with the webhook when it is removed afterwards."""
    stack, _pg = world
    hook = stack.request("POST", "leave", "/webhooks", token=stack.admin_token(), json={
        "url": f"http://127.0.0.1:{free_port()}/hr-events", "topics": ["leave.submitted"]})
    assert hook.status_code == 201, hook.text
    yield hook.json()
    gone = stack.request("DELETE", "leave", f"/webhooks/{hook.json()['id']}",
                         token=stack.admin_token())
    assert gone.status_code == 204, gone.text


def test_a_service_killed_inside_its_write_transaction_leaves_nothing_half_written(
        world, store, subscribed):
    """The request row is already flushed inside leave's transaction (its outbox insert is
    held up by a lock taken from outside) when leave is SIGKILLed: PostgreSQL rolls the
    transaction back — no request, no hold on the balance, no trail — and the retry succeeds."""
    if store != "postgres":
        pytest.skip("holding a table lock from outside needs the PostgreSQL store")
    import psycopg

    stack, _pg = world
    officer = stack.login("ft.officer5", PASSWORD)
    admin = stack.admin_token()
    conninfo = stack.database_urls["leave"].replace("postgresql+psycopg://", "postgresql://")
    answers: list = []
    with psycopg.connect(conninfo) as blocker, psycopg.connect(conninfo,
                                                                autocommit=True) as watch:
        blocker.execute("LOCK TABLE outbox_events IN ACCESS EXCLUSIVE MODE")
        filing = threading.Thread(target=lambda: answers.append(_try_file(stack, officer, 13)))
        filing.start()
        waiting = _until(lambda: watch.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE '%outbox_events%'").fetchone()[0] > 0,
            timeout=20)
        assert waiting, "the filing never reached its outbox insert"
        inside = watch.execute("SELECT count(*) FROM leave_requests WHERE employee_no = 'FT5'"
                               ).fetchone()[0]
        assert inside == 0  # flushed, but not visible outside its transaction
        stack.kill_service("leave")
        blocker.rollback()  # let the orphaned transaction run into its closed connection
    filing.join(30)
    assert answers and isinstance(answers[0], requests.RequestException), answers

    stack.restart_service("leave")
    assert _until(lambda: stack.request("GET", "leave", "/requests?employee_no=FT5",
                                        token=admin).json()["total"] == 0, timeout=10)
    assert stack.request("GET", "leave", "/requests?employee_no=FT5",
                         token=admin).json()["total"] == 0
    retried = _file(stack, officer, 13)
    assert retried.status_code == 201, retried.text
    trail = stack.request("GET", "leave", f"/requests/{retried.json()['id']}/trail",
                          token=officer).json()
    assert trail["valid"] and len(trail["entries"]) == 1


def _try_file(stack, token, weeks):
    try:
        return _file(stack, token, weeks)
    except requests.RequestException as exc:
        return exc
