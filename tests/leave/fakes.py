"""A fake directory (staff and auth as leave sees them) over a small branch network.

    HQ (head_office) ─ HQ_HR (department)
      ├─ BR01 (branch) ─ SB01 (sub_branch) ─ OT01 (outlet)
      │                │                 └ SB01_D1 (department)
      │                └ SB02 (sub_branch)
      └─ BR02 (branch) ─ SB03 (sub_branch)

People (employee_no: unit, grade): H1 heads SB01 (head), D1 deputy of SB01 (head), E1 and
E4 tellers in SB01 (staff; E4 must be covered), M1 mid-level in SB01, E2 in OT01 (staff),
OH outlet head of OT01 (head), H2 heads SB02, E5 staff in SB02, E3 in SB03 (BR02), R1 in
BR01 itself (branch staff), K1 in SB01_D1 (staff), HR1 hr of BR01 (in BR01), HR2 hr of BR02.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.errors import ServiceUnavailable

UNITS = {
    "HQ": ("head_office", "HQ"),
    "HQ_HR": ("department", "HQ/HQ_HR"),
    "BR01": ("branch", "HQ/BR01"),
    "SB01": ("sub_branch", "HQ/BR01/SB01"),
    "OT01": ("outlet", "HQ/BR01/SB01/OT01"),
    "SB01_D1": ("department", "HQ/BR01/SB01/SB01_D1"),
    "SB02": ("sub_branch", "HQ/BR01/SB02"),
    "BR02": ("branch", "HQ/BR02"),
    "SB03": ("sub_branch", "HQ/BR02/SB03"),
}
PEOPLE = {
    "H1": ("SB01", "head"), "D1": ("SB01", "head"), "E1": ("SB01", "staff"),
    "E4": ("SB01", "staff"), "M1": ("SB01", "mid"), "E2": ("OT01", "staff"),
    "OH": ("OT01", "head"), "H2": ("SB02", "head"), "E5": ("SB02", "staff"),
    "E3": ("SB03", "staff"), "R1": ("BR01", "staff"), "K1": ("SB01_D1", "staff"),
    "HR1": ("BR01", "staff"), "HR2": ("BR02", "staff"),
}


def path(code: str) -> str:
    return UNITS[code][1]


def unit_dict(code: str) -> dict[str, Any]:
    kind, unit_path = UNITS[code]
    return {"code": code, "type": kind, "path": unit_path, "name_zh": code, "name_en": code}


@dataclass
class FakeDirectory:
    """Staff and auth as leave asks them; `down` makes staff unreachable."""

    people: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(PEOPLE))
    status: dict[str, str] = field(default_factory=dict)
    must_cover: set[str] = field(default_factory=lambda: {"E4"})
    roles: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    no_holders: set[tuple[str, str]] = field(default_factory=set)
    hire_dates: dict[str, tuple[str, str]] = field(default_factory=dict)
    down: bool = False
    calls: int = 0
    #: Every unit whose people `colleagues` listed.
    units_listed: list[str] = field(default_factory=list)
    #: Every `holders_of` question, as asked (one list of pairs a call).
    holder_questions: list[list[tuple[str, str]]] = field(default_factory=list)

    def _staff(self) -> None:
        self.calls += 1
        if self.down:
            raise ServiceUnavailable("The staff service cannot be reached.")

    def chain(self, employee_no: str) -> dict[str, Any] | None:
        self._staff()
        if employee_no not in self.people:
            return None
        code, grade = self.people[employee_no]
        units = [unit_dict(c) for c in reversed(path(code).split("/"))]
        outlet = next((u for u in units if u["type"] in ("sub_branch", "outlet")), None)
        branch = next((u for u in units if u["type"] == "branch"), units[-1])
        return {"employee_no": employee_no, "name": employee_no,
                "status": self.status.get(employee_no, "active"), "grade": grade,
                "position": "X", "must_cover": employee_no in self.must_cover,
                "manager": None, "unit": units[0], "outlet": outlet,
                "governing_branch": branch, "head_office": units[-1], "units": units}

    def employee(self, employee_no: str) -> dict[str, Any] | None:
        self._staff()
        if employee_no not in self.people:
            return None
        hire, start = self.hire_dates.get(employee_no, ("2015-03-01", "2012-07-01"))
        return {"employee_no": employee_no, "hire_date": hire, "work_start_date": start}

    def unit(self, code: str) -> dict[str, Any] | None:
        self._staff()
        return unit_dict(code) if code in UNITS else None

    def colleagues(self, code: str) -> list[dict[str, Any]]:
        self._staff()
        self.units_listed.append(code)
        return [{"employee_no": no, "name": f"Name {no}", "name_en": None, "org": unit,
                 "position": "X", "status": self.status.get(no, "active")}
                for no, (unit, _grade) in self.people.items() if unit == code]

    def roles_of(self, employee_no: str) -> list[tuple[str, str]]:
        return list(self.roles.get(employee_no, []))

    def holders(self, role: str, org: str) -> int | None:
        return 0 if (role, org) in self.no_holders else 1

    def holders_of(self, pairs: list[tuple[str, str]]) -> list[int | None]:
        self.holder_questions.append(list(pairs))
        return [self.holders(role, org) for role, org in pairs]
