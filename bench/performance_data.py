"""A demerit history (过错记录) for `bench.staff_data`'s organisation, bulk-loaded into
performance's store.

`build(org, grades, rules, incidents)` plans about `incidents` incidents that occurred from
1 January 2025 up to today, over the organisation's employees: who breaks a rule is skewed
(a per-employee propensity drawn from a gamma distribution, customer-facing grades more than
managers, heads least), so that most employees have none or one in a period and a few have
many, as a real register looks. Each incident is judged as the service judges it
(`services.performance.domain.incidents.judge` with the current rule version: points, a
deduction inside the rule's range, a discretionary amount with its reason, aggravated and
egregious severities where the rule allows them) and carries what the service copies from
staff's chain when it records: the subject's name, unit code and path, grade and governing
branch (管辖行: the nearest branch above, else the head office). Recorded by the subject's
unit head (a head by the parent unit's head), decided by an hr employee of the governing
branch.

Statuses, mostly confirmed: incidents of the last three weeks are often still `recorded`;
older ones are confirmed (~82 %), dismissed, upheld or overturned on appeal, a few appealed
and pending. Only the `incidents` rows are written — not the signed steps or audit rows, which
no scorecard or roll-up reads (every incident the service records itself writes them).

`load(url, plan)` writes it into a migrated performance store: `COPY` on PostgreSQL,
`executemany` on SQLite, 50,000 rows at a time, one transaction, a progress line on stderr,
then `ANALYZE` (`VACUUM ANALYZE` on PostgreSQL). Deterministic (seeded) for a given day.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, text

from bench import bulk
from bench.staff_data import BRANCH, HEAD_OFFICE, Org, Unit, _sqlite_row
from services.performance.domain.incidents import IncidentRuleError, RuleTerms, judge
from shared.db import engine_options, normalise_url

INCIDENT_COLUMNS = (
    "id", "employee_no", "employee_name", "unit_code", "unit_path", "grade", "governing_code",
    "governing_path", "rule_id", "rule_code", "rule_version", "occurred_on", "description",
    "severity", "points", "points_override", "override_reason", "deduction_amount",
    "discretionary", "consequence", "recorder_cap", "over_cap", "status", "recorded_by",
    "recorded_by_emp", "recorded_at", "decided_by", "decided_by_emp", "decided_at",
    "appeal_deadline", "appealed_at", "closed_by", "closed_at", "policy_version")
FIRST_DAY = dt.date(2025, 1, 1)
#: How likely each grade is to break a rule, relative to front-line staff.
GRADE_WEIGHT = {"staff": 1.0, "mid": 0.6, "head": 0.25}
#: Final statuses of incidents decided long enough ago, by share.
DECIDED = (("confirmed", 82), ("dismissed", 10), ("upheld", 4), ("overturned", 2),
           ("appealed", 1), ("recorded", 1))
RECENT_DAYS = 21  # incidents this recent are often still undecided
RECORDER_CAP = Decimal("500.00")  # a branch head's default authority cap (policy data)
APPEAL_WINDOW = 15
CHUNK = 50_000


def sub(employee_no: str) -> str:
    """The token subject the bench gives an employee's user (as the leave rows do)."""
    return f"bench-{employee_no}"


@dataclass(frozen=True)
class RuleRow:
    id: int
    version: int
    terms: RuleTerms


@dataclass
class Subject:
    """What the service copies from staff's chain when it records an incident."""

    no: str
    name: str
    unit: Unit
    grade: str
    governing: Unit
    recorder: str  # employee number of the unit's head (the parent's head for a head)
    hr: str  # an employee of the governing unit's first department


@dataclass
class Plan:
    """The history's plan (rows come lazily from `rows`) and what the rows learn about it."""

    org: Org
    grades: dict[int, str]
    rules: list[RuleRow]
    policy_version: int
    incidents: int
    seed: int = 11
    today: dt.date = field(default_factory=dt.date.today)
    statuses: Counter[str] = field(default_factory=Counter)
    #: incidents per employee number (any status)
    per_employee: Counter[str] = field(default_factory=Counter)
    subjects: list[Subject] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)


def _governing(unit: Unit) -> Unit:
    u: Unit | None = unit
    top = unit
    while u is not None:
        if u.type == BRANCH:
            return u
        if u.type == HEAD_OFFICE:
            top = u
        u = u.parent
    return top


def _subjects(org: Org, grades: dict[int, str]) -> list[Subject]:
    number = {e[0]: e[1] for e in org.employees}
    by_code = {u.code: u for u in org.units}
    first_of: dict[int, list[str]] = {}
    for e in org.employees:
        first_of.setdefault(e[4], []).append(e[1])
    out = []
    for e in org.employees:
        emp_id, no, name, unit_id, pos_id, status = e[0], e[1], e[2], e[4], e[5], e[10]
        if status == "left":
            continue
        unit = org.units[unit_id - 1]
        governing = _governing(unit)
        head = unit.head_id
        if head == emp_id:
            head = unit.parent.head_id if unit.parent else None
        dept = by_code.get(f"{governing.code}_D01", governing)
        hrs = [n for n in first_of.get(dept.id, [])[1:4] if n != no] or [
            number[governing.head_id or 1]]
        out.append(Subject(no=no, name=name, unit=unit, grade=grades[pos_id],
                           governing=governing,
                           recorder=number[head] if head else number[1], hr=hrs[0]))
    return out


def build(org: Org, grades: dict[int, str], rules: list[RuleRow], policy_version: int,
          incidents: int, *, seed: int = 11, today: dt.date | None = None) -> Plan:
    """The plan (deterministic for `seed` and `today`); `grades`: position id → grade."""
    plan = Plan(org=org, grades=grades, rules=rules, policy_version=policy_version,
                incidents=incidents, seed=seed, today=today or dt.date.today())
    plan.subjects = _subjects(org, grades)
    rng = random.Random(seed)
    plan.weights = [GRADE_WEIGHT.get(s.grade, 1.0) * rng.gammavariate(0.7, 1.0)
                    for s in plan.subjects]
    return plan


def _weighted(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _judged(rng: random.Random, rule: RuleRow) -> tuple[str, int | None, str | None,
                                                        Decimal | None, Any]:
    """(severity, points_override, override_reason, deduction_amount, judgement)."""
    terms = rule.terms
    severity, override, reason, amount = "normal", None, None, None
    roll = rng.random()
    if "egregious" in terms.severities and roll < 0.01:
        severity = "egregious"
    elif "aggravated" in terms.severities and roll < 0.05 and (terms.points or 0) < 10:
        severity, override = "aggravated", (terms.points or 0) + rng.randint(1, 3)
        reason = "情节较重"
    if terms.has_range:
        low = terms.deduction_min or Decimal("10")
        high = terms.deduction_max or low * 4
        steps = int((high - low) // 10)
        amount = low + 10 * rng.randint(0, max(0, steps))
    elif rng.random() < 0.15:
        amount = Decimal(rng.choice((50, 100, 200, 300, 800)))
        reason = reason or "酌情扣罚"
    try:
        judged = judge(terms, severity=severity, deduction_amount=amount,
                       points_override=override, override_reason=reason, cap=RECORDER_CAP)
    except IncidentRuleError:  # a rule the simple draw does not fit: its plain form
        severity, override, reason, amount = "normal", None, None, None
        if terms.has_range:
            amount = terms.deduction_min or Decimal("10")
        judged = judge(terms, severity="normal", deduction_amount=amount,
                       points_override=None, override_reason=None, cap=RECORDER_CAP)
    return severity, override, reason, amount, judged


def _at(day: dt.date, rng: random.Random, now: dt.datetime) -> dt.datetime:
    when = dt.datetime.combine(day, dt.time(1 + rng.randrange(10), rng.randrange(60)),
                               tzinfo=dt.UTC)
    return min(when, now)


def rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    """The incident rows in recording order (ids follow recording, as the service's do)."""
    rng = random.Random(plan.seed + 1)
    days = (plan.today - FIRST_DAY).days + 1
    now = dt.datetime.now(dt.UTC)
    subjects = rng.choices(plan.subjects, weights=plan.weights, k=plan.incidents)
    occurred = sorted(FIRST_DAY + dt.timedelta(days=rng.randrange(days))
                      for _ in range(plan.incidents))
    for n, (subject, day) in enumerate(zip(subjects, occurred, strict=True), start=1):
        rule = rng.choice(plan.rules)
        severity, override, reason, _amount, judged = _judged(rng, rule)
        age = (plan.today - day).days
        status = ("recorded" if age <= RECENT_DAYS and rng.random() < 0.6
                  else _weighted(rng, DECIDED))
        plan.statuses[status] += 1
        plan.per_employee[subject.no] += 1
        recorded_at = _at(day + dt.timedelta(days=rng.randint(0, 3)), rng, now)
        decided_at = appeal_deadline = appealed_at = closed_at = None
        decided_by = decided_emp = closed_by = None
        if status != "recorded":
            decided_at = min(recorded_at + dt.timedelta(days=rng.randint(1, 7),
                                                        hours=rng.randint(0, 8)), now)
            decided_by, decided_emp = sub(subject.hr), subject.hr
            if status != "dismissed":
                appeal_deadline = decided_at.date() + dt.timedelta(days=APPEAL_WINDOW)
            if status in ("appealed", "upheld", "overturned"):
                appealed_at = min(decided_at + dt.timedelta(days=rng.randint(1, 10)), now)
            if status in ("upheld", "overturned"):
                closed_at = min(appealed_at + dt.timedelta(days=rng.randint(2, 20)), now)
                closed_by = sub(subject.hr) + "-appeals"
        yield (
            n, subject.no, subject.name, subject.unit.code, subject.unit.path, subject.grade,
            subject.governing.code, subject.governing.path, rule.id, rule.terms.code,
            rule.version, day, f"bench: {rule.terms.code}", severity, judged.points, override,
            reason, judged.deduction_amount, judged.discretionary, judged.consequence,
            RECORDER_CAP if judged.discretionary else None, judged.over_cap, status,
            sub(subject.recorder), subject.recorder, recorded_at, decided_by, decided_emp,
            decided_at, appeal_deadline, appealed_at, closed_by, closed_at,
            plan.policy_version)


def _engine(url: str) -> Any:
    url = normalise_url(url)
    return create_engine(url, **engine_options(url))


def read_rules(url: str) -> tuple[list[RuleRow], int]:
    """The current rule versions and the current policy version of a migrated store."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text(
                "SELECT id, version, code, points, deduction_min, deduction_max, consequence, "
                "severities, severity_consequences FROM rules WHERE is_current")).all()
            policy = conn.execute(text(
                "SELECT max(version) FROM policy_versions WHERE is_current")).scalar_one()
    finally:
        engine.dispose()

    def _json(value: Any, empty: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else (value or empty)

    def _money(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))

    rules = [RuleRow(id=r[0], version=r[1], terms=RuleTerms(
        code=r[2], points=r[3], deduction_min=_money(r[4]), deduction_max=_money(r[5]),
        consequence=r[6], severities=tuple(_json(r[7], [])),
        severity_consequences=dict(_json(r[8], {})))) for r in found]
    if not rules:
        raise RuntimeError("performance's store has no current rules (not prepared?)")
    return sorted(rules, key=lambda r: r.terms.code), int(policy or 1)


def count_incidents(url: str) -> int:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM incidents")).scalar_one()
    finally:
        engine.dispose()


def _sqlite(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(str(v) if isinstance(v, Decimal) else v for v in _sqlite_row(row))


def load(url: str, plan: Plan, *, write: bool = True) -> None:
    """Write the plan into a migrated performance store without incidents (one transaction);
    with `write=False` only walk it (its counts, when the store already holds it)."""
    if not write:
        for _ in rows(plan):
            pass
        return
    url = normalise_url(url)
    postgres = url.startswith("postgresql")
    engine = _engine(url)
    t0 = time.perf_counter()
    columns = ", ".join(INCIDENT_COLUMNS)
    try:
        raw = engine.raw_connection()
        try:
            conn = raw.driver_connection
            cur = conn.cursor()
            if postgres:
                cur.execute("SET synchronous_commit TO on")  # see bench.staff_data.load
            batch: list[tuple[Any, ...]] = []
            done = 0

            def flush() -> None:
                nonlocal done
                if postgres:
                    with cur.copy(f"COPY incidents ({columns}) FROM STDIN") as cp:
                        for row in batch:
                            cp.write_row(row)
                else:
                    marks = ", ".join("?" * len(INCIDENT_COLUMNS))
                    cur.executemany(f"INSERT INTO incidents ({columns}) VALUES ({marks})",  # noqa: S608 - our own names
                                    map(_sqlite, batch))
                done += len(batch)
                batch.clear()
                print(f"\r  performance: {done:,} / {plan.incidents:,} incidents "
                      f"({time.perf_counter() - t0:.0f} s)", end="", file=sys.stderr, flush=True)

            for row in rows(plan):
                batch.append(row)
                if len(batch) >= CHUNK:
                    flush()
            if batch:
                flush()
            if postgres:
                bulk.reset_sequences(cur, ["incidents"])
            conn.commit()
            print(f"\r  performance: {done:,} incidents written "
                  f"({time.perf_counter() - t0:.0f} s); analysing …", file=sys.stderr, flush=True)
            bulk.analyse(conn, cur, postgres=postgres, tables=["incidents"])
            cur.close()
        finally:
            raw.close()
    finally:
        engine.dispose()
