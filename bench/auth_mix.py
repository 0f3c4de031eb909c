"""`/auth/check` under traffic as users make it (issue #12): 1,000 users, each with their own
token, asking 10 different questions each — 10,000 distinct requests sent in a shuffled
turn. (A replay cache of identical checks, the former check lane, hit ~27 % of such traffic
and cost more than it saved: removed.)

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

from bench.auth_scenarios import _post, _tree, load_auth_data
from bench.auth_signin import sign_in
from bench.load import Result, http_load
from bench.priming import prime
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


#: What each token asks before the row (`bench.priming`): a question the mix never asks (its
#: units are the tree's codes).
PRIMER = json.dumps({"permission": "leave:read", "org": "*"}).encode()


@scenario("auth POST /auth/check (mix: many users × 10 questions)", needs=("auth",))
def check_mix(run: Run) -> Result:
    mix = load_mix(run)
    url = run.env.service("auth").base_url + "/auth/check"
    status, answer = _post(url, mix[0][2], "application/json",
                           {"Authorization": mix[0][1]["Authorization"]})
    if status != 200 or "code" not in answer:
        raise RuntimeError(f"auth /auth/check answered {status}: {answer}")
    primed = prime([(url, headers["Authorization"]) for _path, headers, _body in mix],
                   body=PRIMER, content_type="application/json")
    result = http_load(url, method="POST", variants=mix, concurrency=run.concurrency,
                       duration=run.duration, max_requests=run.max_requests,
                       warmup=run.warmup)
    result.note = (f"{USERS * QUESTIONS:,} distinct (token, question) pairs, shuffled; every "
                   f"token seen before the row ({primed:,} primer requests)")
    return result
