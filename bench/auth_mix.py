"""`/auth/check` under traffic as users make it (issue #12): 1,000 users, each with their own
token, asking 10 different questions each — 10,000 distinct requests sent in a shuffled
turn — once with the check lane on (credited only with the hits this mix gives) and once on
the full path (`HR_REPLAY=0`, the same database), so no cache measures itself.

Tokens are real: each user is signed in once before the rows by the password grant's own
issuance code on auth's database (`bench.auth_signin`: the same tokens, sign-in and audit
rows; only the argon2 verification is skipped, which the login rows measure). Questions mix
what callers ask: the user's own roles' permissions over units at every depth, in scope and
out of it, and permissions they do not hold."""

from __future__ import annotations

import json
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from bench.auth_scenarios import _post, _tree, load_auth_data
from bench.auth_signin import sign_in
from bench.load import Result, http_load
from bench.scenarios import Run, scenario

#: HR_BENCH_MIX_USERS scales it down for a quick check of the machinery (not of a target).
USERS = int(os.environ.get("HR_BENCH_MIX_USERS", "1000"))
QUESTIONS = 10
PERMISSIONS = ("leave:request", "leave:read", "leave:approve", "leave:final-approve",
               "staff:read", "staff:write", "performance:read", "performance:sign-off",
               "performance:record", "auth:admin")
SEED = 20261204
_mix: dict[int, list[tuple[str, dict[str, str], bytes]]] = {}


def load_mix(run: Run) -> list[tuple[str, dict[str, str], bytes]]:
    """(path, headers, body) of every request, shuffled."""
    if id(run.env) in _mix:
        return _mix[id(run.env)]
    load_auth_data(run.env)
    rng = random.Random(SEED)
    users = rng.sample(range(20_000), USERS)
    t0 = time.perf_counter()
    tokens = sign_in(run.env, [f"bench-u{n:05d}" for n in users])
    codes = [code for code, _path, _level in _tree()]
    requests_: list[tuple[str, dict[str, str], bytes]] = []
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for _ in range(QUESTIONS):
            body = json.dumps({"permission": rng.choice(PERMISSIONS),
                               "org": rng.choice(codes)}).encode()
            requests_.append(("/auth/check", headers, body))
    rng.shuffle(requests_)
    print(f"  auth mix: {USERS:,} users signed in, {len(requests_):,} distinct checks, "
          f"{time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
    _mix[id(run.env)] = requests_
    return requests_


#: Asked by no request of the mix (its units are the tree's codes): priming a token with it
#: leaves nothing for the check lane to replay in the measured rows.
PRIMER = json.dumps({"permission": "leave:read", "org": "*"}).encode()
PRIME_TIMES = 4


def _prime(base: str, mix: list[tuple[str, dict[str, str], bytes]]) -> None:
    """Each token's first check in a worker verifies its signature (PyJWT) and takes the
    Flask path; a running service has seen its users' tokens long before (a token lives for
    minutes and is used for every check its holder makes). A row of a few seconds would
    otherwise measure mostly first sightings — with 1,000 users a 5 s row sends each token
    about once. So every token asks `PRIMER` `PRIME_TIMES` times, each on a new connection
    (gunicorn hands connections to its workers), before the row; not measured."""
    tokens = sorted({headers["Authorization"] for _path, headers, _body in mix})

    def ask(authorization: str) -> None:
        status, answer = _post(base + "/auth/check", PRIMER, "application/json",
                               {"Authorization": authorization})
        if status != 200:
            raise RuntimeError(f"priming /auth/check answered {status}: {answer}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(ask, tokens * PRIME_TIMES))


def _check_mix(run: Run, server_name: str) -> Result:
    mix = load_mix(run)
    base = run.env.service(server_name).base_url
    status, answer = _post(base + "/auth/check", mix[0][2], "application/json",
                           {"Authorization": mix[0][1]["Authorization"]})
    if status != 200 or "code" not in answer:
        raise RuntimeError(f"{server_name} /auth/check answered {status}: {answer}")
    _prime(base, mix)
    return http_load(base + "/auth/check", method="POST", variants=mix,
                     concurrency=run.concurrency, duration=run.duration,
                     max_requests=run.max_requests, warmup=run.warmup)


@scenario("auth POST /auth/check (mix: many users × 10 questions, lane on)",
          needs=("auth",))
def check_mix(run: Run) -> Result:
    result = _check_mix(run, "auth")
    result.note = (f"{USERS * QUESTIONS:,} distinct (token, question) pairs, shuffled; the lane "
                   "keeps what repeats")
    return result


@scenario("auth POST /auth/check (mix: many users × 10 questions, full path)",
          needs=("auth-full-path",))
def check_mix_full_path(run: Run) -> Result:
    result = _check_mix(run, "auth-full-path")
    result.note = "the same mix with HR_REPLAY=0: every answer computed"
    return result
