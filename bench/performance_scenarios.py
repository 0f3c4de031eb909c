"""Performance at scale (issue #11): scorecards and branch roll-ups over 200,000 incidents of
the 100,000 employees of `bench.staff_data`, at 16 concurrent connections, on the full path
with many users' tokens.

The first row that needs it loads staff's organisation (`bench.staff_scenarios.seeded`, the
staff rows' 100,000 employees, which staff serves to performance) and then the demerit
history (`bench.performance_data`) straight into the running performance service's store.
`HR_BENCH_PERFORMANCE_INCIDENTS` scales the history down for a quick check (the organisation
stays 100,000). Every row is named "performance 200k: …" (`--only "performance 200k"`), a
bare-Flask row at the same concurrency among them.

Performance asks staff over HTTP with its own client token, as in production: auth runs and
issues it (auth provisions the services' clients at start), and the bench's key set
publishes auth's keys beside its own so that staff verifies it. A scorecard read by someone
other than the employee costs one `GET /staff/employees/{no}/chain`; a roll-up one
`GET /staff/org-units/{code}`. Staff is the staff rows' server as it runs in production.

Targets (PostgreSQL, 16 connections): a scorecard p95 ≤ 25 ms; a roll-up of a
2,000-employee branch p95 ≤ 250 ms; a constant number of queries per request
(`tests/performance/test_scorecard_queries.py`).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import urllib.request
from typing import Any

from bench import performance_data, staff_data, staff_scenarios
from bench.load import Result
from bench.priming import prime
from bench.scenarios import Run, scenario
from shared.settings import Settings

INCIDENTS = int(os.environ.get("HR_BENCH_PERFORMANCE_INCIDENTS", "200000"))
CONCURRENCY = int(os.environ.get("HR_BENCH_PERFORMANCE_CONCURRENCY", "16"))
PREFIX = "performance 200k:"
SELF_READERS = 1_200  # employees reading their own scorecard
HEAD_READERS = 600  # 网点 heads (branch_head on their sub-branch or outlet) reading staff's
READS_PER_HEAD = 2
USERS = SELF_READERS + HEAD_READERS
#: Branches of about 2,000 employees in `bench.staff_data`'s organisation (2,004–2,344).
ROLLUP_BRANCHES = ("BR27", "BR28", "BR15", "BR22", "BR03", "BR06")
HR_PER_BRANCH = 3
VARIANTS_PER_ROLLUP_CALLER = 8
SAMPLE = 300  # requests checked before the load
PROBE_TIMEOUT = 40.0  # staff refetches an unknown key set at most every 10 s

_seeded: dict[int, dict[str, Any]] = {}


def database_url(run: Run, service: str) -> str:
    env = run.env
    if env.store == "postgres":
        assert env.pg is not None, "the service starts PostgreSQL first"
        return env.pg.url(f"bench_{service}")
    return Settings(service, environ=env._base_env()).database_url


def _basic(user: str, secret: str) -> str:
    import base64

    return base64.b64encode(f"{user}:{secret}".encode()).decode()


def _wire(run: Run) -> None:
    """Publish auth's keys beside the bench's, then wait until staff accepts a token auth
    issued to performance (staff may hold the bench's key set from a moment ago)."""
    env = run.env
    auth = env.service("auth")
    with urllib.request.urlopen(auth.base_url + "/auth/.well-known/jwks.json",
                                timeout=10) as resp:
        env.jwks.add_keys(json.loads(resp.read()))
    settings = Settings("performance", environ=env._base_env())
    token_req = urllib.request.Request(
        auth.base_url + "/auth/token", data=b"grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Authorization": "Basic " + _basic(settings.client_id,
                                                    settings.client_secret)})
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


def seeded(run: Run) -> dict[str, Any]:
    """Staff's organisation and performance's history, loaded once per environment."""
    key = id(run.env)
    if key in _seeded:
        return _seeded[key]
    staff_scenarios.seeded(run)  # staff's 100,000 employees (performance asks staff)
    staff_url = database_url(run, "staff")
    t0 = time.perf_counter()
    positions = staff_data.read_positions(staff_url)
    org = staff_data.build(staff_scenarios.UNITS, staff_scenarios.EMPLOYEES,
                           positions=positions)
    grades = {pid: grade for pid, grade, _kinds in positions.values()}
    run.env.service("performance")  # migrated, rulebooks loaded (gunicorn's on_starting)
    url = database_url(run, "performance")
    rules, policy_version = performance_data.read_rules(url)
    plan = performance_data.build(org, grades, rules, policy_version, INCIDENTS)
    built = time.perf_counter()
    performance_data.load(url, plan, write=performance_data.count_incidents(url) == 0)
    loaded = time.perf_counter()
    _wire(run)
    standing = sum(plan.statuses[s] for s in ("confirmed", "appealed", "upheld"))
    info = {
        "org": org, "plan": plan,
        "note": f"{plan.incidents:,} incidents ({plan.statuses['confirmed'] / plan.incidents:.0%}"
                f" confirmed, {standing / plan.incidents:.0%} standing) of "
                f"{len(plan.per_employee):,} employees; loaded {loaded - built:.0f}s",
    }
    print(f"  performance: {info['note']} ({run.env.store}); organisation rebuilt in "
          f"{built - t0:.1f}s", file=sys.stderr)
    _seeded[key] = info
    return info


def _period(rng: random.Random) -> str:
    """A period of 2025–2026: a month, a quarter or a year (months most often)."""
    year = rng.choice((2025, 2026))
    kind = rng.choices(("month", "quarter", "year"), weights=(45, 35, 20))[0]
    if kind == "month":
        return f"{year}-{rng.randint(1, 12):02d}"
    if kind == "quarter":
        return f"{year}-Q{rng.randint(1, 4)}"
    return str(year)


def _token(run: Run, no: str, role: str, unit: staff_data.Unit) -> dict[str, str]:
    token = run.env.user_token(sub=performance_data.sub(no), emp=no,
                               roles=[(role, unit.code, unit.path)], ttl=7200)
    return {"Authorization": f"Bearer {token}"}


def scorecard_variants(run: Run, info: dict[str, Any]) -> tuple[
        list[tuple[str, dict[str, str]]], dict[str, int]]:
    """(path, Authorization) per request, shuffled: SELF_READERS employees reading their
    own scorecard, HEAD_READERS 网点 heads reading READS_PER_HEAD of their staff's (the
    staff call), each with a period drawn from 2025–2026."""
    org: staff_data.Org = info["org"]
    rng = random.Random(11)
    active = [e for e in org.employees if e[10] == "active"]
    variants: list[tuple[str, dict[str, str]]] = []
    for e in rng.sample(active, SELF_READERS):
        no, unit = e[1], org.units[e[4] - 1]
        variants.append((f"/performance/scorecards/{no}?period={_period(rng)}",
                         _token(run, no, "employee", unit)))
    own = len(variants)
    number = {e[0]: e[1] for e in org.employees}
    below: dict[int, list[str]] = {}
    for e in active:
        below.setdefault(e[4], []).append(e[1])
    heads = [u for u in org.units if u.type in (staff_data.SUB_BRANCH, staff_data.OUTLET)
             and u.head_id]
    for unit in rng.sample(heads, min(HEAD_READERS, len(heads))):
        head_no = number[unit.head_id or 0]
        staff = [n for n in below.get(unit.id, []) if n != head_no]
        header = _token(run, head_no, "branch_head", unit)
        for no in rng.sample(staff, min(READS_PER_HEAD, len(staff))):
            variants.append((f"/performance/scorecards/{no}?period={_period(rng)}", header))
    info["scorecards_by_reader"] = {"own": variants[:own], "heads": variants[own:]}
    rng.shuffle(variants)
    mix = {"self": SELF_READERS, "heads": min(HEAD_READERS, len(heads)),
           "requests": len(variants)}
    return variants, mix


def _get(base_url: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    req = urllib.request.Request(base_url + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())
    except OSError as exc:
        raise RuntimeError(f"GET {path} failed before the load: {exc}") from exc


def check_scorecards(base_url: str, variants: list[tuple[str, dict[str, str]]],
                     sample: int = SAMPLE) -> dict[str, int]:
    """Ask a sample once: all must be 200; count scorecards with standing incidents."""
    seen = {"asked": 0, "with_incidents": 0, "incidents": 0}
    for path, headers in variants[:sample]:
        body = _get(base_url, path, headers)
        seen["asked"] += 1
        seen["with_incidents"] += bool(body["incidents"])
        seen["incidents"] += len(body["incidents"])
    return seen


def rollup_variants(run: Run, info: dict[str, Any]) -> tuple[
        list[tuple[str, dict[str, str]]], dict[str, Any]]:
    """(path, Authorization) per request, shuffled: for each branch of ROLLUP_BRANCHES its
    head (branch_head on the branch) and HR_PER_BRANCH hr employees of its first
    department (hr on the branch), each with VARIANTS_PER_ROLLUP_CALLER (period, page,
    per_page) within the roll-up's real size (asked once per branch and period)."""
    org: staff_data.Org = info["org"]
    by_code = {u.code: u for u in org.units}
    number = {e[0]: e[1] for e in org.employees}
    base = run.env.service("performance").base_url
    rng = random.Random(12)
    totals: dict[tuple[str, str], int] = {}
    variants: list[tuple[str, dict[str, str]]] = []
    callers = 0
    for code in ROLLUP_BRANCHES:
        branch = by_code[code]
        dept = by_code[f"{code}_D01"]
        people = [("branch_head", number[branch.head_id or 0])]
        people += [("hr", no) for no in org.employees_in(dept)[1:1 + HR_PER_BRANCH]]
        for role, no in people:
            header = _token(run, no, role, branch)
            callers += 1
            for _ in range(VARIANTS_PER_ROLLUP_CALLER):
                period = _period(rng)
                if (code, period) not in totals:
                    body = _get(base, f"/performance/units/{code}/scorecards?period={period}"
                                f"&per_page=1", header)
                    totals[(code, period)] = body["total"]
                per_page = rng.choice((20, 50, 100))
                pages = max(1, -(-totals[(code, period)] // per_page))
                page = rng.randint(1, pages)
                variants.append((f"/performance/units/{code}/scorecards?period={period}"
                                 f"&page={page}&per_page={per_page}", header))
    rng.shuffle(variants)
    sizes = sorted(totals.values())
    mix = {"callers": callers, "requests": len(variants), "branch_periods": len(totals),
           "listed_median": sizes[len(sizes) // 2] if sizes else 0,
           "listed_max": sizes[-1] if sizes else 0}
    return variants, mix


@scenario(f"{PREFIX} bare Flask GET /bare/health @{CONCURRENCY}", needs=("bare",))
def bare_same_concurrency(run: Run) -> Result:
    result = run.http(run.env.service("bare").base_url + "/bare/health",
                      concurrency=CONCURRENCY)
    result.note = f"the performance rows' baseline; concurrency {CONCURRENCY}"
    return result


#: What each token asks before the scorecard row (`bench.priming`): an incident that does not
#: exist.
PRIMER = "/performance/incidents/0"


def _scorecards(run: Run, info: dict[str, Any]) -> tuple[Any, ...]:
    """The scorecard requests, built and checked once per environment."""
    if "scorecards" not in info:
        variants, mix = scorecard_variants(run, info)
        base_url = run.env.service("performance").base_url
        seen = check_scorecards(base_url, variants)
        # every reader's token seen first, as a reader's screen has (bench.priming)
        seen["primed"] = prime([(base_url + PRIMER, headers["Authorization"])
                                for _path, headers in variants], expect=404)
        info["scorecards"] = (variants, mix, seen)
    return info["scorecards"]


@scenario(f"{PREFIX} GET /performance/scorecards/{{no}} (full path, {USERS:,} users)",
          needs=("staff", "auth", "performance"))
def scorecards_many_users(run: Run) -> Result:
    info = seeded(run)
    server = run.env.service("performance")
    variants, mix, seen = _scorecards(run, info)
    result = run.http(server.base_url + "/performance/scorecards", concurrency=CONCURRENCY,
                      variants=variants)
    result.note = (f"{mix['self']:,} employees reading their own, {mix['heads']} 网点 heads "
                   f"reading their staff's (one staff call each); {mix['requests']:,} distinct "
                   f"requests; {seen['with_incidents']} of {seen['asked']} sampled scorecards "
                   f"with standing incidents ({seen['incidents']} in all); every token seen "
                   f"before the row ({seen['primed']:,} primer requests); {info['note']}; "
                   f"concurrency {CONCURRENCY}")
    return result


@scenario(f"{PREFIX} GET /performance/units/{{branch}}/scorecards (roll-up, ~2,000 employees)",
          needs=("staff", "auth", "performance"))
def branch_rollups(run: Run) -> Result:
    info = seeded(run)
    server = run.env.service("performance")
    if "rollups" not in info:
        info["rollups"] = rollup_variants(run, info)
    variants, mix = info["rollups"]
    result = run.http(server.base_url + "/performance/units", concurrency=CONCURRENCY,
                      variants=variants)
    result.note = (f"{len(ROLLUP_BRANCHES)} branches of 2,004–2,344 employees, "
                   f"{mix['callers']} callers (head + {HR_PER_BRANCH} hr each), "
                   f"{mix['requests']} distinct requests over {mix['branch_periods']} "
                   f"branch-periods (employees listed: median {mix['listed_median']:,}, "
                   f"max {mix['listed_max']:,}); {info['note']}; concurrency {CONCURRENCY}")
    return result


def _by_reader(kind: str, what: str) -> None:
    """The scorecard row's requests of one kind of reader alone (`--only "performance
    scorecards by reader"`): what the staff call adds."""

    @scenario(f"performance scorecards by reader: {what}", needs=("staff", "auth", "performance"),
              default=False)
    def scorecards_of(run: Run) -> Result:
        info = seeded(run)
        _scorecards(run, info)
        variants = info["scorecards_by_reader"][kind]
        server = run.env.service("performance")
        result = run.http(server.base_url + "/performance/scorecards",
                          concurrency=CONCURRENCY, variants=variants)
        result.note = f"{len(variants):,} distinct requests; concurrency {CONCURRENCY}"
        return result


_by_reader("own", "employees reading their own (no staff call)")
_by_reader("heads", "网点 heads reading their staff's (one staff call each)")
