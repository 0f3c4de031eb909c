"""A large leave history for `bench.staff_data`'s organisation, bulk-loaded into leave's store.

`build(org, grades, requests)` files about `requests` leave requests over the three years up to
today, in filing order (ids follow filing time, as the service's do): each day a share of
the employees asks for 1–21 days, never overlapping their own earlier requests (the service
refuses overlaps), starting on a working day up to a month ahead. Each request is routed as
the default policy routes it (`services/leave/domain/routing.py`): staff and mid-level of a
网点 (the nearest sub-branch or outlet) → that 网点's `branch_head`, final up to 5 days, and
above 5 the preliminary review before `hr` of the governing branch; heads, and people with
no 网点 above, → the governing branch's `hr`. Requests filed in the last 45 days are mostly
still pending (about 3.8 % of all), at either step; older ones are decided (approved,
rejected, withdrawn, a few cancelled), their steps signed by the unit's real head and by an
hr employee of the governing branch. About 1 % of pending steps are `unassigned`.

What the service writes besides (the signed trail, the ledger, the audit rows) is not
written: the inbox and the listings do not read it, and every flow the bench files itself
writes all of it. Days count Monday to Friday (no holiday calendar): the counts look like the
service's, and no figure depends on them.

`load(url, history)` writes it into a migrated leave store: `COPY` on PostgreSQL, `executemany`
on SQLite, 50,000 requests (and their steps) at a time, generated in a forked process while
they are written, one transaction (PostgreSQL's secondary indexes built once at its end), a
progress line on stderr, then `ANALYZE`. Deterministic (seeded) for a given day.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from typing import Any

from sqlalchemy import create_engine, text

from bench import bulk
from bench.staff_data import BRANCH, HEAD_OFFICE, OUTLET, SUB_BRANCH, Org, Unit, _sqlite_row
from shared.db import engine_options, normalise_url

#: The tables the loader writes (their sequences and statistics are refreshed after).
LOADED = ("leave_requests", "approval_steps")
REQUEST_COLUMNS = (
    "id", "employee_no", "type_code", "start_date", "end_date", "start_half", "end_half",
    "days", "days_by_year", "calendar", "status", "reason", "stand_in", "attachment_ref",
    "unit_code", "unit_path", "governing_code", "governing_path", "grade", "routed_days",
    "related_ids", "policy_version", "filed_by", "filed_by_emp", "cancelled_days",
    "created_at", "updated_at", "version")
STEP_COLUMNS = ("id", "request_id", "level", "role", "org", "org_path", "governing_path",
                "final", "status", "unassigned", "decided_by", "decided_by_emp", "decided_at",
                "comment")
#: Leave types by share (maternity left out: 98 calendar days would crowd the history).
TYPES = (("annual", 40), ("personal", 25), ("sick", 25), ("bereavement", 7), ("marriage", 3))
#: Lengths in calendar days by share: most leave is short.
LENGTHS = ((1, 30), (2, 15), (3, 12), (4, 8), (5, 10), (7, 8), (8, 6), (10, 5), (14, 4),
           (21, 2))
OUTLET_TYPES = (SUB_BRANCH, OUTLET)
OUTLET_GRADES = ("staff", "mid")
THRESHOLD_DAYS = 5
PENDING_WINDOW = 45  # days: requests filed this recently are mostly still pending
YEARS = 3
CHUNK = 50_000


def sub(employee_no: str) -> str:
    """The token subject the bench gives an employee's user (filings and decisions)."""
    return f"bench-{employee_no}"


@dataclass
class Routing:
    """Per unit: its 网点 (or None), its governing branch, and who signs for each."""

    outlet: Unit | None
    governing: Unit
    outlet_head: str | None  # employee number
    hr: str  # an employee of the governing branch's first department


@dataclass
class History:
    """What `build` made (the rows are produced lazily by `chunks`) and what the rows
    need to know about it: pending counts per approver's unit."""

    org: Org
    grades: dict[int, str]
    requests: int
    seed: int = 10
    today: dt.date = field(default_factory=dt.date.today)
    statuses: Counter[str] = field(default_factory=Counter)
    #: pending steps by (role, org_path) and unassigned pending steps by governing path
    pending: Counter[tuple[str, str]] = field(default_factory=Counter)
    unassigned: Counter[str] = field(default_factory=Counter)
    steps: int = 0
    routing: dict[int, Routing] = field(default_factory=dict)

    def inbox_size(self, role: str, path: str) -> int:
        """Pending requests a holder of `role` over `path` sees (own ones not taken out)."""
        size = sum(n for (r, p), n in self.pending.items()
                   if r == role and (p == path or p.startswith(path + "/")))
        if role == "hr":
            size += sum(n for p, n in self.unassigned.items()
                        if p == path or p.startswith(path + "/"))
        return size


def _routing(org: Org) -> dict[int, Routing]:
    by_code = {u.code: u for u in org.units}
    number = {e[0]: e[1] for e in org.employees}
    first_of: dict[int, str] = {}
    for e in org.employees:
        first_of.setdefault(e[4], e[1])
    out: dict[int, Routing] = {}
    for unit in org.units:
        chain: list[Unit] = []
        u: Unit | None = unit
        while u is not None:
            chain.append(u)
            u = u.parent
        outlet = next((c for c in chain if c.type in OUTLET_TYPES), None)
        governing = (next((c for c in chain if c.type == BRANCH), None)
                     or next((c for c in chain if c.type == HEAD_OFFICE), chain[-1]))
        dept = by_code.get(f"{governing.code}_D01")
        hr = first_of.get(dept.id if dept else governing.id, number[governing.head_id or 1])
        out[unit.id] = Routing(outlet=outlet, governing=governing,
                               outlet_head=number.get(outlet.head_id) if outlet and
                               outlet.head_id else None, hr=hr)
    return out


@cache
def _cumulative(table: tuple[tuple[Any, int], ...]) -> tuple[list[Any], list[int], float]:
    values = [v for v, _ in table]
    cumulative = list(accumulate(w for _, w in table))
    return values, cumulative, cumulative[-1] + 0.0


def _weighted(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    """`rng.choices(values, weights)[0]`, the same draw (the same single `random()` mapped
    through the cumulative weights, as `random.choices` does), without its per-call set-up:
    the history's generator draws three times a request."""
    values, cumulative, total = _cumulative(table)
    return values[bisect_right(cumulative, rng.random() * total, 0, len(values) - 1)]


def _working(start: dt.date, end: dt.date) -> dict[int, int]:
    """Monday-to-Friday days per year in [start, end] (at most 21 days: walked)."""
    weekday = start.weekday()
    if start.year == end.year:
        days = sum((weekday + o) % 7 < 5 for o in range((end - start).days + 1))
        return {start.year: days} if days else {}
    out: dict[int, int] = {}
    for offset in range((end - start).days + 1):
        if (weekday + offset) % 7 < 5:
            year = (start + dt.timedelta(days=offset)).year if offset else start.year
            out[year] = out.get(year, 0) + 1
    return out


def _days_by_year(by_year: dict[int, float]) -> str:
    """`json.dumps({str(year): str(days)})`, written directly (one small dict a request)."""
    return "{" + ", ".join(f'"{y}": "{d}"' for y, d in by_year.items()) + "}"


def _decision_status(rng: random.Random, age: int) -> str:
    if age <= PENDING_WINDOW and rng.random() < 0.9:
        return "pending"
    roll = rng.random()
    return ("approved" if roll < 0.86 else "rejected" if roll < 0.91
            else "withdrawn" if roll < 0.97 else "cancelled")


def build(org: Org, grades: dict[int, str], requests: int, *, seed: int = 10,
          today: dt.date | None = None) -> History:
    """The history's plan; its rows come from `chunks` (deterministic for `seed`, `today`)."""
    history = History(org=org, grades=grades, requests=requests, seed=seed,
                      today=today or dt.date.today())
    history.routing = _routing(org)
    return history


def rows(history: History) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """(request row, its step rows), in filing order. Counts statuses and pending steps."""
    rng = random.Random(history.seed)
    org, today = history.org, history.today
    employees = org.employees
    first = today - dt.timedelta(days=365 * YEARS)
    n_days = (today - first).days + 1
    next_free = [first] * len(employees)
    step_id = 0
    rid = 0
    for day in range(n_days):
        filed_on = first + dt.timedelta(days=day)
        age = n_days - 1 - day
        while rid < history.requests * (day + 1) // n_days:
            for _ in range(20):  # someone who is not already away then
                emp = rng.randrange(len(employees))
                start = max(filed_on + dt.timedelta(days=_weighted(
                    rng, ((0, 3), (1, 3), (3, 3), (7, 2), (14, 2), (30, 1)))), next_free[emp])
                if start <= filed_on + dt.timedelta(days=45):
                    break
            start += dt.timedelta(days=max(0, 7 - start.weekday()) if start.weekday() > 4
                                  else 0)
            end = start + dt.timedelta(days=_weighted(rng, LENGTHS) - 1)
            next_free[emp] = end + dt.timedelta(days=rng.randint(3, 60))
            rid += 1
            request, steps = _request(history, rng, rid, employees[emp], filed_on, start, end,
                                      age, step_id)
            step_id += len(steps)
            yield request, steps
    history.steps = step_id


def _request(history: History, rng: random.Random, rid: int, employee: tuple[Any, ...],
             filed_on: dt.date, start: dt.date, end: dt.date, age: int,
             step_id: int) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    unit = history.org.units[employee[4] - 1]
    route = history.routing[unit.id]
    grade = history.grades[employee[5]]
    no = employee[1]
    by_year = _working(start, end)
    start_half = "pm" if rng.random() < 0.05 else None
    if start_half:
        by_year[start.year] -= 0.5
    days = sum(by_year.values())
    type_code = _weighted(rng, TYPES)
    status = _decision_status(rng, age)
    history.statuses[status] += 1
    created = dt.datetime.combine(filed_on, dt.time(1 + rng.randrange(10), rng.randrange(60)),
                                  tzinfo=dt.UTC)
    plan: list[tuple[str, Unit, str]] = []  # role, unit, who signs it
    if route.outlet is not None and grade in OUTLET_GRADES and route.outlet_head not in (
            None, no):
        plan.append(("branch_head", route.outlet, route.outlet_head or ""))
        if days > THRESHOLD_DAYS:
            plan.append(("hr", route.governing, route.hr))
    else:
        plan.append(("hr", route.governing, route.hr))
    if plan[-1][2] == no:  # nobody decides their own: another hr of the branch signs
        plan[-1] = (plan[-1][0], plan[-1][1], f"{no}X")
    statuses = _step_statuses(rng, status, len(plan))
    unassigned_step = status == "pending" and rng.random() < 0.01
    steps = []
    decided = 0
    for level, ((role, at, signer), step_status) in enumerate(zip(plan, statuses,
                                                                   strict=True), start=1):
        signed = step_status in ("approved", "rejected")
        decided += signed
        when = created + dt.timedelta(hours=4 * level) if signed else None
        is_pending = step_status == "pending"
        steps.append((step_id + level, rid, level, role, at.code, at.path, route.governing.path,
                      level == len(plan),
                      step_status, is_pending and unassigned_step,
                      sub(signer) if signed else None, signer if signed else None, when,
                      "同意" if step_status == "approved" else "不同意" if signed else None))
        if is_pending and status == "pending":
            if unassigned_step:
                history.unassigned[route.governing.path] += 1
            else:
                history.pending[(role, at.path)] += 1
    cancelled = days if status == "cancelled" else 0
    request = (
        rid, no, type_code, start, end, start_half, None, days,
        _days_by_year(by_year), "official", status,
        "bench", None, f"CERT-{rid}" if type_code == "marriage" else None,
        unit.code, unit.path, route.governing.code, route.governing.path, grade, days, "[]", 1,
        sub(no), no, cancelled, created,
        created + dt.timedelta(hours=4 * decided + (status in ("withdrawn", "cancelled"))),
        1 + decided + (status in ("withdrawn", "cancelled")))
    return request, steps


def _step_statuses(rng: random.Random, status: str, n: int) -> list[str]:
    if status in ("approved", "cancelled"):
        return ["approved"] * n
    at = rng.randrange(n)  # the step the request is at (or was, when it ended)
    before = ["approved"] * at
    after = ["waiting"] * (n - at - 1)
    if status == "pending":
        return [*before, "pending", *after]
    if status == "rejected":
        return [*before, "rejected", *after]
    return [*before, "skipped", *["skipped"] * (n - at - 1)]  # withdrawn


def count_requests(url: str) -> int:
    url = normalise_url(url)
    engine = create_engine(url, **engine_options(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM leave_requests")).scalar_one()
    finally:
        engine.dispose()


def _chunks(history: History) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    requests: list[tuple[Any, ...]] = []
    steps: list[tuple[Any, ...]] = []
    for request, its_steps in rows(history):
        requests.append(request)
        steps.extend(its_steps)
        if len(requests) >= CHUNK:
            yield requests, steps
            requests, steps = [], []
    if requests:
        yield requests, steps


def _produce(history: History, out: Any) -> None:
    """The forked generator: every chunk, then the counts `rows` kept on the way."""
    for chunk in _chunks(history):
        out.send(chunk)
    out.send((history.statuses, history.pending, history.unassigned, history.steps))
    out.close()


def _generated(history: History) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """`_chunks(history)`, generated in a forked process while this one writes: generating
    and writing are each about half of the client's CPU, so on two cores the load takes
    about half the time. The counts come back into `history` at the end."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    producer = context.Process(target=_produce, args=(history, send), daemon=True)
    producer.start()
    send.close()
    try:
        while True:
            message = receive.recv()
            if len(message) == 4:
                history.statuses, history.pending, history.unassigned, history.steps = message
                break
            yield message
    finally:
        receive.close()
        producer.join(timeout=10)
        if producer.is_alive():
            producer.terminate()
    if producer.exitcode not in (0, None):
        raise RuntimeError(f"the leave history's generator exited with {producer.exitcode}")


def _secondary_indexes(cur: Any) -> list[tuple[str, str]]:
    """(name, definition) of the loaded tables' indexes that back no constraint."""
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM "
                "pg_constraint)", (list(LOADED),))
    return list(cur.fetchall())


def load(url: str, history: History, *, write: bool = True) -> None:
    """Write the history into a migrated leave store without requests (one transaction);
    with `write=False` only walk it (its counts, when the store already holds it).
    On PostgreSQL the secondary indexes are dropped for the COPY and built once after it,
    in the same transaction (building an index over a million rows at once is cheaper than
    a million insertions into it)."""
    if not write:
        for _ in rows(history):
            pass
        return
    url = normalise_url(url)
    postgres = url.startswith("postgresql")
    engine = create_engine(url, **engine_options(url))
    t0 = time.perf_counter()
    done = 0
    try:
        raw = engine.raw_connection()
        try:
            conn = raw.driver_connection
            cur = conn.cursor()
            indexes: list[tuple[str, str]] = []
            if postgres:
                cur.execute("SET synchronous_commit TO on")  # see bench.staff_data.load
                indexes = _secondary_indexes(cur)
                for name, _definition in indexes:
                    cur.execute(f'DROP INDEX "{name}"')
            for requests, steps in _generated(history):
                for table, columns, batch in (("leave_requests", REQUEST_COLUMNS, requests),
                                              ("approval_steps", STEP_COLUMNS, steps)):
                    if postgres:
                        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                            for row in batch:
                                cp.write_row(row)
                    else:
                        marks = ", ".join("?" * len(columns))
                        cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - our own names
                                        f"VALUES ({marks})", map(_sqlite_row, batch))
                done += len(requests)
                print(f"\r  leave: {done:,} / {history.requests:,} requests "
                      f"({time.perf_counter() - t0:.0f} s)", end="", file=sys.stderr, flush=True)
            if postgres:
                print(f"\r  leave: {done:,} requests written ({time.perf_counter() - t0:.0f} s); "
                      f"building {len(indexes)} indexes …", end="", file=sys.stderr, flush=True)
                cur.execute("SET maintenance_work_mem TO '256MB'")
                for _name, definition in indexes:
                    cur.execute(definition)
                bulk.reset_sequences(cur, LOADED)
            conn.commit()
            print(f"\r  leave: {done:,} requests, {history.steps:,} steps written "
                  f"({time.perf_counter() - t0:.0f} s); analysing …", file=sys.stderr, flush=True)
            bulk.analyse(conn, cur, postgres=postgres, tables=LOADED)
            cur.close()
        finally:
            raw.close()
    finally:
        engine.dispose()
