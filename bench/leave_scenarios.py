"""Leave at scale (issue #10): the approvals inbox over 1,000,000 requests of 100,000
employees, and whole submit → approve → approve flows over HTTP across leave, staff and auth,
at 16 concurrent connections.

The first row that needs it loads staff's organisation (`bench.staff_scenarios.seeded`, the
staff rows' 100,000 employees) and then leave's history (`bench.leave_data`) straight into
the running leave service's store. `HR_BENCH_LEAVE_REQUESTS` scales the history down for a
quick check. Every row is named "leave 1M: …" (`--only "leave 1M"`), a bare-Flask row at the
same concurrency among them.

Targets (PostgreSQL, 16 connections): inbox p95 ≤ 25 ms and ≥ 0.25× the bare endpoint's
rate; ≥ 50 complete flows per second.
"""

from __future__ import annotations

import math
import os
import random
import sys
import time
from typing import Any

from bench import leave_data, staff_data, staff_scenarios
from bench.load import Result
from bench.priming import prime
from bench.scenarios import Run, bare_one_read, scenario
from shared.settings import Settings

REQUESTS = int(os.environ.get("HR_BENCH_LEAVE_REQUESTS", "1000000"))
CONCURRENCY = int(os.environ.get("HR_BENCH_LEAVE_CONCURRENCY", "16"))
PREFIX = "leave 1M:"
HR_PER_BRANCH = 3  # hr users per governing unit among the inbox's callers
PAGES_PER_CALLER = 3  # (page, per_page) variants per caller
SAMPLE = 300  # requests checked before the load

_seeded: dict[int, dict[str, Any]] = {}


def database_url(run: Run, service: str) -> str:
    env = run.env
    if env.store == "postgres":
        assert env.pg is not None, "the service starts PostgreSQL first"
        return env.pg.url(f"bench_{service}")
    return Settings(service, environ=env._base_env()).database_url


def _grades(url: str) -> tuple[dict[int, str], set[int]]:
    """Position id → grade, and the ids of positions that must be covered (不得空岗)."""
    from sqlalchemy import create_engine, text

    from shared.db import engine_options, normalise_url

    url = normalise_url(url)
    engine = create_engine(url, **engine_options(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, grade, must_cover FROM positions")).all()
    finally:
        engine.dispose()
    return {pid: grade for pid, grade, _ in rows}, {pid for pid, _, cover in rows if cover}


def seeded(run: Run) -> dict[str, Any]:
    """Staff's organisation and leave's history, loaded once per environment."""
    key = id(run.env)
    if key in _seeded:
        return _seeded[key]
    staff_scenarios.seeded(run)  # staff's 100,000 employees (the flows ask staff for them)
    staff_url = database_url(run, "staff")
    t0 = time.perf_counter()
    org = staff_data.build(staff_scenarios.UNITS, staff_scenarios.EMPLOYEES,
                           positions=staff_data.read_positions(staff_url))
    grades, must_cover = _grades(staff_url)
    run.env.service("leave")  # migrated, reference data loaded (gunicorn's on_starting)
    url = database_url(run, "leave")
    history = leave_data.build(org, grades, REQUESTS)
    built = time.perf_counter()
    leave_data.load(url, history, write=leave_data.count_requests(url) == 0)
    loaded = time.perf_counter()
    pending = history.statuses["pending"]
    info = {
        "org": org, "history": history, "must_cover": must_cover,
        "note": f"{history.requests:,} requests ({pending / history.requests:.1%} pending), "
                f"{history.steps:,} steps; loaded {loaded - built:.0f}s",
    }
    print(f"  leave: {info['note']} ({run.env.store}); organisation rebuilt in "
          f"{built - t0:.1f}s", file=sys.stderr)
    _seeded[key] = info
    return info


# --- the inbox ---------------------------------------------------------------------------

def _callers(info: dict[str, Any]) -> list[tuple[str, str, str, str, int]]:
    """(employee_no, role, unit code, unit path, inbox size): every 网点's head, and
    HR_PER_BRANCH hr employees of each governing unit (from its first department)."""
    org: staff_data.Org = info["org"]
    history: leave_data.History = info["history"]
    number = {e[0]: e[1] for e in org.employees}
    callers = []
    for unit in org.units:
        if unit.type in leave_data.OUTLET_TYPES and unit.head_id:
            callers.append((number[unit.head_id], "branch_head", unit.code, unit.path,
                            history.inbox_size("branch_head", unit.path)))
    governing = {r.governing.code: r.governing for r in history.routing.values()}
    by_code = {u.code: u for u in org.units}
    for code, unit in sorted(governing.items()):
        dept = by_code.get(f"{code}_D01", unit)
        staff = org.employees_in(dept)[1:1 + HR_PER_BRANCH] or [number[unit.head_id or 1]]
        size = history.inbox_size("hr", unit.path)
        callers += [(no, "hr", code, unit.path, size) for no in staff]
    return callers


def inbox_variants(run: Run, info: dict[str, Any]) -> tuple[list[tuple[str, dict[str, str]]],
                                                           dict[str, int]]:
    """(path, Authorization) per request, shuffled: every caller with its own token and
    PAGES_PER_CALLER (page, per_page) pairs within its inbox (page 1 when it is empty)."""
    rng = random.Random(10)
    variants = []
    mix = {"branch_head": 0, "hr": 0, "callers": 0, "empty_inboxes": 0}
    for no, role, code, path, size in _callers(info):
        token = run.env.user_token(sub=leave_data.sub(no), emp=no, roles=[(role, code, path)])
        header = {"Authorization": f"Bearer {token}"}
        mix[role] += 1
        mix["callers"] += 1
        mix["empty_inboxes"] += size == 0
        for _ in range(PAGES_PER_CALLER):
            per_page = rng.choice((10, 20, 50))
            page = rng.randint(1, max(1, math.ceil(size / per_page)))
            variants.append((f"/leave/approvals?page={page}&per_page={per_page}", header))
    rng.shuffle(variants)
    return variants, mix


#: What each token asks before the inbox row (`bench.priming`): a request that does not exist.
PRIMER = "/leave/requests/0"


def check_answers(base_url: str, variants: list[tuple[str, dict[str, str]]],
                  sample: int = SAMPLE) -> dict[str, int]:
    """Ask a sample of the requests once: all must be 200; count the non-empty pages."""
    import json
    import urllib.request

    seen = {"asked": 0, "ok": 0, "non_empty": 0}
    for path, headers in variants[:sample]:
        req = urllib.request.Request(base_url + path, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                body = json.loads(resp.read())
                seen["ok"] += 1
                seen["non_empty"] += bool(body["items"])
        except OSError as exc:
            raise RuntimeError(f"GET {path} failed before the load: {exc}") from exc
        seen["asked"] += 1
    if seen["ok"] != seen["asked"]:
        raise RuntimeError(f"only {seen['ok']} of {seen['asked']} inbox answers were 200")
    return seen


@scenario(f"{PREFIX} bare Flask GET /bare/health @{CONCURRENCY}", needs=("bare",))
def bare_same_concurrency(run: Run) -> Result:
    result = run.http(run.env.service("bare").base_url + "/bare/health",
                      concurrency=CONCURRENCY)
    result.note = f"the leave rows' baseline; concurrency {CONCURRENCY}"
    return result


@scenario(f"{PREFIX} bare Flask + one PostgreSQL read @{CONCURRENCY}", needs=("bare",))
def one_read_same_concurrency(run: Run) -> Result:
    result = bare_one_read(run, CONCURRENCY)
    result.note += f"; concurrency {CONCURRENCY}"
    return result


@scenario(f"{PREFIX} GET /leave/approvals (full path, many approvers)",
          needs=("staff", "leave"))
def approvals_inbox(run: Run) -> Result:
    info = seeded(run)
    if "inbox" not in info:
        variants, mix = inbox_variants(run, info)
        seen = check_answers(run.env.service("leave").base_url, variants)
        if seen["non_empty"] * 2 < seen["asked"]:
            raise RuntimeError(f"most inbox pages were empty: {seen}")
        base_url = run.env.service("leave").base_url
        primed = prime([(base_url + PRIMER, headers["Authorization"])
                        for _path, headers in variants], expect=404)
        info["inbox"] = (variants, mix, seen, primed)
    variants, mix, seen, primed = info["inbox"]
    server = run.env.service("leave")
    result = run.http(server.base_url + "/leave/approvals", concurrency=CONCURRENCY,
                      variants=variants)
    result.note = (f"{mix['callers']:,} callers ({mix['branch_head']:,} branch heads, "
                   f"{mix['hr']} hr; {mix['empty_inboxes']} with an empty inbox), "
                   f"{len(variants):,} distinct requests; {seen['non_empty']} of "
                   f"{seen['asked']} sampled pages non-empty; every token seen before the "
                   f"row ({primed:,} primer requests, bench/priming.py); {info['note']}; "
                   f"concurrency {CONCURRENCY}")
    return result


from bench import leave_flows as _leave_flows  # noqa: E402,F401 - the flows row
