"""In-process cost of leave's part of a flow: file, the branch head's review, hr's decision.

    .venv/bin/python -m bench.leave_flow_profile [--store postgres|sqlite] [-n 100]
                                                 [--profile] [--top 25]

The bench's flow row (`bench.leave_flows`) measures leave, staff and auth over HTTP; this
takes leave alone: a throwaway store migrated and first-started as gunicorn's master does,
the app as `wsgi.py` builds it (logs to /dev/null) with a directory answering from memory
(staff's chain answers and auth's role holders as those services send them — their own
CPU, and the HTTP client's, are not in these figures), and `n` flows through the Flask
test client in one thread: 15 working days of sick leave by a teller of a sub-branch (two
steps), approved by the sub-branch's head, then by hr of the branch. Prints µs per flow
of CPU (this process: PostgreSQL's not counted) and per answer, the statements each answer
sends and, with `--profile`, cProfile's own CPU time per package (as `bench.leave_profile
--profile-by-package`) and its top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.staff_profile import ISSUER, _ParsedKeys  # noqa: E402

BRANCHES, SUB_BRANCHES, TELLERS = 4, 10, 40


def _unit(code: str, kind: str, path: str) -> dict[str, Any]:
    return {"code": code, "type": kind, "path": path, "name_zh": code, "name_en": code}


class MemoryDirectory:
    """Staff and auth as leave asks them, answered from memory: HQ, branches BRb, their
    sub-branches SBb_s, tellers Tb_s_t; everyone active, every step held."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def _count(self, what: str) -> None:
        self.calls[what] = self.calls.get(what, 0) + 1

    def chain(self, employee_no: str) -> dict[str, Any] | None:
        self._count("chain")
        _, b, s, _t = employee_no.split("_")
        hq = _unit("HQ", "head_office", "HQ")
        branch = _unit(f"BR{b}", "branch", f"HQ/BR{b}")
        sub = _unit(f"SB{b}_{s}", "sub_branch", f"HQ/BR{b}/SB{b}_{s}")
        return {"employee_no": employee_no, "name": employee_no, "status": "active",
                "grade": "staff", "position": "TELLER", "must_cover": False, "manager": None,
                "unit": sub, "outlet": sub, "governing_branch": branch, "head_office": hq,
                "units": [sub, branch, hq]}

    def employee(self, employee_no: str) -> dict[str, Any] | None:
        self._count("employee")
        return {"employee_no": employee_no, "hire_date": "2015-03-01",
                "work_start_date": "2012-07-01"}

    def unit(self, code: str) -> dict[str, Any] | None:
        self._count("unit")
        return None

    def roles_of(self, employee_no: str) -> list[tuple[str, str]]:
        self._count("roles_of")
        return []

    def holders(self, role: str, org: str) -> int | None:
        self._count("holders")
        return 1

    def holders_of(self, pairs: list[tuple[str, str]]) -> list[int | None]:
        self._count("holders_of")
        return [1 for _ in pairs]


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.leave_flow_profile", description=__doc__)
    p.add_argument("--store", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("-n", type=int, default=100, help="flows timed (and as many warm-up)")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--top", type=int, default=25)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    from bench.profiling import print_profile, silence_logs, statements, throwaway_store
    from shared.settings import Settings
    from shared.testing import SigningKey, TokenFactory
    from shared.tokens import StaticKeySource, TokenVerifier

    environ = {"HR_ISSUER": ISSUER, "HR_LOG_JSON": "1"}
    _tmp, pg = throwaway_store("leave", args.store, environ)
    os.environ.update(environ)
    try:
        from services.leave.app import create_app, prepare
        from services.leave.models import db

        settings = Settings("leave", environ=environ)
        prepare(settings)
        key = SigningKey()
        tokens = TokenFactory(key=key, issuer=ISSUER)
        verifier = TokenVerifier(issuer=ISSUER, keys=_ParsedKeys(StaticKeySource(key.jwks())))
        directory = MemoryDirectory()
        app = create_app(settings, verifier=verifier, directory=directory,
                         clock=lambda: dt.date(2026, 1, 5))
        silence_logs()
        client = app.test_client()

        def bearer(**kw: Any) -> dict[str, str]:
            return {"Authorization": f"Bearer {tokens.user(ttl=7200, **kw)}"}

        people = [(b, s, t) for t in range(TELLERS) for b in range(BRANCHES)
                  for s in range(SUB_BRANCHES)]
        heads = {(b, s): bearer(sub=f"head-{b}-{s}", emp=f"H_{b}_{s}_0", roles=[
            ("branch_head", f"SB{b}_{s}", f"HQ/BR{b}/SB{b}_{s}")])
            for b in range(BRANCHES) for s in range(SUB_BRANCHES)}
        hrs = {b: bearer(sub=f"hr-{b}", emp=f"R_{b}_0_0", roles=[("hr", f"BR{b}", f"HQ/BR{b}")])
               for b in range(BRANCHES)}
        filers: dict[tuple[int, int, int], dict[str, str]] = {}  # signed when first used

        def filer(p: tuple[int, int, int]) -> dict[str, str]:
            if p not in filers:
                no = "T_{}_{}_{}".format(*p)
                filers[p] = bearer(sub=f"user-{no}", emp=no)
            return filers[p]

        monday = dt.date(2026, 3, 2)
        seen: dict[str, list[str]] = {}
        spent = {"file": 0.0, "review": 0.0, "decide": 0.0}

        def flow(i: int, count: bool = False) -> None:
            b, s, t = people[i % len(people)]
            start = monday + dt.timedelta(weeks=4 * (i // len(people)))
            body = {"type": "sick", "reason": "flu 感冒", "start_date": start.isoformat(),
                    "end_date": (start + dt.timedelta(days=20)).isoformat()}
            calls = {
                "file": lambda: client.post("/leave/requests", json=body,
                                            headers=filer((b, s, t))),
                "review": lambda: client.post(f"/leave/requests/{rid}/decision",
                                              json={"decision": "approve"},
                                              headers=heads[(b, s)]),
                "decide": lambda: client.post(f"/leave/requests/{rid}/decision",
                                              json={"decision": "approve"}, headers=hrs[b]),
            }
            rid = 0
            for name, expected in (("file", 201), ("review", 200), ("decide", 200)):
                t0 = time.perf_counter()
                if count and name not in seen:
                    sent: list[Any] = []
                    seen[name] = statements(app, db, lambda c=calls[name], s=sent:
                                            s.append(c()))
                    resp = sent[0]
                else:
                    resp = calls[name]()
                spent[name] += time.perf_counter() - t0
                assert resp.status_code == expected, (name, resp.get_json())
                rid = resp.get_json()["id"]

        for i in range(3 * args.n):  # RSA signing is not the service's cost: sign up front
            filer(people[i % len(people)])
        for i in range(args.n):  # warm-up: caches, prepared statements
            flow(i, count=i == args.n - 1)
        spent = dict.fromkeys(spent, 0.0)
        t0, cpu0 = time.perf_counter(), time.process_time()
        for i in range(args.n, 2 * args.n):
            flow(i)
        cpu = (time.process_time() - cpu0) / args.n * 1e6
        wall = (time.perf_counter() - t0) / args.n * 1e6
        print(f"leave, one flow in-process ({args.store}): {cpu:,.0f} µs of CPU "
              f"({wall:,.0f} µs wall; by answer, wall: "
              + ", ".join(f"{k} {v / args.n * 1e6:,.0f}" for k, v in spent.items()) + ")")
        print("directory calls per flow:",
              {k: round(v / (2 * args.n), 2) for k, v in directory.calls.items()})
        for name, sent in seen.items():
            print(f"\n{name}: {len(sent)} statements")
            for stmt in sent:
                print("  " + " ".join(stmt.split())[:150])
        if args.profile:
            prof = cProfile.Profile(time.process_time)  # CPU: the database's waits left out
            prof.enable()
            for i in range(2 * args.n, 3 * args.n):
                flow(i)
            prof.disable()
            print_profile(prof, sort="tottime", top=args.top, n=args.n)
    finally:
        if pg is not None:
            pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
