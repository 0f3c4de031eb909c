"""In-process cost of the staff-at-scale requests, deterministic enough to profile (issue #5).

    .venv/bin/python -m bench.staff_profile [--store sqlite|postgres] [-n 500] [--chain-n 2000]
                                            [--profile listing|chain|...] [--top 30]
                                            [--pyinstrument] [--dump-answers FILE]
                                            [--try token-cache]

Builds the bench's organisation (`bench.staff_data`: 2,000 units, 100,000 employees) in a
temporary database migrated and first-started exactly as gunicorn's master does
(`services.staff.app.prepare`, catalogue loaded, no demo), bulk-loads it as
`bench.staff_scenarios` does, creates the app as `wsgi.py` does (JSON access logs on, written
to /dev/null) with a verifier holding the parsed signing key (as a warm `JWKSKeySource`
does), and times, through the Flask test client in one
thread:

- the bare endpoint (`bench/bare_app.py`), the baseline;
- `GET /staff/health` (the platform's skeleton + one `SELECT 1`);
- `GET /staff/employees?org=BR04&subtree=true&per_page=50` with an all-org token and with a
  token scoped to BR04 (N = `-n`, 500);
- `GET /staff/employees/{no}/chain` of the bench's outlet employee, both tokens
  (N = `--chain-n`, 2000).

It prints µs per call (median of `--repeat` runs), the statements per request, and, with
`--profile NAME`, cProfile's top functions over N calls of that row (or pyinstrument's tree
with `--pyinstrument`, if installed in the venv: it is not a project dependency).
`--try token-cache` patches a proposed `shared/` change into this process only, to measure
it. `--dump-answers FILE` writes every row's response body (plus a few more listing/chain
requests, both tokens) as JSON lines, to compare two versions of the code byte for byte.
No network, no gunicorn: the test client's own WSGI work is in every figure, bare included,
so read the differences.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ISSUER = "http://127.0.0.1/bench-issuer/auth"


class _ParsedKeys:
    """A key source that parses each JWK once, as `JWKSKeySource` (production) does;
    `StaticKeySource` parses the JWKS on every call, a cost no served request has."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.keys: dict[str, Any] = {}

    def key_for(self, kid: str) -> Any | None:
        if kid not in self.keys:
            self.keys[kid] = self.source.key_for(kid)
        return self.keys[kid]


def try_token_cache() -> None:
    """`--try token-cache`: what a verified-token cache in `shared.tokens.TokenVerifier`
    would save (a proposal, patched into this process only): the principal of a token
    already verified is reused until the token's `exp` (+ leeway), bounded in size."""
    from shared.tokens import TokenVerifier

    verify = TokenVerifier.principal
    cache: dict[str, tuple[float, Any]] = {}

    def principal(self: Any, token: str) -> Any:
        hit = cache.get(token)
        if hit is not None and time.time() < hit[0]:
            return hit[1]
        found = verify(self, token)
        if len(cache) >= 4096:
            cache.clear()
        cache[token] = (float(found.claims["exp"]) + self.leeway, found)
        return found

    TokenVerifier.principal = principal  # type: ignore[method-assign]


TRIES = {"token-cache": try_token_cache}


@dataclass
class Setup:
    app: Any
    client: Any
    whole: dict[str, str]
    branch: dict[str, str]
    info: dict[str, Any]
    org: Any
    pg: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        from bench.profiling import close_app
        from services.staff.models import db

        close_app(self.app, db, self.pg)


def build(store: str = "sqlite") -> Setup:
    """A migrated, first-started, bulk-loaded staff database and the app on it."""
    from bench import staff_data
    from bench.profiling import silence_logs, throwaway_store
    from bench.staff_scenarios import BRANCH, EMPLOYEES, UNITS
    from services.staff.app import create_app, prepare
    from shared.settings import Settings
    from shared.testing import SigningKey, TokenFactory
    from shared.tokens import StaticKeySource, TokenVerifier

    environ = {"HR_ISSUER": ISSUER, "HR_AUTH_URL": "http://127.0.0.1:9"}
    _tmp, pg = throwaway_store("staff", store, environ)
    try:
        settings = Settings("staff", environ=environ)
        prepare(settings)
        url = settings.database_url
        t0 = time.perf_counter()
        org = staff_data.build(UNITS, EMPLOYEES, positions=staff_data.read_positions(url))
        built = time.perf_counter()
        staff_data.load(url, org)
        print(f"data: {UNITS:,} units, {EMPLOYEES:,} employees (built "
              f"{built - t0:.1f}s, loaded {time.perf_counter() - built:.1f}s), store={store}",
              file=sys.stderr)
        key = SigningKey()
        tokens = TokenFactory(key=key, issuer=ISSUER)
        verifier = TokenVerifier(issuer=ISSUER, keys=_ParsedKeys(StaticKeySource(key.jwks())))
        app = create_app(settings, verifier=verifier, sender=lambda *_a: 202)
        silence_logs()
        branch = org.unit(BRANCH)
        outlet = next(u for u in org.units if u.type == staff_data.OUTLET
                      and u.path.startswith(branch.path + "/"))
        info = {"branch": branch.code, "branch_path": branch.path,
                "chain_employee": org.employees_in(outlet)[-1]}
        whole = {"Authorization": "Bearer " + tokens.user(
            sub="bench-hr", roles=[("hr", "*", "*")], ttl=24 * 3600)}
        scoped = {"Authorization": "Bearer " + tokens.user(
            sub="bench-branch-head", roles=[("branch_head", branch.code, branch.path)],
            ttl=24 * 3600)}
    except BaseException:
        if pg is not None:
            pg.stop()
        raise
    return Setup(app=app, client=app.test_client(), whole=whole, branch=scoped, info=info,
                 org=org, pg=pg)


def _answers(setup: Setup) -> list[tuple[str, str, int, bytes]]:
    """A spread of listing and chain requests (both tokens): (token, path, status, body)."""
    from bench import staff_data

    org, info = setup.org, setup.info
    branch = org.unit(info["branch"])
    outlets = [u for u in org.units if u.type == staff_data.OUTLET
               and u.path.startswith(branch.path + "/")][:3]
    others = [u for u in org.units if u.type == staff_data.OUTLET
              and not u.path.startswith(branch.path + "/")][:2]
    b = info["branch"]
    paths = [f"/staff/employees?org={b}&subtree=true&per_page=50",
             f"/staff/employees?org={b}&subtree=true&per_page=200&page=3",
             f"/staff/employees?org={b}&subtree=true&grade=staff&status=active&page=2",
             f"/staff/employees?org={b}&subtree=true&position=TELLER",
             f"/staff/employees?org={b}&subtree=true&q=e00",
             f"/staff/employees?org={b}",
             "/staff/employees?org=HQ&subtree=true&per_page=50",
             "/staff/employees?org=HQ&subtree=true&page=2000",
             "/staff/employees?per_page=7&page=3",
             "/staff/employees?q=%E7%8E%8B&per_page=100",
             f"/staff/employees?org={outlets[0].code}&subtree=true&status=left",
             "/staff/employees?org=NOPE"]
    for unit in [*outlets, *others]:
        for no in org.employees_in(unit)[:2]:
            paths.append(f"/staff/employees/{no}/chain")
            paths.append(f"/staff/employees/{no}")
    paths.append(f"/staff/employees/{info['chain_employee']}/chain")
    paths.append("/staff/employees/E999999/chain")
    out = []
    for token, headers in (("whole", setup.whole), ("branch", setup.branch)):
        for path in paths:
            resp = setup.client.get(path, headers=headers)
            out.append((token, path, resp.status_code, resp.get_data()))
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.profiling import median_us, statements
    from services.staff.models import db as staff_db
    p = argparse.ArgumentParser(prog="python -m bench.staff_profile", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("-n", type=int, default=500, help="listing calls per measurement (500)")
    p.add_argument("--chain-n", type=int, default=2000, help="chain calls (2000)")
    p.add_argument("--repeat", type=int, default=3, help="measurements, median kept (3)")
    p.add_argument("--profile", action="append", default=[],
                   help="cProfile this row: listing, listing-branch, chain, chain-branch")
    p.add_argument("--pyinstrument", action="store_true", help="pyinstrument, not cProfile")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--sort", default="tottime,cumulative")
    p.add_argument("--dump", type=Path, help="save the cProfile stats here (pstats)")
    p.add_argument("--dump-answers", type=Path, help="write the answers here (JSON lines)")
    p.add_argument("--try", dest="tries", action="append", default=[], choices=sorted(TRIES),
                   help="patch a proposed change to shared/ into this process")
    args = p.parse_args(argv)
    for name in args.tries:
        TRIES[name]()

    from bench.bare_app import app as bare_app

    setup = build(args.store)
    client, info = setup.client, setup.info
    try:
        listing_path = f"/staff/employees?org={info['branch']}&subtree=true&per_page=50"
        chain_path = f"/staff/employees/{info['chain_employee']}/chain"

        def get(path: str, headers: dict[str, str]) -> Callable[[], Any]:
            def call() -> Any:
                r = client.get(path, headers=headers)
                assert r.status_code == 200, r.get_data()
                return r
            return call

        bare_client = bare_app.test_client()
        rows: dict[str, tuple[Callable[[], Any], int]] = {
            "bare": (lambda: bare_client.get("/bare/health"), args.chain_n),
            "health": (get("/staff/health", {}), args.chain_n),
            "listing": (get(listing_path, setup.whole), args.n),
            "listing-branch": (get(listing_path, setup.branch), args.n),
            "chain": (get(chain_path, setup.whole), args.chain_n),
            "chain-branch": (get(chain_path, setup.branch), args.chain_n),
        }
        labels = {"bare": "bare Flask GET /bare/health", "health": "GET /staff/health",
                  "listing": "listing BR04 subtree (all-org)",
                  "listing-branch": "listing BR04 subtree (branch)",
                  "chain": "chain (all-org)", "chain-branch": "chain (branch)"}
        if args.dump_answers:
            import json

            with args.dump_answers.open("w") as fh:
                for token, path, status, body in _answers(setup):
                    fh.write(json.dumps({"token": token, "path": path, "status": status,
                                         "body": body.decode()}, ensure_ascii=False) + "\n")
            print(f"answers written to {args.dump_answers}", file=sys.stderr)
        queries = {name: statements(setup.app, staff_db, call) for name, (call, _n) in rows.items()
                   if name not in ("bare",)}
        for call, _n in rows.values():  # warm every cache a worker would have
            for _ in range(100):
                call()
        results = {name: median_us(call, n, args.repeat) for name, (call, n) in rows.items()}
        base = results["bare"]
        print(f"\nN={args.n} listings / {args.chain_n} others × {args.repeat} (median), "
              f"one thread, Flask test client, store={args.store}")
        print(f"{'':34}{'µs/call':>10}{'×bare':>8}{'−bare µs':>10}{'stmts':>7}")
        for name, us in results.items():
            stmts = queries.get(name)
            shown = "" if stmts is None else str(len(stmts))
            print(f"{labels[name]:34}{us:>10.0f}{us / base:>8.2f}{us - base:>10.0f}"
                  f"{shown:>7}")
        if os.environ.get("HR_PROFILE_SHOW_SQL"):
            for name, stmts in queries.items():
                print(f"--- {name}")
                for s in stmts:
                    print("   ", " ".join(s.split())[:300])

        for name in args.profile:
            call, n = rows[name]
            print(f"\n=== profile: {labels[name]}, {n} calls")
            if args.pyinstrument:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0002)
                profiler.start()
                for _ in range(n):
                    call()
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))
                continue
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(n):
                call()
            prof.disable()
            if args.dump:
                prof.dump_stats(f"{args.dump}.{name}")
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out)
            for key in args.sort.split(","):
                stats.sort_stats(key).print_stats(args.top)
            text = out.getvalue().replace(str(ROOT) + "/", "")
            print(text.replace(f".venv/lib/python{sys.version_info[0]}."
                               f"{sys.version_info[1]}/site-packages/", ""))
    finally:
        setup.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
