"""A fake staff service as auth asks it (`services.auth.service.staff_directory`): the
suite's units with their paths and types, the employees its users link to, and `down`.
Also the stand-in the conformance run gives auth (no staff runs there)."""

from __future__ import annotations

from services.auth.service.orgs import UnitFacts
from services.auth.service.staff_directory import EmployeeFacts
from shared.errors import ServiceUnavailable

TREE = {"HQ": "HQ", "BR01": "HQ/BR01", "SB01": "HQ/BR01/SB01",
        "SB01_HALL": "HQ/BR01/SB01/SB01_HALL", "SB02": "HQ/BR01/SB02", "BR02": "HQ/BR02",
        "SB04": "HQ/BR02/SB04"}
TYPES = {"HQ": "head_office", "BR01": "branch", "SB01": "sub_branch",
         "SB01_HALL": "department", "SB02": "sub_branch", "BR02": "branch",
         "SB04": "sub_branch"}
#: Employees the fake staff knows (employee_no → status); the suite's users link to these.
EMPLOYEES = {no: "active" for no in ("E0001", "E0042", "E1", "E2", "E7", "E100", "E200",
                                     "BIG", "SMALL", "CM1", "CM2", "LV1")}


class FakeStaff:
    """Stands in for staff as auth asks it (`service.staff_directory.StaffDirectory`):
    `GET /staff/org-units/{code}` (a path and type, None = 404) and
    `GET /staff/employees/{no}` (a status, None = 404); `down` makes every call a 503."""

    def __init__(self) -> None:
        self.paths = dict(TREE)
        self.types = dict(TYPES)
        self.employees = dict(EMPLOYEES)
        self.down = False
        self.calls: list[str] = []

    def _reach(self, what: str) -> None:
        self.calls.append(what)
        if self.down:
            raise ServiceUnavailable("The staff service cannot be reached.")

    def __call__(self, code: str) -> str | None:
        self._reach(code)
        return self.paths.get(code)

    def unit(self, code: str) -> UnitFacts | None:
        self._reach(code)
        path = self.paths.get(code)
        return None if path is None else UnitFacts(path, self.types.get(code))

    def employee(self, employee_no: str) -> EmployeeFacts | None:
        self._reach(f"employee:{employee_no}")
        status = self.employees.get(employee_no)
        return None if status is None else EmployeeFacts(employee_no, status)
