"""Staff under traffic as users make it (issue #12): many callers' tokens, varied questions.

The single-token rows of `bench.staff_scenarios` ask one request again and again, which is
not how users ask. This row draws every request from a mix instead — `CALLERS` (1,000 by
default) people, each with their own token holding one role over their own unit, as the
bank's org chart hands them out:

- a branch's `hr` or `branch_head`, a sub-branch's or an outlet's `branch_head`, a
  department's `dept_manager`, a branch's `auditor`;

and each asks `QUESTIONS_PER_CALLER` different things about the people in their scope: their
unit's subtree page by page (20 or 50 a page), their own unit only, a name search (`q`), the
active ones only, an employee's record, an employee's approver chain. The requests are
shuffled, so a caller's next question comes long after its previous one (a replay cache of
identical requests, staff's former read lane, hit 5–7 % of them and did not pay: removed).
Every answer must be 200 (each question is inside the caller's scope); a sample is asked
once before the load.
"""

from __future__ import annotations

import math
import os
import random
from collections import Counter
from typing import Any

from bench import staff_data
from bench.load import Result
from bench.priming import prime
from bench.scenarios import Run, scenario
from bench.staff_scenarios import CONCURRENCY, PREFIX, seeded

CALLERS = int(os.environ.get("HR_BENCH_STAFF_CALLERS", "1000"))
QUESTIONS_PER_CALLER = 8
SAMPLE = 200

#: Who holds a role over which kind of unit, and how often (weights).
ROLES_BY_UNIT = {
    staff_data.BRANCH: (("hr", 3), ("branch_head", 1), ("auditor", 1)),
    staff_data.SUB_BRANCH: (("branch_head", 1),),
    staff_data.OUTLET: (("branch_head", 1),),
    staff_data.DEPARTMENT: (("dept_manager", 1),),
}
#: How callers spread over unit types (there are few branches; most heads run outlets).
UNIT_WEIGHTS = {staff_data.BRANCH: 0.1, staff_data.SUB_BRANCH: 0.25,
                staff_data.OUTLET: 0.45, staff_data.DEPARTMENT: 0.2}


def _subtree(org: staff_data.Org) -> dict[int, list[int]]:
    """unit id → the ids of the units at or below it."""
    below: dict[int, list[int]] = {u.id: [u.id] for u in org.units}
    for unit in reversed(org.units):  # children after parents: fold upwards
        if unit.parent is not None:
            below[unit.parent.id].extend(below[unit.id])
    return below


def variants(run: Run, org: staff_data.Org,
             callers: int = CALLERS) -> tuple[list[tuple[str, dict[str, str]]], Counter]:
    """(path, Authorization) per request, shuffled; and how many callers hold each role."""
    rng = random.Random(12)
    by_unit: dict[int, list[tuple[Any, ...]]] = {}
    for employee in org.employees:
        by_unit.setdefault(employee[4], []).append(employee)
    below = _subtree(org)
    pools = {t: [u for u in org.units if u.type == t] for t in UNIT_WEIGHTS}
    kinds, weights = zip(*UNIT_WEIGHTS.items(), strict=True)
    roles: Counter = Counter()
    out: list[tuple[str, dict[str, str]]] = []
    for n in range(callers):
        unit = rng.choice(pools[rng.choices(kinds, weights)[0]])
        names, role_weights = zip(*ROLES_BY_UNIT[unit.type], strict=True)
        role = rng.choices(names, role_weights)[0]
        roles[role] += 1
        token = run.env.user_token(sub=f"bench-staff-mix-{n}", roles=[(role, unit.code, unit.path)])
        header = {"Authorization": f"Bearer {token}"}
        people = [e for uid in below[unit.id] for e in by_unit.get(uid, ())]
        active = [e for e in people if e[10] == "active"] or people
        questions = []
        for _ in range(2):  # the subtree, page by page
            per_page = rng.choice((20, 50))
            page = rng.randint(1, max(1, math.ceil(len(people) / per_page)))
            questions.append(f"/staff/employees?org={unit.code}&subtree=true"
                             f"&page={page}&per_page={per_page}")
        questions.append(f"/staff/employees?org={unit.code}&per_page=20")
        surname = rng.choice(active)[2][0]
        questions.append(f"/staff/employees?org={unit.code}&subtree=true&q={_quote(surname)}"
                         "&per_page=20")
        questions.append(f"/staff/employees?org={unit.code}&subtree=true&status=active"
                         f"&page={rng.randint(1, 3)}&per_page=20")
        questions.append(f"/staff/employees/{rng.choice(people)[1]}")
        for _ in range(QUESTIONS_PER_CALLER - len(questions)):
            questions.append(f"/staff/employees/{rng.choice(active)[1]}/chain")
        out += [(q, header) for q in questions]
    rng.shuffle(out)
    return out, roles


def _quote(text: str) -> str:
    from urllib.parse import quote
    return quote(text, safe="")


def check_answers(base_url: str, requests: list[tuple[str, dict[str, str]]]) -> int:
    """Ask a sample once: every answer must be 200 (each question is in its caller's scope)."""
    import urllib.error
    import urllib.request

    for path, headers in requests[:SAMPLE]:
        req = urllib.request.Request(base_url + path, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                resp.read()
        except (OSError, urllib.error.HTTPError) as exc:
            raise RuntimeError(f"GET {path} failed before the load: {exc}") from exc
    return min(SAMPLE, len(requests))


#: What each token asks before the mix row (`bench.priming`): an employee who does not exist.
PRIMER = "/staff/employees/NOBODY0"


@scenario(f"{PREFIX} GET /staff/employees… (mix: many callers × 8 questions)",
          needs=("staff",))
def staff_mix(run: Run) -> Result:
    info = seeded(run)
    base = run.env.service("staff").base_url
    if "mix" not in info:
        requests, roles = variants(run, info["org"])
        check_answers(base, requests)
        # every token seen first, as a caller's screen has (bench.priming)
        primed = prime([(base + PRIMER, headers["Authorization"]) for _path, headers in requests],
                       expect=404)
        info["mix"] = (requests, roles, primed)
    requests, roles, primed = info["mix"]
    result = run.http(base + "/staff/employees", concurrency=CONCURRENCY, variants=requests)
    held = ", ".join(f"{n} {role}" for role, n in roles.most_common())
    result.note = (f"{sum(roles.values()):,} callers ({held}), {len(requests):,} distinct "
                   f"requests, shuffled; every token seen before the row ({primed:,} primer "
                   f"requests); {info['note']}; concurrency {CONCURRENCY}")
    return result
