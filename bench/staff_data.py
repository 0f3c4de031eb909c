"""A large, realistic staff organisation, bulk-loaded straight into staff's database.

`build(units, employees)` makes a head office → branches → sub-branches → outlets tree with
departments at every level but the departments' own (departments do not nest), exactly
`units` units, and `employees` employees spread over them with positions from the real
catalogue (only positions whose `unit_types` allow the unit's type), a head per unit managed
by the parent unit's head, and everyone else managed by their unit's head. Employee numbers
are shuffled across units (as hiring order would), so that a subtree's first page by number
is not one contiguous run of the numbering.

`load(url, org)` writes it after the migrations (and the catalogue) are in place: `COPY` on
PostgreSQL, one `executemany` transaction on SQLite, then `ANALYZE`. 100,000 employees take
a few seconds. Deterministic (seeded), so two runs measure the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, text

from shared.db import engine_options, normalise_url

HEAD_OFFICE, BRANCH, SUB_BRANCH, OUTLET, DEPARTMENT = (
    "head_office", "branch", "sub_branch", "outlet", "department")

#: Head posts per unit type (the first employee of a unit), then the ordinary posts.
HEADS = {
    HEAD_OFFICE: ["HQ_PRESIDENT"],
    BRANCH: ["BRANCH_PRESIDENT"],
    SUB_BRANCH: ["SUB_BRANCH_HEAD"],
    OUTLET: ["SUB_BRANCH_HEAD"],
    DEPARTMENT: ["DEPT_MANAGER", "GENERAL_BUSINESS_DEPT_MANAGER", "ADMIN_DEPT_MANAGER",
                 "CREDIT_DEPT_MANAGER"],
}
#: Relative head-count of a unit by type (scaled so that the total is exact).
WEIGHTS = {HEAD_OFFICE: 1, BRANCH: 1, SUB_BRANCH: 30, OUTLET: 60, DEPARTMENT: 45}
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢"
            "宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志宏晓东海燕云飞"


@dataclass
class Unit:
    id: int
    code: str
    name_zh: str
    name_en: str
    type: str
    parent: Unit | None
    path: str
    head_id: int | None = None


@dataclass
class Org:
    units: list[Unit] = field(default_factory=list)
    #: employees as tuples in `EMPLOYEE_COLUMNS` order, managers before their reports
    employees: list[tuple[Any, ...]] = field(default_factory=list)
    assignments: list[tuple[Any, ...]] = field(default_factory=list)

    def unit(self, code: str) -> Unit:
        return next(u for u in self.units if u.code == code)

    def employees_in(self, unit: Unit) -> list[str]:
        """Employee numbers whose unit is `unit` (not below it)."""
        return [e[1] for e in self.employees if e[4] == unit.id]


UNIT_COLUMNS = ("id", "code", "name_zh", "name_en", "type", "parent_id", "path", "active",
                "created_at")
EMPLOYEE_COLUMNS = ("id", "employee_no", "name", "name_en", "unit_id", "position_id",
                    "grade_override", "manager_id", "hire_date", "work_start_date", "status",
                    "created_at")
ASSIGNMENT_COLUMNS = ("id", "employee_id", "org", "org_path", "position", "manager",
                      "start_date", "end_date", "reason", "handover_supervisor",
                      "recorded_by", "recorded_at")


def _tree(total: int, branches: int) -> list[tuple[str, str, str | None]]:
    """(code, type, parent code) for exactly `total` units, parents before children."""
    rng = random.Random(5)
    out: list[tuple[str, str, str | None]] = [("HQ", HEAD_OFFICE, None)]
    out += [(f"HQ_D{d:02d}", DEPARTMENT, "HQ") for d in range(1, max(2, total // 100) + 1)]
    subs: list[str] = []
    for b in range(1, branches + 1):
        br = f"BR{b:02d}"
        out.append((br, BRANCH, "HQ"))
        out += [(f"{br}_D{d:02d}", DEPARTMENT, br) for d in range(1, 7)]
        for s in range(1, rng.randint(5, 12) + 1):
            sb = f"{br}_SB{s:02d}"
            out.append((sb, SUB_BRANCH, br))
            out.append((f"{sb}_D01", DEPARTMENT, sb))
            subs.append(sb)
    if len(out) > total:
        raise ValueError(f"{total} units are too few for {branches} branches")
    # the rest: outlets spread over the sub-branches, every fifth outlet with a department
    n = 0
    while len(out) < total:
        sb = subs[n % len(subs)]
        ot = f"{sb}_OT{n // len(subs) + 1:02d}"
        out.append((ot, OUTLET, sb))
        if len(out) < total and n % 5 == 4:
            out.append((f"{ot}_D01", DEPARTMENT, ot))
        n += 1
    return out


def _names(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), at least 1 each."""
    s = sum(weights)
    raw = [max(1.0, total * w / s) for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    i = 0
    while sum(counts) < total:
        counts[order[i % len(order)]] += 1
        i += 1
    while sum(counts) > total:
        j = max(range(len(counts)), key=lambda k: counts[k])
        counts[j] -= 1
    return counts


def build(units: int = 2000, employees: int = 100_000, *,
          positions: dict[str, tuple[int, str, list[str]]],
          branches: int | None = None, seed: int = 5) -> Org:
    """The organisation. `positions`: code → (id, grade, unit_types), from the store."""
    rng = random.Random(seed)
    branches = branches or max(1, min(30, units // 60))
    org = Org()
    by_code: dict[str, Unit] = {}
    types = {HEAD_OFFICE: "总行", BRANCH: "分行", SUB_BRANCH: "支行", OUTLET: "网点",
             DEPARTMENT: "部"}
    for i, (code, utype, parent_code) in enumerate(_tree(units, branches), start=1):
        parent = by_code[parent_code] if parent_code else None
        path = f"{parent.path}/{code}" if parent else code
        unit = Unit(id=i, code=code, name_zh=f"{code}{types[utype]}",
                    name_en=f"{code} {utype.replace('_', ' ')}", type=utype, parent=parent,
                    path=path)
        by_code[code] = unit
        org.units.append(unit)
    ordinary = {t: [c for c, (_i, grade, kinds) in sorted(positions.items())
                    if (not kinds or t in kinds) and c not in {h for hs in HEADS.values()
                                                               for h in hs}]
                for t in HEADS}
    counts = _split(employees, [WEIGHTS[u.type] if u.type not in (HEAD_OFFICE, BRANCH)
                                else 1 for u in org.units])
    for u in org.units:  # the head office and branches are their president alone
        if u.type in (HEAD_OFFICE, BRANCH):
            counts[u.id - 1] = 1
    counts = _rebalance(counts, employees, org.units)
    numbers = list(range(1, employees + 1))
    rng.shuffle(numbers)  # employee numbers follow hiring, not the tree
    now = dt.datetime.now(dt.UTC)
    next_id = 1
    for unit, count in zip(org.units, counts, strict=True):
        for k in range(count):
            emp_id = next_id
            next_id += 1
            if k == 0:
                code = rng.choice(HEADS[unit.type])
                manager_id = unit.parent.head_id if unit.parent else None
                unit.head_id = emp_id
            else:
                code = rng.choice(ordinary[unit.type] or HEADS[unit.type])
                manager_id = unit.head_id
            pos_id = positions[code][0]
            hire = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(30 * 365))
            start = hire - dt.timedelta(days=rng.choice((0, 0, 0, rng.randrange(3650))))
            roll = rng.random()
            status = "left" if roll < 0.02 else "suspended" if roll < 0.03 else "active"
            no = f"E{numbers[emp_id - 1]:06d}"
            org.employees.append((emp_id, no, _names(rng), None, unit.id, pos_id, None,
                                  manager_id, hire, start, status, now))
            manager_no = (org.employees[manager_id - 1][1] if manager_id else None)
            org.assignments.append((emp_id, emp_id, unit.code, unit.path, code, manager_no,
                                    hire, None, "hire", None, "system:bench", now))
    return org


def _rebalance(counts: list[int], total: int, units: list[Unit]) -> list[int]:
    """Bring the fixed-size units' changes back to `total` on the other units."""
    free = [i for i, u in enumerate(units) if u.type not in (HEAD_OFFICE, BRANCH)]
    diff = total - sum(counts)
    i = 0
    while diff != 0 and free:
        j = free[i % len(free)]
        step = 1 if diff > 0 else -1
        if counts[j] + step >= 1:
            counts[j] += step
            diff -= step
        i += 1
    return counts


def _unit_rows(org: Org) -> Iterable[tuple[Any, ...]]:
    now = dt.datetime.now(dt.UTC)
    for u in org.units:
        yield (u.id, u.code, u.name_zh, u.name_en, u.type, u.parent.id if u.parent else None,
               u.path, True, now)


def read_positions(url: str) -> dict[str, tuple[int, str, list[str]]]:
    import json

    url = normalise_url(url)
    engine = create_engine(url, **engine_options(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT code, id, grade, unit_types FROM positions"))
            return {code: (pid, grade, kinds if isinstance(kinds, list) else
                           json.loads(kinds or "[]")) for code, pid, grade, kinds in rows}
    finally:
        engine.dispose()


def count_employees(url: str) -> int:
    url = normalise_url(url)
    engine = create_engine(url, **engine_options(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM employees")).scalar_one()
    finally:
        engine.dispose()


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy itself stores on SQLite: ISO strings for dates, 0/1 for booleans."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_sqlite_value(v) for v in row)


def load(url: str, org: Org) -> None:
    """Write `org` into an empty, migrated staff database at `url` (one transaction)."""
    url = normalise_url(url)
    engine = create_engine(url, **engine_options(url))
    tables = (("org_units", UNIT_COLUMNS, list(_unit_rows(org))),
              ("employees", EMPLOYEE_COLUMNS, org.employees),
              ("assignments", ASSIGNMENT_COLUMNS, org.assignments))
    try:
        raw = engine.raw_connection()
        try:
            conn = raw.driver_connection
            cur = conn.cursor()
            if url.startswith("postgresql"):
                # Commit durably before VACUUM: the bench servers run with
                # synchronous_commit=off, and VACUUM cannot mark the pages of a transaction
                # whose commit is not flushed yet all-visible, which left every index-only
                # scan (the listing's exact count) fetching heap pages a settled table would
                # not.
                cur.execute("SET synchronous_commit TO on")
                for table, columns, rows in tables:
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: E501,S608 - our own names
                    cur.execute(sql)
            else:
                for table, columns, rows in tables:
                    marks = ", ".join("?" * len(columns))
                    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                    cur.executemany(sql, map(_sqlite_row, rows))
            conn.commit()
            if url.startswith("postgresql"):
                conn.autocommit = True
                # The head-count triggers updated ~4,000 rows 100,000 times: compact them to
                # the table a settled service has (autovacuum keeps it so), or every total
                # would scan ~540 pages of dead row versions instead of ~23.
                cur.execute("VACUUM FULL unit_headcounts")
                cur.execute("VACUUM ANALYZE")
                conn.autocommit = False
            else:
                cur.execute("ANALYZE")
                conn.commit()
            cur.close()
        finally:
            raw.close()
    finally:
        engine.dispose()
