"""The soak's clients: threads acting as the organisation's people, each with its own token
and keep-alive connection, choosing what to do next by weight — and a ledger of every
write the services acknowledged, for `bench/soak_checks.py` to find afterwards."""

from __future__ import annotations

import collections
import datetime as dt
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.soak_world import PASSWORD, Persona, World

IDLE_SECONDS = 2.0
TERMINAL = {"approved", "rejected", "withdrawn", "cancelled"}
# What each kind of person does, by weight.
WEIGHTS = {
    "employee": {"check": 30, "my_requests": 15, "balance": 10, "scorecard": 5, "me": 5,
                 "file": 20, "withdraw": 5, "login": 5, "refresh": 5},
    "branch_head": {"decide": 30, "confirm": 15, "check": 20, "unit_staff": 15,
                    "unit_scorecards": 10, "login": 5, "refresh": 5},
    "hr": {"decide": 30, "record": 20, "check": 20, "unit_staff": 15, "my_requests": 5,
           "login": 5, "refresh": 5},
}


@dataclass
class Acknowledged:
    """Writes the services answered 2xx to, in the order the answers arrived."""
    leave: dict[int, list[str]] = field(default_factory=dict)
    leave_owner: dict[int, str] = field(default_factory=dict)
    incidents: dict[int, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def leave_status(self, request_id: int, status: str, owner: str | None = None) -> None:
        with self.lock:
            self.leave.setdefault(request_id, []).append(status)
            if owner:
                self.leave_owner[request_id] = owner

    def incident_status(self, incident_id: int, status: str) -> None:
        with self.lock:
            self.incidents.setdefault(incident_id, []).append(status)

    def counts(self) -> dict[str, int]:
        return {"leave_requests": len(self.leave),
                "leave_transitions": sum(len(v) for v in self.leave.values()),
                "incidents": len(self.incidents),
                "incident_transitions": sum(len(v) for v in self.incidents.values())}


class Traffic:
    def __init__(self, stack: Any, world: World, *, clients: int, seed: int = 7) -> None:
        self.stack = stack
        self.world = world
        self.clients = clients
        self.seed = seed
        self.ledger = Acknowledged()
        self._statuses: dict[str, collections.Counter[int]] = collections.defaultdict(
            collections.Counter)
        self._errors: list[str] = []
        self._unexpected: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # --- running ---------------------------------------------------------------------
    def run(self, duration: float, *, halfway: Callable[[], None] | None = None) -> None:
        personas = self.world.personas
        # People arrive over the first tenth of the run (at most 10 s), not in one instant:
        # a login costs argon2's ~50–100 ms of CPU by design, so 200 at the same millisecond
        # would measure a stampede no branch network produces.
        ramp = min(10.0, duration / 10)
        threads = [threading.Thread(target=self._client, daemon=True, args=(
            personas[i % len(personas)], i, ramp * i / self.clients))
            for i in range(self.clients)]
        for thread in threads:
            thread.start()
        time.sleep(duration / 2)
        if halfway is not None:
            halfway()
        time.sleep(duration / 2)
        self._stop.set()
        for thread in threads:
            thread.join(timeout=30)
        stuck = sum(thread.is_alive() for thread in threads)
        if stuck:
            self._error(f"{stuck} client(s) still waiting 30 s after the end")

    def _client(self, persona: Persona, n: int, delay: float) -> None:
        if self._stop.wait(delay):
            return
        rng = random.Random(self.seed * 100_003 + n)
        actions, weights = zip(*WEIGHTS[persona.role].items(), strict=True)
        client = _Client(self, persona, rng)
        try:
            client.login()
        except Exception as exc:  # counted; the client gives up (and the soak fails)
            self._error(f"{persona.username} login: {exc!r}")
            return
        if not client.token:
            self._error(f"{persona.username} could not log in")
            return
        while not self._stop.is_set():
            action = rng.choices(actions, weights)[0]
            try:
                getattr(client, action)()
            except Exception as exc:  # no answer, or an answer of a shape we did not expect
                self._error(f"{persona.username} {action}: {exc!r}")
        client.http.close()

    # --- bookkeeping -----------------------------------------------------------------
    def count(self, action: str, resp: requests.Response) -> requests.Response:
        with self._lock:
            self._statuses[action][resp.status_code] += 1
            if resp.status_code >= 500 or resp.status_code == 401:
                self._unexpected.append(
                    f"{action}: {resp.status_code} {resp.request.method} {resp.request.url} "
                    f"{resp.text[:200]}")
        return resp

    def _error(self, message: str) -> None:
        with self._lock:
            self._errors.append(message)

    def total(self) -> int:
        return sum(sum(c.values()) for c in self._statuses.values())

    def by_action(self) -> dict[str, dict[str, int]]:
        return {action: {str(k): v for k, v in sorted(c.items())}
                for action, c in sorted(self._statuses.items())}

    def statuses(self) -> dict[str, int]:
        total: collections.Counter[int] = collections.Counter()
        for counter in self._statuses.values():
            total.update(counter)
        return {str(k): v for k, v in sorted(total.items())}

    def transport_failures(self) -> list[str]:
        """5xx and 401 answers, and requests that got no answer at all (first 20 of each)."""
        out = [f"{len(self._unexpected)} answer(s) 5xx or 401, e.g. {m}"
               for m in self._unexpected[:1]] + self._unexpected[1:20]
        if self._errors:
            out += [f"{len(self._errors)} request(s) without an answer, e.g. {self._errors[0]}",
                    *self._errors[1:20]]
        return out


class _Client:
    """One person's session: a token, a refresh token, a keep-alive connection."""

    def __init__(self, traffic: Traffic, persona: Persona, rng: random.Random) -> None:
        self.t = traffic
        self.p = persona
        self.rng = rng
        self.http = requests.Session()
        self.token = ""
        self.refresh_token = ""
        self.today = dt.date.today()
        self.mine: list[int] = []
        self.last_used: dict[str, float] = {}
        self.colleagues = [q.employee_no for q in traffic.world.personas
                           if q.branch == persona.branch and q.role == "employee"]

    def call(self, action: str, method: str, service: str, path: str, **kw: Any
             ) -> requests.Response:
        # Keep-alive within a burst, never across a pause longer than the servers' own
        # keep-alive (5 s): a connection the server is closing would be reset under the
        # request (the race every HTTP client avoids by idling out first, as browsers do).
        now = time.monotonic()
        if now - self.last_used.get(service, now) > IDLE_SECONDS:
            self.http.close()
            self.last_used.clear()
        self.last_used[service] = now
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        resp = self.http.request(method, self.t.stack.url(service, path), headers=headers,
                                 timeout=30, **kw)
        return self.t.count(action, resp)

    # --- sessions --------------------------------------------------------------------
    def login(self) -> None:
        token, self.token = self.token, ""  # a login carries no bearer token
        try:
            resp = self.call("login", "POST", "auth", "/token", data={
                "grant_type": "password", "username": self.p.username, "password": PASSWORD})
        finally:
            self.token = token
        if resp.status_code == 200:
            body = resp.json()
            self.token, self.refresh_token = body["access_token"], body.get("refresh_token", "")

    def refresh(self) -> None:
        if not self.refresh_token:
            return self.login()
        token, self.token = self.token, ""
        try:
            resp = self.call("refresh", "POST", "auth", "/token", data={
                "grant_type": "refresh_token", "refresh_token": self.refresh_token})
        finally:
            self.token = token  # whatever happens, the session keeps its access token
        if resp.status_code == 200:
            body = resp.json()
            self.token, self.refresh_token = body["access_token"], body["refresh_token"]
        return None

    # --- reads -----------------------------------------------------------------------
    def check(self) -> None:
        permission = {"employee": "leave:request", "branch_head": "leave:approve",
                      "hr": "staff:write"}[self.p.role]
        self.call("check", "POST", "auth", "/check",
                  json={"permission": permission, "org": self.p.org})

    def my_requests(self) -> None:
        self.call("my_requests", "GET", "leave", f"/requests?mine=true&per_page="
                  f"{self.rng.choice((10, 20, 50))}")

    def balance(self) -> None:
        self.call("balance", "GET", "leave", f"/balances/{self.p.employee_no}")

    def scorecard(self) -> None:
        quarter = (self.today.month - 1) // 3 + 1
        self.call("scorecard", "GET", "performance",
                  f"/scorecards/{self.p.employee_no}?period={self.today.year}-Q{quarter}")

    def me(self) -> None:
        self.call("me", "GET", "staff", f"/employees/{self.p.employee_no}")

    def unit_staff(self) -> None:
        self.call("unit_staff", "GET", "staff", f"/employees?org={self.p.org}&page="
                  f"{self.rng.randint(1, 3)}&per_page=20")

    def unit_scorecards(self) -> None:
        quarter = (self.today.month - 1) // 3 + 1
        self.call("unit_scorecards", "GET", "performance",
                  f"/units/{self.p.org}/scorecards?period={self.today.year}-Q{quarter}")

    # --- writes ----------------------------------------------------------------------
    def file(self) -> None:
        start = self.today + dt.timedelta(days=self.rng.randint(7, 40))
        while start.weekday() >= 5:
            start += dt.timedelta(days=1)
        end = min(start + dt.timedelta(days=self.rng.choice((0, 0, 1, 2))),
                  dt.date(start.year, 12, 31))
        body = {"type": self.rng.choice(("annual", "personal")), "start_date": start.isoformat(),
                "end_date": end.isoformat(), "reason": "压测 soak"}
        resp = self.call("file", "POST", "leave", "/requests", json=body)
        if resp.status_code == 201:
            filed = resp.json()
            self.t.ledger.leave_status(filed["id"], filed["status"], self.p.employee_no)
            self.mine.append(filed["id"])

    def withdraw(self) -> None:
        if not self.mine:
            return
        rid = self.mine.pop(self.rng.randrange(len(self.mine)))
        resp = self.call("withdraw", "POST", "leave", f"/requests/{rid}/withdraw", json={})
        if resp.status_code == 200:
            self.t.ledger.leave_status(rid, resp.json()["status"])

    def decide(self) -> None:
        inbox = self.call("decide", "GET", "leave", "/approvals?per_page=10")
        if inbox.status_code != 200 or not inbox.json()["items"]:
            return
        rid = self.rng.choice(inbox.json()["items"])["id"]
        decision = "approve" if self.rng.random() < 0.8 else "reject"
        resp = self.call("decide", "POST", "leave", f"/requests/{rid}/decision",
                         json={"decision": decision, "comment": "soak"})
        if resp.status_code == 200:
            self.t.ledger.leave_status(rid, resp.json()["status"])

    def record(self) -> None:
        subject = self.rng.choice(self.colleagues)
        resp = self.call("record", "POST", "performance", "/incidents", json={
            "employee_no": subject, "rule": self.t.world.rule,
            "occurred_on": (self.today - dt.timedelta(days=self.rng.randint(0, 20))).isoformat(),
            "description": "压测记录 soak incident"})
        if resp.status_code == 201:
            self.t.ledger.incident_status(resp.json()["id"], resp.json()["status"])

    def confirm(self) -> None:
        found = self.call("confirm", "GET", "performance",
                          f"/incidents?org={self.p.org}&status=recorded&per_page=10")
        if found.status_code != 200 or not found.json()["items"]:
            return
        iid = self.rng.choice(found.json()["items"])["id"]
        resp = self.call("confirm", "POST", "performance", f"/incidents/{iid}/decision",
                         json={"decision": "confirm"})
        if resp.status_code == 200:
            self.t.ledger.incident_status(iid, resp.json()["status"])
