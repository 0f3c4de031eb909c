"""Whole leave flows over real HTTP: an employee files more than five days of sick leave,
the 网点's branch head approves (初审), the governing branch's hr approves (final).

The real leave service asks the real staff (`/staff/employees/{no}/chain`, the 100,000
employees of `bench.staff_data`) with its own client token, which it gets from the real
auth's `/auth/token` (auth provisions the services' clients at start), and asks auth who
holds each step's role (`/auth/role-holders`). Auth knows the organisation as production's
auth does (`bench.auth_seed`: every unit's path, a binding for every 网点 head and governing
hr — an empty auth would ask staff for every unit it never saw and flag every step
unassigned). Auth signs with its own key: the bench's key set publishes auth's keys beside
its own, so staff verifies leave's token as in production. Users' tokens are the bench's.

Each flow is a distinct active employee of a 网点 (staff or mid grade, a post that needs no
stand-in), on dates half a year ahead where they have no leave: sick leave has no balance
and no notice, and three weeks always count more than five working days, so every flow is
routed to two steps. A flow counts when all three answers are what the service promises
(201 pending at the branch head; 200 pending at hr; 200 approved); its latency is the sum
of the three. The CPU column is the three services' together, per flow.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import sys
import threading
import time
import urllib.request
from typing import Any

from bench import auth_seed, leave_data, staff_data
from bench.leave_scenarios import CONCURRENCY, PREFIX, database_url, seeded
from bench.load import SERVING_GROUPS, Result, group_cpu_seconds
from bench.scenarios import Run, scenario

#: Flows before the measured ones: a worker's first writes fill SQLAlchemy's compiled-
#: statement cache and psycopg's prepared statements, and staff's, auth's and PostgreSQL's
#: caches meet the row's employees for the first time. With 1 s the row measured 36 flows/s
#: where a 20 s row measured 48–55 (session 10): steady state is what users meet.
WARMUP_FLOWS_S = 5.0
#: At least this long measured (a flow takes ~0.3 s at 16 connections: 5 s is too few).
MIN_FLOWS_S = 10.0
PROBE_TIMEOUT = 40.0  # staff refetches an unknown key set at most every 10 s


def _candidates(info: dict[str, Any]) -> list[tuple[str, str, str, staff_data.Unit]]:
    """(employee_no, branch head's no, hr's no, unit) for every employee a flow may use."""
    org: staff_data.Org = info["org"]
    history: leave_data.History = info["history"]
    out = []
    for e in org.employees:
        no, unit_id, pos_id, status = e[1], e[4], e[5], e[10]
        route = history.routing[unit_id]
        if (status != "active" or pos_id in info["must_cover"] or route.outlet is None
                or history.grades[pos_id] not in leave_data.OUTLET_GRADES
                or route.outlet_head in (None, no) or route.hr == no):
            continue
        out.append((no, route.outlet_head or "", route.hr, org.units[unit_id - 1]))
    return out


def _wire(run: Run) -> None:
    """Publish auth's keys beside the bench's, then wait until staff accepts a token auth
    issued to leave (staff may hold the bench's key set from a moment ago)."""
    env = run.env
    auth = env.service("auth")
    with urllib.request.urlopen(auth.base_url + "/auth/.well-known/jwks.json",
                                timeout=10) as resp:
        env.jwks.add_keys(json.loads(resp.read()))
    settings_env = env._base_env()
    from shared.settings import Settings

    leave = Settings("leave", environ=settings_env)
    token_req = urllib.request.Request(
        auth.base_url + "/auth/token", data=b"grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Authorization": "Basic " + _basic(leave.client_id, leave.client_secret)})
    with urllib.request.urlopen(token_req, timeout=10) as resp:
        token = json.loads(resp.read())["access_token"]
    staff = env.service("staff")
    deadline = time.monotonic() + PROBE_TIMEOUT
    while True:
        probe = urllib.request.Request(staff.base_url + "/staff/org-units/HQ",
                                       headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(probe, timeout=10):
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"staff does not accept auth's token: {exc}") from exc
            time.sleep(1.0)


def _basic(user: str, secret: str) -> str:
    import base64

    return base64.b64encode(f"{user}:{secret}".encode()).decode()


class _Flows:
    """Hands out distinct employees (never reused in a run) and the three tokens."""

    def __init__(self, run: Run, candidates: list[tuple[str, str, str, staff_data.Unit]],
                 routing: dict[int, leave_data.Routing]) -> None:
        self.run = run
        self.candidates = candidates
        self.routing = routing
        self.next = itertools.count()
        self.lock = threading.Lock()
        self.tokens: dict[tuple[str, str], str] = {}
        first = dt.date.today() + dt.timedelta(days=200)
        self.first_monday = first + dt.timedelta(days=7 - first.weekday())

    def _token(self, no: str, role: str, code: str, path: str) -> str:
        key = (no, role)
        with self.lock:
            if key not in self.tokens:
                self.tokens[key] = self.run.env.user_token(
                    sub=leave_data.sub(no), emp=no, roles=[(role, code, path)], ttl=7200)
            return self.tokens[key]

    def take(self) -> tuple[dict[str, Any], str, str, str] | None:
        """(filing body, employee's, head's and hr's Authorization) of the next flow."""
        with self.lock:
            n = next(self.next)
        if n >= len(self.candidates):
            return None
        no, head, hr, unit = self.candidates[n]
        route = self.routing[unit.id]
        start = self.first_monday + dt.timedelta(weeks=4 * (n % 12))
        body = {"type": "sick", "start_date": start.isoformat(),
                "end_date": (start + dt.timedelta(days=18)).isoformat(),
                "reason": "bench flow"}
        assert route.outlet is not None
        return (body, self._token(no, "employee", unit.code, unit.path),
                self._token(head, "branch_head", route.outlet.code, route.outlet.path),
                self._token(hr, "hr", route.governing.code, route.governing.path))


def _post(conn: http.client.HTTPConnection, path: str, token: str,
          body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    conn.request("POST", path, body=json.dumps(body),
                 headers={"Authorization": f"Bearer {token}",
                          "Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, json.loads(data) if data else {}


def one_flow(conn: http.client.HTTPConnection, flow: tuple[dict[str, Any], str, str, str],
             steps: list[float]) -> str:
    """File, review, decide → "ok" or what went wrong first; `steps` gets each answer's
    milliseconds."""
    body, employee, head, hr = flow
    t0 = time.perf_counter()
    status, filed = _post(conn, "/leave/requests", employee, body)
    steps.append((time.perf_counter() - t0) * 1000)
    if status != 201:
        return f"file {status}"
    if [s["role"] for s in filed["steps"]] != ["branch_head", "hr"]:
        return "file routed " + ",".join(s["role"] for s in filed["steps"])
    path = f"/leave/requests/{filed['id']}/decision"
    t0 = time.perf_counter()
    status, reviewed = _post(conn, path, head, {"decision": "approve", "comment": "初审同意"})
    steps.append((time.perf_counter() - t0) * 1000)
    if status != 200 or reviewed["status"] != "pending":
        return f"review {status}"
    t0 = time.perf_counter()
    status, decided = _post(conn, path, hr, {"decision": "approve"})
    steps.append((time.perf_counter() - t0) * 1000)
    if status != 200 or decided["status"] != "approved":
        return f"decide {status}"
    return "ok"


def run_flows(run: Run, flows: _Flows, port: int) -> Result:
    """CONCURRENCY threads, each one keep-alive connection to leave, flows back to back."""
    start = time.perf_counter()
    warm_until = start + WARMUP_FLOWS_S
    measured = max(run.duration, MIN_FLOWS_S)
    stop_at = warm_until + measured
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    bounds: list[float] = []
    per_step: list[list[float]] = [[], [], []]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.perf_counter() < stop_at:
                flow = flows.take()
                if flow is None:
                    return
                t0 = time.perf_counter()
                steps: list[float] = []
                try:
                    outcome = one_flow(conn, flow, steps)
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    outcome = type(exc).__name__
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                t1 = time.perf_counter()
                if t0 < warm_until:
                    continue
                with lock:
                    statuses[outcome] = statuses.get(outcome, 0) + 1
                    bounds.extend((t0, t1))
                    if outcome == "ok":
                        latencies.append((t1 - t0) * 1000)
                        for kept, ms in zip(per_step, steps, strict=True):
                            kept.append(ms)
        finally:
            conn.close()

    groups = [SERVING_GROUPS[s.port] for s in (run.env.service(n)
                                               for n in ("leave", "staff", "auth"))]
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, warm_until - time.perf_counter()))
    cpu0 = [group_cpu_seconds(g) for g in groups]
    for t in threads:
        t.join(measured + WARMUP_FLOWS_S + 60)
    cpu = [group_cpu_seconds(g) - c for g, c in zip(groups, cpu0, strict=True)]
    done = sum(statuses.values())
    result = Result(requests=done, seconds=(max(bounds) - min(bounds)) if bounds else 0.0,
                    errors=done - statuses.get("ok", 0), statuses=statuses,
                    latencies_ms=latencies, unit="flow", server_cpu_s=sum(cpu))
    p50 = [sorted(k)[len(k) // 2] if k else 0.0 for k in per_step]
    result.note = (f"p50 ms file / review / decide {p50[0]:.0f} / {p50[1]:.0f} / {p50[2]:.0f}; "
                   "cpu µs per flow leave / staff / auth " + " / ".join(
                       f"{c / max(1, done) * 1e6:,.0f}" for c in cpu))
    return result


@scenario(f"{PREFIX} submit→approve→approve flows over HTTP (leave, staff, auth)",
          needs=("auth", "staff", "leave"))
def leave_flows(run: Run) -> Result:
    info = seeded(run)
    if "flows" not in info:
        _wire(run)
        known = auth_seed.seed(database_url(run, "auth"), info["org"],
                               auth_seed.signers(info["history"]))
        print(f"  auth: knows {known['units']:,} more units, {known['bindings']:,} more "
              "signers' bindings", file=sys.stderr)
        info["flows"] = _Flows(run, _candidates(info), info["history"].routing)
    flows: _Flows = info["flows"]
    result = run_flows(run, flows, run.env.service("leave").port)
    result.note += (f"; distinct employees ({len(flows.candidates):,} eligible), sick leave "
                   f"of 15 working days, two steps; latency = the three requests; "
                   f"cpu = leave + staff + auth; concurrency {CONCURRENCY}")
    return result
