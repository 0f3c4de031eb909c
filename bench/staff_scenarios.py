"""Staff at scale (issue #5): subtree listing and approver-chain resolution with 100,000
employees in 2,000 units, at 16 concurrent connections.

The first row that needs it loads the organisation (`bench.staff_data`) straight into the
running staff service's database (after gunicorn's master migrated it and loaded the
catalogue): COPY on PostgreSQL, executemany on SQLite, then ANALYZE. Every row here is named
"staff 100k: …" so that `--only "staff 100k"` selects them all, including a bare-Flask row at
the same concurrency (the run's baseline row uses `--concurrency`, 8 by default).

Targets (PostgreSQL, 16 connections): p95 ≤ 25 ms and ≥ 0.25× the bare endpoint's rate.

The rows here send one token's one request again and again — not traffic as users make it —
so they run only when named (`--only`). `make bench` runs `bench.staff_mix`'s row: many
callers' tokens and varied questions.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from bench import staff_data
from bench.load import Result
from bench.scenarios import Run, scenario
from shared.settings import Settings

UNITS = 2_000
EMPLOYEES = 100_000
CONCURRENCY = int(os.environ.get("HR_BENCH_STAFF_CONCURRENCY", "16"))
BRANCH = "BR04"  # a mid-sized branch (about 5,400 employees below it)
PREFIX = "staff 100k:"

_seeded: dict[int, dict[str, Any]] = {}


def _database_url(run: Run) -> str:
    env = run.env
    if env.store == "postgres":
        assert env.pg is not None, "the staff service starts PostgreSQL first"
        return env.pg.url("bench_staff")  # the database servers.Environment created for it
    return Settings("staff", environ=env._base_env()).database_url


def seeded(run: Run) -> dict[str, Any]:
    """Load the organisation once per environment; what the rows need to know about it."""
    key = id(run.env)
    if key in _seeded:
        return _seeded[key]
    run.env.service("staff")  # migrated, catalogue loaded (gunicorn's on_starting)
    url = _database_url(run)
    t0 = time.perf_counter()
    org = staff_data.build(UNITS, EMPLOYEES, positions=staff_data.read_positions(url))
    built = time.perf_counter()
    if staff_data.count_employees(url) == 0:
        staff_data.load(url, org)
    loaded = time.perf_counter()
    branch = org.unit(BRANCH)
    outlet = next(u for u in org.units if u.type == staff_data.OUTLET
                  and u.path.startswith(branch.path + "/"))
    info = {
        "org": org,
        "branch": branch.code, "branch_path": branch.path,
        "branch_size": sum(1 for e in org.employees
                           if org.units[e[4] - 1].path.startswith(branch.path + "/")
                           or e[4] == branch.id),
        "chain_employee": org.employees_in(outlet)[-1],
        "note": f"{UNITS:,} units, {EMPLOYEES:,} employees; built {built - t0:.1f}s, "
                f"loaded {loaded - built:.1f}s",
    }
    print(f"  staff: {info['note']} ({run.env.store})", file=sys.stderr)
    _seeded[key] = info
    return info


def _load(run: Run, path: str, headers: dict[str, str], note: str) -> Result:
    result = run.http(run.env.service("staff").base_url + path, headers=headers,
                      concurrency=CONCURRENCY)
    result.note = f"{note}; concurrency {CONCURRENCY}"
    return result


def _whole_org(run: Run) -> dict[str, str]:
    return run.env.bearer(sub="bench-hr", roles=[("hr", "*", "*")])


def _branch(run: Run, info: dict[str, Any]) -> dict[str, str]:
    return run.env.bearer(sub="bench-branch-head",
                          roles=[("branch_head", info["branch"], info["branch_path"])])


@scenario(f"{PREFIX} bare Flask GET /bare/health @{CONCURRENCY}", needs=("bare",))
def bare_same_concurrency(run: Run) -> Result:
    result = run.http(run.env.service("bare").base_url + "/bare/health",
                      concurrency=CONCURRENCY)
    result.note = f"the staff rows' baseline; concurrency {CONCURRENCY}"
    return result


@scenario(f"{PREFIX} GET /staff/employees?org=BR&subtree=true (all-org token)",
          needs=("staff",), default=False)
def subtree_listing(run: Run) -> Result:
    info = seeded(run)
    return _load(run, f"/staff/employees?org={info['branch']}&subtree=true&per_page=50",
                 _whole_org(run), f"{info['branch_size']:,} in the subtree; {info['note']}")


@scenario(f"{PREFIX} GET /staff/employees?org=BR&subtree=true (branch token)",
          needs=("staff",), default=False)
def subtree_listing_branch_scope(run: Run) -> Result:
    info = seeded(run)
    return _load(run, f"/staff/employees?org={info['branch']}&subtree=true&per_page=50",
                 _branch(run, info), f"{info['branch_size']:,} in the subtree")


@scenario(f"{PREFIX} GET /staff/employees/{{no}}/chain (all-org token)",
          needs=("staff",), default=False)
def chain_resolution(run: Run) -> Result:
    info = seeded(run)
    return _load(run, f"/staff/employees/{info['chain_employee']}/chain", _whole_org(run),
                 "an outlet employee")


@scenario(f"{PREFIX} GET /staff/employees/{{no}}/chain (branch token)",
          needs=("staff",), default=False)
def chain_resolution_branch_scope(run: Run) -> Result:
    info = seeded(run)
    return _load(run, f"/staff/employees/{info['chain_employee']}/chain",
                 _branch(run, info), "an outlet employee")


@scenario(f"{PREFIX} GET /staff/employees?org=HQ&subtree=true (all 100k)", needs=("staff",),
          default=False)
def whole_tree_listing(run: Run) -> Result:
    seeded(run)
    return _load(run, "/staff/employees?org=HQ&subtree=true&per_page=50", _whole_org(run),
                 "the whole organisation: the total counts 100,000")
