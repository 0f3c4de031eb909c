#!/usr/bin/env python3
"""Validate the seed data files and print their counts.

    .venv/bin/python data/check_fixtures.py            # from the project root
    .venv/bin/python data/check_fixtures.py --seeds DIR

Checks data/catalogue/positions.yaml (the job-duty catalogue) and data/demo/organisation.yaml
(the demo organisation, employees, relations and users) against the rules in data/README.md.
When a folder of the source documents is available (--seeds, $HR_SEEDS_DIR, or the one CI
keeps beside the clone) it also checks that every duty's text_zh is found verbatim in the
document it cites (whitespace ignored, after the few documented OCR corrections below). A
duty cites its document by title (docs/domain.md lists the five); the file holding it is
found by that title in the file's first lines, whatever the file is called.

Exit status 0 when everything is clean, 1 with one line per problem otherwise.
Needs only Python 3 and PyYAML.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
POSITIONS = HERE / "catalogue" / "positions.yaml"
ORGANISATION = HERE / "demo" / "organisation.yaml"

#: The source documents' titles (000–004 in docs/domain.md), as positions and duties cite them.
SOURCES = (
    "银行支行客户经理职责",
    "银行客户经理工作制度",
    "信贷客户经理岗位职责",
    "商业中心各个岗位职责表",
    "信贷客户部岗位职责(精选多篇)",
)
#: How many non-empty lines at the top of a source file may carry its title.
TITLE_LINES = 5
GRADES = {"head", "mid", "staff"}
UNIT_TYPES = {"head_office", "branch", "sub_branch", "outlet", "department"}
CATEGORIES = {"customer", "credit", "compliance", "management", "service", "operations",
              "risk", "marketing", "administration"}
ROLES = {"admin", "hr", "branch_head", "dept_manager", "employee", "auditor"}
RELATION_KINDS = {"spouse", "parent_child", "sibling", "other_relative"}
# Role pairs one user may not hold where one binding's scope covers the other's (docs/api.md).
SOD_PAIRS = [("hr", "auditor")]

# Web-page boilerplate that must never reach the data (checked in every text field).
BOILERPLATE = ["http", "www", "点击", "下载", "上一篇", "下一篇", "版权", "联系我们", "免责",
               "相关文章", "推荐"]
# "推荐" (recommend / refer) is also an ordinary business word. These exact phrases are
# duty text, not the site's "推荐第N篇" / "推荐度" boilerplate; they are masked before the
# scan. Keep this list short and reviewed.
BOILERPLATE_ALLOWED_PHRASES = [
    "拜访、推荐等多种方式",     # 002: winning customers "by visits, referrals and other means"
    "制定和推荐个人理财规划方案",  # 002: retail customer manager
    "筛选推荐",                 # 003: HR assistant, "screening and shortlisting"
    "理财产品的推荐和销售",       # 002: retail customer manager, "recommends and sells"
]

# Obvious OCR/typing errors in the seeds, corrected in the catalogue (each has a YAML comment
# above the duty). Applied to the seed text before the verbatim comparison.
SOURCE_CORRECTIONS = {
    "银行支行客户经理职责": [("落实整措施", "落实整改措施")],
    "信贷客户经理岗位职责": [("授权个支行行长", "授权各支行行长")],
    "商业中心各个岗位职责表": [("建立严密的等级手续", "建立严密的登记手续"),
                                 ("查询及及提入", "查询及提入"),
                                 ("营业室主人", "营业室主任")],
    "信贷客户部岗位职责(精选多篇)": [("主体、业政策", "主体、产业政策"),
                                 ("做好对款借人", "做好对借款人"),
                                 ("保譬好", "保管好"),
                                 ("贷款借款入", "贷款借款人"),
                                 ("负謇", "负责"),
                                 ("事项p进行", "事项进行"),
                                 ("人力资源站略", "人力资源战略"),
                                 ("审査", "审查")],
}

# Which unit type may sit under which (parent type → allowed child types). A department
# sits under any non-department unit; departments are not nested.
CHILD_TYPES = {
    None: {"head_office"},
    "head_office": {"branch", "department"},
    "branch": {"sub_branch", "department"},
    "sub_branch": {"outlet", "department"},
    "outlet": {"department"},
    "department": set(),
}
# branch_head is held on a 网点 (a sub-branch or an outlet): docs/api.md "Default routing".
ROLE_UNIT_TYPES = {"branch_head": {"sub_branch", "outlet"}, "dept_manager": {"department"}}

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
UNIT_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
EMPLOYEE_NO_RE = re.compile(r"^E\d{4}$")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9]{1,31}$")
WHITESPACE_RE = re.compile(r"\s+")
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TITLE_RE = re.compile(r"《[^》]*》")

# Annual-leave brackets (职工带薪年休假条例) are computed as of the end of this year; the demo
# must have employees in every bracket.
LEAVE_YEAR_END = dt.date(2026, 12, 31)
BRACKETS = [("<1y", 0, 1), ("1-10y", 1, 10), ("10-20y", 10, 20), ("20y+", 20, 999)]


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def __call__(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def squash(text: str) -> str:
    return WHITESPACE_RE.sub("", text)


def find_seeds(cli: str | None) -> Path | None:
    candidates = [cli, os.environ.get("HR_SEEDS_DIR"), HERE.parent.parent / "shared" / "seeds"]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return None


def find_source_files(seeds: Path, problems: Problems) -> dict[str, Path]:
    """Each title in SOURCES → the one file in `seeds` whose first lines carry it."""
    heads: dict[Path, str] = {}
    for path in sorted(seeds.glob("*.txt")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        heads[path] = squash("".join(lines[:TITLE_LINES]))
    found: dict[str, Path] = {}
    for title in SOURCES:
        matches = [path for path, head in heads.items() if squash(title) in head]
        if len(matches) != 1:
            problems("seeds", f"{len(matches)} files in {seeds} carry the title {title!r}")
            continue
        found[title] = matches[0]
    return found


def source_number(title: str | None) -> str:
    """`000`–`004` for a source document's title (as docs/domain.md numbers them)."""
    return f"{SOURCES.index(title):03d}" if title in SOURCES else str(title)


def load_yaml(path: Path, problems: Problems) -> dict:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        problems(str(path), f"cannot load: {exc}")
        return {}
    if not isinstance(data, dict):
        problems(str(path), "top level must be a mapping")
        return {}
    return data


def scan_boilerplate(where: str, text: str, problems: Problems) -> None:
    masked = text
    for phrase in BOILERPLATE_ALLOWED_PHRASES:
        masked = masked.replace(phrase, "")
    low = masked.lower()
    for bad in BOILERPLATE:
        if bad.lower() in low:
            problems(where, f"boilerplate substring {bad!r}")


def nonempty_str(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


# --------------------------------------------------------------------------------------------
# positions.yaml
# --------------------------------------------------------------------------------------------
def check_positions(data: dict, seeds: Path | None, problems: Problems) -> dict[str, dict]:
    positions = data.get("positions")
    if not isinstance(positions, list) or not positions:
        problems("positions.yaml", "'positions' must be a non-empty list")
        return {}
    seed_text: dict[str, str] = {}
    if seeds is not None:
        for name, path in find_source_files(seeds, problems).items():
            text = squash(path.read_text(encoding="utf-8"))
            for wrong, right in SOURCE_CORRECTIONS.get(name, []):
                if squash(wrong) not in text:
                    problems("seeds", f"{name}: correction {wrong!r} no longer matches the file")
                text = text.replace(squash(wrong), squash(right))
            seed_text[name] = text

    by_code: dict[str, dict] = {}
    optional_keys = {"requires_qualification"}
    allowed_keys = {"code", "name_zh", "name_en", "grade", "unit_types", "must_cover",
                    "requires_qualification", "source", "duties"}
    duty_keys = {"text_zh", "text_en", "category", "source"}
    for i, pos in enumerate(positions):
        where = f"positions[{i}]"
        if not isinstance(pos, dict):
            problems(where, "must be a mapping")
            continue
        code = pos.get("code")
        where = f"position {code or i}"
        extra = set(pos) - allowed_keys
        if extra:
            problems(where, f"unknown keys {sorted(extra)}")
        missing = allowed_keys - optional_keys - set(pos)
        if missing:
            problems(where, f"missing keys {sorted(missing)}")
        if not isinstance(code, str) or not CODE_RE.match(code):
            problems(where, "code must be UPPER_SNAKE ASCII")
        elif code in by_code:
            problems(where, "duplicate code")
        else:
            by_code[code] = pos
        for key in ("name_zh", "name_en"):
            if not nonempty_str(pos.get(key)):
                problems(where, f"{key} is required")
            else:
                scan_boilerplate(f"{where} {key}", pos[key], problems)
        if nonempty_str(pos.get("name_en")) and not pos["name_en"].isascii():
            problems(where, "name_en must be ASCII")
        if pos.get("grade") not in GRADES:
            problems(where, f"grade must be one of {sorted(GRADES)}")
        unit_types = pos.get("unit_types")
        if (not isinstance(unit_types, list) or not unit_types
                or not set(unit_types) <= UNIT_TYPES or len(set(unit_types)) != len(unit_types)):
            problems(where, f"unit_types must be a non-empty list of distinct {sorted(UNIT_TYPES)}")
        if not isinstance(pos.get("must_cover"), bool):
            problems(where, "must_cover must be true or false")
        # 取消客户经理资格: every customer-manager post (客户经理, 大客户经理) requires the
        # qualification performance may withdraw; no other post does.
        is_customer_manager = "客户经理" in str(pos.get("name_zh"))
        if pos.get("requires_qualification") != (
                "customer_manager" if is_customer_manager else None):
            problems(where, "requires_qualification must be customer_manager on exactly the "
                     "customer-manager posts")
        source = pos.get("source")
        if source is not None and source not in SOURCES:
            problems(where, f"source {source!r} is not a source document's title")
        duties = pos.get("duties")
        if not isinstance(duties, list) or not duties:
            problems(where, "duties must be a non-empty list")
            continue
        seen: set[str] = set()
        for j, duty in enumerate(duties):
            dwhere = f"{where} duty {j + 1}"
            if not isinstance(duty, dict):
                problems(dwhere, "must be a mapping")
                continue
            extra = set(duty) - duty_keys
            if extra:
                problems(dwhere, f"unknown keys {sorted(extra)}")
            text_zh, text_en = duty.get("text_zh"), duty.get("text_en")
            if not nonempty_str(text_zh):
                problems(dwhere, "text_zh is required")
                continue
            if not nonempty_str(text_en):
                problems(dwhere, "text_en is required")
            elif CJK_RE.search(TITLE_RE.sub("", text_en)):
                # Chinese is allowed only inside a quoted document title 《…》
                problems(dwhere, "text_en contains Chinese outside a 《title》")
            if re.match(r"^\s*([0-9]+[、.．]|[(（][0-9一二三四五六七八九十]+[)）]|"
                        r"[一二三四五六七八九十]+、|[①-⑳])", text_zh):
                problems(dwhere, "text_zh still starts with its numbering")
            scan_boilerplate(f"{dwhere} text_zh", text_zh, problems)
            if nonempty_str(text_en):
                scan_boilerplate(f"{dwhere} text_en", text_en, problems)
            if duty.get("category") not in CATEGORIES:
                problems(dwhere, f"category must be one of {sorted(CATEGORIES)}")
            key = re.sub(r"[\s,,。.;;::、]", "", text_zh)
            if key in seen:
                problems(dwhere, "duplicate duty text within the position")
            seen.add(key)
            dsource = duty.get("source")
            if source is None:
                if dsource is not None:
                    problems(dwhere, "a position not from the seeds has duties with source null")
                continue
            if dsource not in SOURCES:
                problems(dwhere, f"source must be a source document's title, got {dsource!r}")
                continue
            if dsource in seed_text and squash(text_zh) not in seed_text[dsource]:
                problems(dwhere, f"text_zh not found verbatim in {dsource}: {text_zh[:30]}…")
    return by_code


# --------------------------------------------------------------------------------------------
# organisation.yaml
# --------------------------------------------------------------------------------------------
def parse_date(value, where: str, field: str, problems: Problems) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems(where, f"{field} must be a date YYYY-MM-DD")
    return None


def years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def check_organisation(data: dict, positions: dict[str, dict], problems: Problems) -> dict:
    counts: dict = {}
    for key in ("org_units", "employees", "relations", "users"):
        if not isinstance(data.get(key), list):
            problems("organisation.yaml", f"'{key}' must be a list")
            data[key] = []
    extra = set(data) - {"org_units", "employees", "relations", "users"}
    if extra:
        problems("organisation.yaml", f"unknown top-level keys {sorted(extra)}")

    # -- org units: parents before children, valid nesting ------------------------------------
    units: dict[str, dict] = {}
    for i, unit in enumerate(data["org_units"]):
        code = unit.get("code") if isinstance(unit, dict) else None
        where = f"org_unit {code or i}"
        if not isinstance(unit, dict):
            problems(where, "must be a mapping")
            continue
        extra = set(unit) - {"code", "name_zh", "name_en", "type", "parent"}
        if extra:
            problems(where, f"unknown keys {sorted(extra)}")
        if not isinstance(code, str) or not UNIT_CODE_RE.match(code):
            problems(where, "code must be upper-case ASCII")
            continue
        if code in units:
            problems(where, "duplicate code")
            continue
        for key in ("name_zh", "name_en"):
            if not nonempty_str(unit.get(key)):
                problems(where, f"{key} is required")
        utype, parent = unit.get("type"), unit.get("parent")
        if utype not in UNIT_TYPES:
            problems(where, f"type must be one of {sorted(UNIT_TYPES)}")
        if parent is not None and parent not in units:
            problems(where, f"parent {parent!r} must exist earlier in the list")
        else:
            ptype = units[parent]["type"] if parent is not None else None
            if utype not in CHILD_TYPES.get(ptype, set()):
                problems(where, f"a {utype} cannot sit under {ptype or 'nothing (root)'}")
        units[code] = unit
    roots = [c for c, u in units.items() if u.get("parent") is None]
    if len(roots) != 1:
        problems("org_units", f"exactly one root expected, found {roots}")

    def ancestors(code: str) -> list[str]:
        chain, seen = [], set()
        while code in units and code not in seen:
            seen.add(code)
            chain.append(code)
            code = units[code].get("parent")
        return chain

    # -- employees ----------------------------------------------------------------------------
    employees: dict[str, dict] = {}
    brackets: Counter = Counter()
    for i, emp in enumerate(data["employees"]):
        no = emp.get("employee_no") if isinstance(emp, dict) else None
        where = f"employee {no or i}"
        if not isinstance(emp, dict):
            problems(where, "must be a mapping")
            continue
        allowed = {"employee_no", "name", "name_en", "org", "position", "hire_date",
                   "work_start_date", "manager"}
        extra = set(emp) - allowed
        if extra:
            problems(where, f"unknown keys {sorted(extra)}")
        if not isinstance(no, str) or not EMPLOYEE_NO_RE.match(no):
            problems(where, "employee_no must be a quoted string like \"E0001\"")
            continue
        if no in employees:
            problems(where, "duplicate employee_no")
            continue
        if not nonempty_str(emp.get("name")):
            problems(where, "name is required")
        if not nonempty_str(emp.get("name_en")) or not emp["name_en"].isascii():
            problems(where, "name_en (pinyin, ASCII) is required")
        org, code = emp.get("org"), emp.get("position")
        if org not in units:
            problems(where, f"org {org!r} does not exist")
        pos = positions.get(code)
        if pos is None:
            problems(where, f"position {code!r} is not in positions.yaml")
        elif org in units and units[org]["type"] not in pos.get("unit_types", []):
            problems(where, f"position {code} does not exist in a unit of type "
                            f"{units[org]['type']} (unit_types {pos.get('unit_types')})")
        hire = parse_date(emp.get("hire_date"), where, "hire_date", problems)
        start = emp.get("work_start_date", emp.get("hire_date"))
        start = parse_date(start, where, "work_start_date", problems)
        if hire and start and start > hire:
            problems(where, "work_start_date is after hire_date")
        if hire and hire > LEAVE_YEAR_END:
            problems(where, "hire_date is after the demo year")
        if start:
            years = years_between(start, LEAVE_YEAR_END) if start <= LEAVE_YEAR_END else -1
            for label, low, high in BRACKETS:
                if low <= years < high:
                    brackets[label] += 1
        manager = emp.get("manager")
        if manager is None:
            if org in units and units[org].get("parent") is not None:
                problems(where, "only the head of the root unit may have no manager")
        elif manager == no:
            problems(where, "cannot be their own manager")
        elif manager not in employees:
            problems(where, f"manager {manager!r} must exist earlier in the list")
        else:
            morg = employees[manager].get("org")
            if org in units and morg not in ancestors(org):
                problems(where, f"manager {manager} sits in {morg}, which is neither the "
                                f"employee's unit nor above it")
            if pos is not None and pos.get("grade") == "head":
                mpos = positions.get(employees[manager].get("position"), {})
                if mpos.get("grade") != "head":
                    problems(where, "a head or deputy must report to a head")
        employees[no] = emp
    for label, _, _ in BRACKETS:
        if brackets[label] == 0:
            problems("employees", f"no employee with working time {label} as of "
                                  f"{LEAVE_YEAR_END} (annual-leave brackets must all occur)")
    # every non-department unit (other than the root) has a head-grade employee
    for code, unit in units.items():
        if unit.get("type") in {"branch", "sub_branch", "outlet", "head_office"}:
            heads = [e for e in employees.values() if e.get("org") == code
                     and positions.get(e.get("position"), {}).get("grade") == "head"]
            if not heads:
                problems(f"org_unit {code}", "has no head")

    # -- relations ----------------------------------------------------------------------------
    pairs: set[frozenset] = set()
    for i, rel in enumerate(data["relations"]):
        where = f"relation {i + 1}"
        if not isinstance(rel, dict):
            problems(where, "must be a mapping")
            continue
        a, b, kind = rel.get("employee_no"), rel.get("related_no"), rel.get("kind")
        for x in (a, b):
            if x not in employees:
                problems(where, f"employee {x!r} does not exist")
        if a == b:
            problems(where, "an employee cannot be related to themselves")
        if kind not in RELATION_KINDS:
            problems(where, f"kind must be one of {sorted(RELATION_KINDS)}")
        pair = frozenset((a, b))
        if pair in pairs:
            problems(where, "duplicate relation")
        pairs.add(pair)

    # -- users ----------------------------------------------------------------------------------
    usernames: set[str] = set()
    user_emps: set[str] = set()
    role_count: Counter = Counter()
    for i, user in enumerate(data["users"]):
        name = user.get("username") if isinstance(user, dict) else None
        where = f"user {name or i}"
        if not isinstance(user, dict):
            problems(where, "must be a mapping")
            continue
        extra = set(user) - {"username", "display_name", "employee_no", "roles"}
        if extra:
            problems(where, f"unknown keys {sorted(extra)} (no passwords here)")
        if not isinstance(name, str) or not USERNAME_RE.match(name):
            problems(where, "username must be lower-case ASCII letters/digits")
        elif name in usernames:
            problems(where, "duplicate username")
        usernames.add(name)
        if not nonempty_str(user.get("display_name")):
            problems(where, "display_name is required")
        no = user.get("employee_no")
        if no not in employees:
            problems(where, f"employee_no {no!r} does not exist")
            continue
        if no in user_emps:
            problems(where, f"employee {no} already has a user")
        user_emps.add(no)
        if user.get("display_name") != employees[no].get("name"):
            problems(where, "display_name should be the employee's name")
        roles = user.get("roles")
        if not isinstance(roles, list) or not roles:
            problems(where, "roles must be a non-empty list")
            continue
        bindings = []
        for binding in roles:
            role, org = binding.get("role"), binding.get("org")
            if role not in ROLES or role == "admin":
                problems(where, f"role {role!r} is not a demo role (admin is bootstrapped)")
                continue
            if org not in units:
                problems(where, f"role {role} on unknown org {org!r}")
                continue
            role_count[role] += 1
            wanted = ROLE_UNIT_TYPES.get(role)
            if wanted and units[org]["type"] not in wanted:
                problems(where, f"role {role} must be held on a unit of type {sorted(wanted)}")
            emp_org = employees[no].get("org")
            if role == "employee" and org != emp_org:
                problems(where, "role employee must be on the employee's own unit")
            if role in {"branch_head", "dept_manager"} and org != emp_org:
                problems(where, f"role {role} should be on the holder's own unit ({emp_org})")
            bindings.append((role, org))
        for r1, r2 in SOD_PAIRS:
            for role_a, org_a in bindings:
                for role_b, org_b in bindings:
                    if role_a == r1 and role_b == r2 and (
                            org_a in ancestors(org_b) or org_b in ancestors(org_a)):
                        problems(where, f"separation of duties: {r1} and {r2} overlap")

    counts.update(units=len(units), unit_types=Counter(u.get("type") for u in units.values()),
                  employees=len(employees), brackets=brackets, relations=len(pairs),
                  users=len(usernames), roles=role_count)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", help="directory holding the source documents (.txt)")
    args = parser.parse_args(argv)
    problems = Problems()
    seeds = find_seeds(args.seeds)

    positions = check_positions(load_yaml(POSITIONS, problems), seeds, problems)
    org = check_organisation(load_yaml(ORGANISATION, problems), positions, problems)

    duties = sum(len(p.get("duties") or []) for p in positions.values())
    from_seeds = [p for p in positions.values() if p.get("source")]
    grades = Counter(p.get("grade") for p in positions.values())
    by_source = Counter(d.get("source") for p in positions.values()
                        for d in p.get("duties") or [] if isinstance(d, dict))
    print(f"positions: {len(positions)} unique codes ({len(from_seeds)} from the seeds, "
          f"{len(positions) - len(from_seeds)} not); grades {dict(sorted(grades.items()))}; "
          f"must_cover {sum(1 for p in positions.values() if p.get('must_cover') is True)}")
    print(f"duties: {duties} (by source: "
          + ", ".join(f"{source_number(k)}={v}" for k, v in sorted(
              by_source.items(), key=lambda kv: source_number(kv[0])))
          + ")")
    print(f"verbatim check: {'against ' + str(seeds) if seeds else 'SKIPPED (seeds not found)'}")
    if org:
        print(f"org units: {org['units']} {dict(sorted(org['unit_types'].items()))}")
        print(f"employees: {org['employees']}; working time as of {LEAVE_YEAR_END}: "
              + ", ".join(f"{label} {org['brackets'][label]}" for label, _, _ in BRACKETS))
        print(f"relations: {org['relations']}; users: {org['users']} "
              f"{dict(sorted(org['roles'].items()))}")
    if problems.items:
        print(f"\n{len(problems.items)} problem(s):", file=sys.stderr)
        for item in problems.items:
            print(f"  - {item}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
