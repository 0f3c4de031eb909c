"""In-process cost of the performance-at-scale requests (issue #11), deterministic enough to
profile and to compare two code paths answer for answer.

    .venv/bin/python -m bench.performance_profile [--store postgres|sqlite]
                                                  [--incidents 200000] [-n 300]
                                                  [--profile scorecard|head|rollup] [--top 30]
                                                  [--compare]

Migrates and first-starts staff (for its position catalogue) and performance in a throwaway
store exactly as gunicorn's master does, builds the bench's organisation (`bench.staff_data`:
2,000 units, 100,000 employees) and loads performance's demerit history
(`bench.performance_data`), creates performance's app as `wsgi.py` does (JSON access logs,
written to /dev/null) with a verifier holding the parsed signing key, and a stand-in for
staff that answers `chain` and `unit` from the organisation in memory: **the staff hop's
HTTP cost is not in these figures** (the HTTP rows of `bench/performance_scenarios.py` have
it). Then, through the Flask test client in one thread:

- the bare endpoint (`bench/bare_app.py`), the baseline;
- scorecards as the bench asks them: employees reading their own, 网点 heads reading their
  staff's (a period of 2025–2026 each, months most often);
- roll-ups of the bench's ~2,000-employee branches by their heads and hr, varied periods,
  pages and page sizes.

It prints µs per request (median of 3 runs of N: wall-clock, and this process's CPU time,
which is what a loaded machine distorts least) on the served path and, with `--both`, on
the documented path too (ORM objects dumped by marshmallow, webargs: the code before issue
#11's speed-ups), the statements per request and, with
`--profile ROW`, cProfile's top functions and own time per package. `--compare` asks every
request of the three kinds (~2,600) once with the answers built from rows
(`api.scorecards.FAST_PATH`, the served path) and once through the ORM and marshmallow (the
documented schemas' own dump) and reports any answer that differs by a byte.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.profiling import print_profile  # noqa: E402
from bench.staff_profile import ISSUER, _ParsedKeys  # noqa: E402


class OrgStaff:
    """Staff as performance sees it, answered from `bench.staff_data`'s organisation in
    memory (what `services.performance.staff.StaffGateway` returns, the fields read)."""

    def __init__(self, org: Any) -> None:
        self.units = {u.code: self._unit(u) for u in org.units}
        self.employees = {e[1]: org.units[e[4] - 1].code for e in org.employees}

    @staticmethod
    def _unit(u: Any) -> dict[str, Any]:
        return {"code": u.code, "type": u.type, "path": u.path, "name_zh": u.name_zh,
                "name_en": u.name_en}

    def chain(self, employee_no: str) -> dict[str, Any] | None:
        code = self.employees.get(employee_no)
        return None if code is None else {"employee_no": employee_no,
                                          "unit": self.units[code]}

    def unit(self, code: str) -> dict[str, Any] | None:
        return self.units.get(code)

    def related(self, employee_no: str) -> set[str]:
        return set()

    def send(self, destination: str, path: str, payload: dict[str, Any]) -> int:
        return 201


def _period(rng: random.Random) -> str:
    from bench.performance_scenarios import _period as period

    return period(rng)


def requests_of(org: Any, tokens: Any, client: Any) -> dict[str, list[tuple[str, Any]]]:
    """The bench's three kinds of request: (path, headers), as `bench.performance_scenarios`
    builds them (same sizes, same seeds)."""
    # bench.scenarios first: it registers every row; a row module imported before it is a
    # circular import (staff_scenarios -> scenarios -> staff_mix -> staff_scenarios)
    from bench import performance_data, scenarios, staff_data  # noqa: F401
    from bench.performance_scenarios import (
        HEAD_READERS,
        HR_PER_BRANCH,
        READS_PER_HEAD,
        ROLLUP_BRANCHES,
        SELF_READERS,
        VARIANTS_PER_ROLLUP_CALLER,
    )

    def header(no: str, role: str | None, unit: Any) -> dict[str, str]:
        roles = [(role, unit.code, unit.path)] if role else []
        return {"Authorization": "Bearer " + tokens.user(
            sub=performance_data.sub(no), emp=no, roles=roles, ttl=7200)}

    rng = random.Random(11)
    active = [e for e in org.employees if e[10] == "active"]
    own = [(f"/performance/scorecards/{e[1]}?period={_period(rng)}",
            header(e[1], "employee", org.units[e[4] - 1]))
           for e in rng.sample(active, SELF_READERS)]
    number = {e[0]: e[1] for e in org.employees}
    below: dict[int, list[str]] = {}
    for e in active:
        below.setdefault(e[4], []).append(e[1])
    heads = [u for u in org.units if u.type in (staff_data.SUB_BRANCH, staff_data.OUTLET)
             and u.head_id]
    theirs = []
    for unit in rng.sample(heads, min(HEAD_READERS, len(heads))):
        head_no = number[unit.head_id or 0]
        hdr = header(head_no, "branch_head", unit)
        staff = [n for n in below.get(unit.id, []) if n != head_no]
        for no in rng.sample(staff, min(READS_PER_HEAD, len(staff))):
            theirs.append((f"/performance/scorecards/{no}?period={_period(rng)}", hdr))
    rng = random.Random(12)
    by_code = {u.code: u for u in org.units}
    rollups, totals = [], {}
    for code in ROLLUP_BRANCHES:
        branch = by_code[code]
        people = [("branch_head", number[branch.head_id or 0])]
        people += [("hr", no) for no in
                   org.employees_in(by_code[f"{code}_D01"])[1:1 + HR_PER_BRANCH]]
        for role, no in people:
            hdr = header(no, role, branch)
            for _ in range(VARIANTS_PER_ROLLUP_CALLER):
                period = _period(rng)
                if (code, period) not in totals:
                    resp = client.get(f"/performance/units/{code}/scorecards?period={period}"
                                      "&per_page=1", headers=hdr)
                    totals[(code, period)] = resp.get_json()["total"]
                per_page = rng.choice((20, 50, 100))
                page = rng.randint(1, max(1, -(-totals[(code, period)] // per_page)))
                rollups.append((f"/performance/units/{code}/scorecards?period={period}"
                                f"&page={page}&per_page={per_page}", hdr))
    return {"scorecard": own, "head": theirs, "rollup": rollups}


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.performance_profile",
                                description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--incidents", type=int, default=200_000)
    p.add_argument("-n", type=int, default=300, help="requests per timed run")
    p.add_argument("--profile", choices=["scorecard", "head", "rollup"])
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--both", action="store_true",
                   help="time the documented path (ORM + marshmallow) too")
    p.add_argument("--compare", action="store_true",
                   help="every request on both paths; report answers that differ")
    return p.parse_args(argv)


def timed(call: Any, n: int, repeat: int = 3) -> tuple[float, float]:
    """(wall µs, CPU µs) per call: the medians over `repeat` runs of `n` calls."""
    import statistics
    import time

    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            call()
        walls.append((time.perf_counter() - w0) / n * 1e6)
        cpus.append((time.process_time() - c0) / n * 1e6)
    return statistics.median(walls), statistics.median(cpus)


def compare(client: Any, rows: dict[str, list[tuple[str, Any]]]) -> int:
    """Every request once on each path; the number of answers that differ by a byte."""
    from services.performance.api import scorecards as api

    differ = asked = 0
    for kind, requests in rows.items():
        for path, headers in requests:
            api.FAST_PATH = True
            fast = client.get(path, headers=headers)
            api.FAST_PATH = False
            slow = client.get(path, headers=headers)
            api.FAST_PATH = True
            asked += 1
            if (fast.status_code, fast.get_data()) != (slow.status_code, slow.get_data()):
                differ += 1
                if differ <= 5:
                    print(f"DIFFERS ({kind}) {path}\n  rows: {fast.get_data()[:300]!r}\n"
                          f"  orm:  {slow.get_data()[:300]!r}")
    print(f"compared {asked:,} requests on both paths: {differ} differ")
    return differ


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    from bench import performance_data, staff_data
    from bench.profiling import silence_logs, statements
    from shared.settings import Settings
    from shared.testing import PostgresServer, SigningKey, TokenFactory
    from shared.tokens import StaticKeySource, TokenVerifier

    tmp = Path(tempfile.mkdtemp(prefix="hr-performance-profile-"))
    environ = {"HR_DATA_DIR": str(tmp), "HR_DEMO": "0", "HR_ISSUER": ISSUER,
               "HR_LOG_JSON": "1"}
    pg = None
    if args.store == "postgres":
        pg = PostgresServer().start()
        for service in ("staff", "performance"):
            environ[f"{service.upper()}_DATABASE_URL"] = pg.create_database(f"p_{service}")
    os.environ.update(environ)
    try:
        from services.staff.app import prepare as prepare_staff

        staff_settings = Settings("staff", environ=environ)
        prepare_staff(staff_settings)
        positions = staff_data.read_positions(staff_settings.database_url)
        org = staff_data.build(2_000, 100_000, positions=positions)
        grades = {pid: grade for pid, grade, _kinds in positions.values()}
        from services.performance.app import create_app, prepare
        from services.performance.models import db

        settings = Settings("performance", environ=environ)
        prepare(settings)
        rules, policy_version = performance_data.read_rules(settings.database_url)
        plan = performance_data.build(org, grades, rules, policy_version, args.incidents)
        performance_data.load(settings.database_url, plan)
        key = SigningKey()
        tokens = TokenFactory(key=key, issuer=ISSUER)
        verifier = TokenVerifier(issuer=ISSUER, keys=_ParsedKeys(StaticKeySource(key.jwks())))
        app = create_app(settings, verifier=verifier, staff=OrgStaff(org))
        silence_logs()
        from bench.bare_app import app as bare

        client, bare_client = app.test_client(), bare.test_client()
        rows = requests_of(org, tokens, client)
        for kind, requests in rows.items():
            for path, headers in requests[:50]:
                resp = client.get(path, headers=headers)
                assert resp.status_code == 200, (kind, path, resp.get_json())
        from services.performance.api import scorecards as api

        wall, cpu = timed(lambda: bare_client.get("/bare/health"), args.n)
        print(f"{'bare Flask':<36} {wall:>8,.0f} µs wall {cpu:>8,.0f} µs CPU")
        for kind, requests in rows.items():
            for fast in (False, True) if args.both else (True,):
                api.FAST_PATH = fast
                cycle = iter(requests * (1 + 3 * args.n // len(requests)))

                def one(cycle: Any = cycle) -> None:
                    path, headers = next(cycle)
                    client.get(path, headers=headers)

                wall, cpu = timed(one, args.n)
                name = f"{kind} ({'rows + orjson' if fast else 'ORM + marshmallow'})"
                print(f"{name:<36} {wall:>8,.0f} µs wall {cpu:>8,.0f} µs CPU   "
                      f"({len(requests):,} distinct requests)")
            api.FAST_PATH = True
        for kind, requests in rows.items():
            path, headers = requests[0]
            sent = statements(app, db, lambda p=path, h=headers: client.get(p, headers=h),
                              skip_transaction_control=False)
            print(f"\n{kind} {path}: {len(sent)} statements")
            for s in sent:
                print("  " + " ".join(s.split())[:200])
        if args.compare:
            compare(client, rows)
        if args.profile:
            requests = rows[args.profile]
            prof = cProfile.Profile()
            prof.enable()
            for i in range(args.n):
                path, headers = requests[i % len(requests)]
                client.get(path, headers=headers)
            prof.disable()
            print_profile(prof, sort="cumulative", top=args.top, n=args.n)
    finally:
        if pg is not None:
            pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
