"""A recording stand-in for the staff service (what `services.performance.staff` asks), and
the small organisation the performance tests use.

HQ (head office) / BR01 (branch, the governing branch 管辖行) / SB01, SB02 (sub-branches).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.errors import ServiceUnavailable

UNITS = {
    "HQ": {"code": "HQ", "type": "head_office", "path": "HQ", "name_zh": "总行", "name_en": "HQ"},
    "BR01": {"code": "BR01", "type": "branch", "path": "HQ/BR01", "name_zh": "分行",
             "name_en": "Branch 1"},
    "SB01": {"code": "SB01", "type": "sub_branch", "path": "HQ/BR01/SB01", "name_zh": "一支行",
             "name_en": "Sub-branch 1"},
    "SB02": {"code": "SB02", "type": "sub_branch", "path": "HQ/BR01/SB02", "name_zh": "二支行",
             "name_en": "Sub-branch 2"},
}
#: employee number → (unit, grade)
EMPLOYEES = {
    "E100": ("SB01", "staff"),  # the customer manager incidents are about
    "E101": ("SB01", "head"),  # SB01's branch head
    "E102": ("SB01", "head"),  # SB01's deputy, also a branch_head (the second pair of eyes)
    "E103": ("SB01", "mid"),  # a department manager of SB01
    "E104": ("SB01", "head"),  # a branch_head declared related to E100
    "E200": ("BR01", "mid"),  # hr of the branch
    "E201": ("BR01", "mid"),  # hr of the branch (a second one)
    "E300": ("SB02", "staff"),
}
RELATIONS = {("E100", "E104")}


def chain_of(employee_no: str) -> dict[str, Any] | None:
    if employee_no not in EMPLOYEES:
        return None
    unit_code, grade = EMPLOYEES[employee_no]
    path = UNITS[unit_code]["path"].split("/")
    units = [UNITS[code] for code in reversed(path)]
    outlet = next((u for u in units if u["type"] in ("sub_branch", "outlet")), None)
    branch = next((u for u in units if u["type"] == "branch"), None)
    return {"employee_no": employee_no, "name": f"Name {employee_no}", "status": "active",
            "grade": grade, "position": "CM", "must_cover": False, "manager": None,
            "unit": units[0], "outlet": outlet, "governing_branch": branch or units[-1],
            "head_office": UNITS["HQ"], "units": units}


@dataclass
class FakeStaff:
    """Answers like staff; `down = True` makes every call fail as an unreachable service;
    `refuse_sends` makes deliveries fail (staff down for the outbox only)."""

    down: bool = False
    refuse_sends: bool = False
    sent: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    relations: set[tuple[str, str]] = field(default_factory=lambda: set(RELATIONS))

    def _check(self, what: str) -> None:
        self.calls.append(what)
        if self.down:
            raise ServiceUnavailable("The staff service cannot be reached.")

    def chain(self, employee_no: str) -> dict[str, Any] | None:
        self._check(f"chain {employee_no}")
        return chain_of(employee_no)

    def unit(self, code: str) -> dict[str, Any] | None:
        self._check(f"unit {code}")
        return UNITS.get(code)

    def related(self, employee_no: str) -> set[str]:
        self._check(f"relations {employee_no}")
        return {b if a == employee_no else a for a, b in self.relations
                if employee_no in (a, b)}

    def send(self, destination: str, path: str, payload: dict[str, Any]) -> int:
        self.calls.append(f"send {path}")
        if self.down or self.refuse_sends:
            raise ServiceUnavailable("The staff service cannot be reached.")
        self.sent.append((destination, path, payload))
        return 201
