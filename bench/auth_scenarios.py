"""The auth rows (issue #4): offline verification, `/auth/check` under load with a deep org tree
and 100,000 role bindings, and the login failure timings.

Data set (`load_auth_data`, once per run, straight into auth's own database after gunicorn has
migrated it; everything the rows read is read live, so loading into the running service is
the same as loading before it starts):

- an org tree 8 levels deep in auth's path cache (`org_paths`; staff need not run): 1 root,
  then 8, 4, 4, 3, 2, 2, 2 children per unit — 5,929 units, paths `L1N0/L2N3/…/L8N…`;
- 20,000 users holding 5 bindings each (random roles and units at every depth, one in ten
  bounded in time, some already ended) = 100,000 bindings, plus `bench-deep` with 6 bindings
  from the root to level 8 (one ended) — the subject of the check rows;
- bulk-loaded: `COPY` on PostgreSQL, one `executemany` on SQLite; then `ANALYZE`.

Every bulk user has the same real argon2id hash (the service's own cost settings), so the
wrong-password row verifies against a production-cost hash; the locked account is locked
the real way, by five wrong passwords over HTTP.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from bench.auth_load import post_load
from bench.load import Result, call_loop
from bench.scenarios import Run, scenario
from bench.servers import ISSUER, Environment, Server

LEVEL_FANOUT = (8, 4, 4, 3, 2, 2, 2)  # children per unit at levels 1..7 → 8 levels
USERS = 20_000
BINDINGS_PER_USER = 5  # 100,000 bindings
PASSWORD = "Bench-Passphrase-2026"
DEEP_USER = "bench-deep"
LOCKED_USER = "bench-locked"
ROLES = ("employee", "dept_manager", "branch_head", "hr", "auditor")
SEED = 20260404


@dataclass
class AuthData:
    server: Server
    units: int
    bindings: int
    deepest: str                       # a level-8 unit the deep user may approve leave in
    batch: list[dict[str, str]]        # 10 checks with mixed answers
    load_seconds: float
    login_wrong_next: int = 0          # bulk users already given one wrong password
    timings: dict[str, dict[str, Any]] = field(default_factory=dict)


_loaded: dict[int, AuthData] = {}


# --- data -------------------------------------------------------------------------------

def _tree() -> list[tuple[str, str, int]]:
    """(code, path, level) of every unit, breadth first."""
    units = [("L1N0", "L1N0", 1)]
    frontier = units[:]
    for level, fanout in enumerate(LEVEL_FANOUT, start=2):
        nxt = []
        n = 0
        for _code, path, _lvl in frontier:
            for _ in range(fanout):
                code = f"L{level}N{n}"
                n += 1
                nxt.append((code, f"{path}/{code}", level))
        units.extend(nxt)
        frontier = nxt
    return units


def _database_url(env: Environment) -> str:
    if env.store == "postgres":
        assert env.pg is not None, "auth was started, so the PostgreSQL server is running"
        return env.pg.url("bench_auth")
    return f"sqlite:///{(env.tmp / 'data' / 'auth.db').resolve()}"


def _bulk_insert(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL (psycopg 3), one executemany elsewhere."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cols = list(rows[0])
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(
                f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in cols])
    else:
        conn.execute(table.insert(), rows)


def load_auth_data(env: Environment) -> AuthData:
    """Start auth (it migrates and loads first-start data) and bulk-load the data set."""
    if id(env) in _loaded:
        return _loaded[id(env)]
    server = env.service("auth")
    t0 = time.perf_counter()
    loaded = bulk_load(_database_url(env), env.tmp)
    data = AuthData(server=server, units=loaded.units, bindings=loaded.bindings,
                    deepest=loaded.deepest, batch=loaded.batch,
                    load_seconds=time.perf_counter() - t0)
    _loaded[id(env)] = data
    print(f"  auth data: {data.units:,} units 8 levels deep, {data.bindings:,} bindings over "
          f"{USERS:,} users (+6 for {DEEP_USER}), loaded in {data.load_seconds:.1f}s",
          file=sys.stderr, flush=True)
    return data


@dataclass
class Loaded:
    units: int
    bindings: int
    deepest: str
    batch: list[dict[str, str]]


def bulk_load(url: str, data_dir: Any) -> Loaded:
    """Bulk-load the data set into auth's migrated database at `url` (also used by
    `bench/auth_profile.py`, in-process). `data_dir` only feeds the argon2 settings."""

    from sqlalchemy import create_engine, select, text

    from services.auth.models import OrgPath, RoleBinding, User
    from services.auth.service.passwords import hash_password
    from shared.settings import Settings

    rng = random.Random(SEED)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    # the service runs with the default argon2 cost (the bench strips HR_* from its env)
    password_hash = hash_password(Settings("auth", environ={"HR_DATA_DIR": str(data_dir)}),
                                  PASSWORD)
    units = _tree()
    by_level: dict[int, list[tuple[str, str, int]]] = {}
    for u in units:
        by_level.setdefault(u[2], []).append(u)
    all_codes = [u[0] for u in units]

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _bulk_insert(conn, OrgPath.__table__, [
                {"code": c, "path": p, "source": "staff", "updated_at": now}
                for c, p, _ in units])
            names = [f"bench-u{i:05d}" for i in range(USERS)] + [DEEP_USER, LOCKED_USER]
            _bulk_insert(conn, User.__table__, [
                {"username": n, "password_hash": password_hash, "display_name": n,
                 "employee_no": f"B{i:06d}", "status": "active", "created_at": now,
                 "updated_at": now} for i, n in enumerate(names)])
            ids = dict(conn.execute(select(User.username, User.id)
                                    .where(User.username.like("bench-%"))).all())
            rows: list[dict[str, Any]] = []
            for i in range(USERS):
                uid = ids[f"bench-u{i:05d}"]
                held = rng.sample(ROLES[:4], 2) + [rng.choice(ROLES[:3])] * 3
                for role in held[:BINDINGS_PER_USER]:
                    start = end = None
                    if rng.random() < 0.1:  # an acting appointment; some have ended
                        start = today - dt.timedelta(days=rng.randint(0, 400))
                        end = start + dt.timedelta(days=rng.randint(30, 365))
                    rows.append({"user_id": uid, "role": role, "org": rng.choice(all_codes),
                                 "valid_from": start, "valid_to": end, "created_at": now,
                                 "created_by": "bench"})
            # the deep user: one binding per level on one branch of the tree, down to level 8
            chain = [by_level[8][-1][1].split("/")[i] for i in range(8)]
            deep = ids[DEEP_USER]
            for role, code, start, end in (
                    ("employee", chain[7], None, None),
                    ("dept_manager", chain[5], None, None),
                    ("branch_head", chain[3], None, None),
                    ("auditor", by_level[4][0][0], None, None),
                    ("hr", chain[6], today - dt.timedelta(days=90),
                     today - dt.timedelta(days=1)),  # ended yesterday
                    ("employee", by_level[2][0][0], None, None)):
                rows.append({"user_id": deep, "role": role, "org": code, "valid_from": start,
                             "valid_to": end, "created_at": now, "created_by": "bench"})
            _bulk_insert(conn, RoleBinding.__table__, rows)
            conn.execute(text("ANALYZE"))
        bindings = len(rows) - 6
    finally:
        engine.dispose()

    other_l8 = by_level[8][0][0]  # another branch of the tree
    batch = [{"permission": p, "org": o} for p, o in (
        ("leave:approve", chain[7]), ("leave:approve", chain[6]), ("leave:approve", chain[5]),
        ("performance:sign-off", chain[7]), ("leave:approve", other_l8),
        ("auth:admin", chain[7]), ("staff:read", by_level[5][0][0]),
        ("leave:final-approve", chain[7]), ("auth:audit", chain[4]),
        ("leave:request", chain[7]))]
    return Loaded(units=len(units), bindings=bindings, deepest=chain[7], batch=batch)


# --- HTTP helpers -------------------------------------------------------------------------

def _post(url: str, body: bytes, content_type: str,
          headers: dict[str, str] | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _login_body(username: str, password: str) -> bytes:
    return urllib.parse.urlencode({"grant_type": "password", "username": username,
                                   "password": password}).encode()


FORM = "application/x-www-form-urlencoded"


def _token(data: AuthData, username: str = DEEP_USER) -> str:
    status, body = _post(data.server.base_url + "/auth/token", _login_body(username, PASSWORD),
                         FORM)
    if status != 200:
        raise RuntimeError(f"login as {username} answered {status}: {body}")
    return body["access_token"]


def _check_body(data: AuthData) -> bytes:
    return json.dumps({"permission": "leave:approve", "org": data.deepest}).encode()


def _expect(url: str, body: bytes, headers: dict[str, str], want: Any) -> None:
    status, answer = _post(url, body, "application/json", headers)
    got = answer.get("code") if status == 200 and "code" in answer else \
        [r["code"] for r in answer["results"]] if status == 200 else answer
    if status != 200 or got != want:
        raise RuntimeError(f"{url} answered {status} {got!r}, expected {want!r}")


# --- rows -----------------------------------------------------------------------------------

@scenario("auth offline verification of an auth token (TokenVerifier, auth's JWKS)")
def auth_offline_verification(run: Run) -> Result:
    from shared.tokens import StaticKeySource, TokenVerifier

    data = load_auth_data(run.env)
    with urllib.request.urlopen(
            data.server.base_url + "/auth/.well-known/jwks.json", timeout=10) as resp:
        jwks = json.loads(resp.read())
    verifier = TokenVerifier(issuer=ISSUER, keys=StaticKeySource(jwks))
    token = _token(data)
    verifier.verify(token)  # fails loudly if auth's token is not what the services accept
    result = call_loop(lambda: verifier.verify(token), duration=min(run.duration, 3.0),
                       max_calls=run.max_requests * 4, unit="verify")
    result.note = "in-process, one thread, a real auth token checked against auth's JWKS"
    return result


@scenario("auth POST /auth/check (8 levels, 100k bindings)")
def auth_check(run: Run) -> Result:
    data = load_auth_data(run.env)
    headers = {"Authorization": f"Bearer {_token(data)}"}
    url = data.server.base_url + "/auth/check"
    body = _check_body(data)
    _expect(url, body, headers, "allowed")
    result = post_load(url, body=body, content_type="application/json", headers=headers,
                       concurrency=run.concurrency, duration=run.duration,
                       max_requests=run.max_requests, warmup=run.warmup)
    result.note = (f"{DEEP_USER} (6 bindings, root to level 8) asks leave:approve on a "
                   f"level-8 unit; allowed by a level-6 binding")
    return result


@scenario("auth POST /auth/check/batch (10 checks, 8 levels, 100k bindings)")
def auth_check_batch(run: Run) -> Result:
    data = load_auth_data(run.env)
    headers = {"Authorization": f"Bearer {_token(data)}"}
    url = data.server.base_url + "/auth/check/batch"
    body = json.dumps({"checks": data.batch}).encode()
    _expect(url, body, headers, ["allowed", "allowed", "allowed", "allowed", "out_of_scope",
                                 "not_in_role", "allowed", "binding_expired",
                                 "out_of_scope", "allowed"])
    result = post_load(url, body=body, content_type="application/json", headers=headers,
                       concurrency=run.concurrency, duration=run.duration,
                       max_requests=run.max_requests, warmup=run.warmup)
    result.note = "one request = 10 decisions about the deep user"
    return result


# Login failures: argon2id at the service's cost is the work, so these rows are slow by
# design; they exist to show that the three failures cost the same.

LOGIN_ROWS = {"wrong password": "wrong", "unknown user": "unknown", "locked account": "locked"}


def _login_row(kind: str) -> Any:
    def row(run: Run) -> Result:
        data = load_auth_data(run.env)
        url = data.server.base_url + "/auth/token"
        if kind == "locked" and "locked" not in data.timings:
            for _ in range(5):  # lock it the real way
                status, _body = _post(url, _login_body(LOCKED_USER, "not-the-password"), FORM)
                assert status == 400, status
        if kind == "wrong":
            # each bulk user gets ONE wrong password (five would lock it)
            offset = data.login_wrong_next

            def body(n: int) -> bytes:
                i = offset + n
                if i >= USERS:
                    raise RuntimeError("out of bulk users for wrong passwords")
                data.login_wrong_next = max(data.login_wrong_next, i + 1)
                return _login_body(f"bench-u{i:05d}", "not-the-password")
        elif kind == "unknown":
            def body(n: int) -> bytes:
                return _login_body(f"nobody-{n:06d}", "not-the-password")
        else:
            def body(n: int) -> bytes:
                return _login_body(LOCKED_USER, PASSWORD)  # the right password, still refused
        # one client at a time, twice the row duration: the figure is the work one login
        # costs, not the queue eight concurrent argon2 hashes make on two cores
        result = post_load(url, body=body, content_type=FORM, concurrency=1,
                           duration=2 * run.duration, max_requests=run.max_requests,
                           warmup=run.warmup, expect=400, source_every=20)
        summary = result.summary()
        data.timings[kind] = summary
        result.note = (f"invalid_grant; mean {summary['mean_ms']} ms; one client; fresh "
                       f"loopback source address every 20 requests (keeps the per-address "
                       f"brake out of it)")
        if len(data.timings) == 3:
            _print_login_comparison(data)
        return result

    row.__name__ = f"auth_login_{kind}"
    return row


for _label, _kind in LOGIN_ROWS.items():
    scenario(f"auth POST /auth/token login failure: {_label}")(_login_row(_kind))


def _print_login_comparison(data: AuthData) -> None:
    lines = ["  login failures (should match: same argon2 work, same answer):",
             f"  {'kind':<16}{'n':>6}{'mean ms':>10}{'p50 ms':>10}{'p95 ms':>10}"]
    for label, kind in LOGIN_ROWS.items():
        s = data.timings[kind]
        lines.append(f"  {label:<16}{s['requests']:>6}{s['mean_ms'] or 0:>10.1f}"
                     f"{s['p50_ms'] or 0:>10.1f}{s['p95_ms'] or 0:>10.1f}")
    print("\n".join(lines), file=sys.stderr, flush=True)
