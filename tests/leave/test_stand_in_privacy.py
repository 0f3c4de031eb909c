"""Why a colleague cannot stand in is their own business: an employee learns only whether
a colleague is available — in the stand-in list, the preview and filing's refusal — while
who may read or decide the unit's leave (its branch head, hr above it) is told why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.leave.conftest import decide, file
from tests.leave.test_preview import preview

DATES = {"start_date": "2025-09-01", "end_date": "2025-09-02"}


@pytest.fixture
def away(client, who, directory) -> None:
    """Over DATES in SB01: D1 on approved leave, E4 with leave pending (M1 standing in),
    E6 suspended; E1 and M1 available."""
    pending = file(client, who("E4"), type="sick", stand_in="M1", **DATES)
    assert pending.status_code == 201, pending.get_json()
    approved = file(client, who("D1"), type="sick", **DATES)
    assert decide(client, who("HR1"), approved.get_json()["id"]).status_code == 200
    directory.people["E6"] = ("SB01", "staff")
    directory.status["E6"] = "suspended"


def listed(client: Any, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    resp = client.get("/leave/stand-ins?start_date=2025-09-01&end_date=2025-09-02",
                      headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return {p["employee_no"]: {k: v for k, v in p.items() if k in ("available", "reason")}
            for p in resp.get_json()["items"]}


def test_an_employee_sees_who_is_available_but_not_why(client, who, away):
    assert listed(client, who("E1")) == {
        "D1": {"available": False}, "E4": {"available": False}, "E6": {"available": False},
        "H1": {"available": True}, "M1": {"available": True}}


def test_the_branch_head_sees_why_a_colleague_is_unavailable(client, who, away):
    assert listed(client, who("H1")) == {
        "D1": {"available": False, "reason": "on_leave"},
        "E1": {"available": True, "reason": None},
        "E4": {"available": False, "reason": "leave_pending"},
        "E6": {"available": False, "reason": "not_active"},
        "M1": {"available": True, "reason": None}}


def test_hr_over_the_unit_sees_why_and_a_manager_of_another_unit_does_not(client, who, away):
    as_hr = listed(client, who("E1", roles=[("hr", "BR01")]))
    assert as_hr["D1"] == {"available": False, "reason": "on_leave"}
    # leave:approve over a department below SB01 is not over SB01, whose people are listed.
    as_manager = listed(client, who("E1", roles=[("dept_manager", "SB01_D1")]))
    assert as_manager["D1"] == {"available": False}


@pytest.mark.parametrize(("stand_in", "why"), [("D1", "D1 is on leave then."),
                                               ("E4", "E4 is on leave then."),
                                               ("E6", "E6 is not active.")])
def test_filing_refuses_an_unavailable_stand_in_without_saying_why_to_an_employee(
        client, who, away, stand_in, why):
    refused = file(client, who("E1"), type="sick", stand_in=stand_in, **DATES)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["stand_in"] == [
        f"{stand_in} cannot stand in over those dates."]
    # The branch head filing their own leave with the same stand-in is told why.
    told = file(client, who("H1"), type="sick", stand_in=stand_in, **DATES)
    assert told.status_code == 422 and told.get_json()["errors"]["stand_in"] == [why]
    # An available colleague is accepted (M1 stands in for E4 already; that is no leave).
    assert file(client, who("E1"), type="sick", stand_in="M1", **DATES).status_code == 201


@pytest.mark.parametrize(("stand_in", "why"), [("D1", "D1 is on leave then."),
                                               ("E6", "E6 is not active.")])
def test_the_preview_gives_an_employee_the_same_refusal_without_why(client, who, away,
                                                                    stand_in, why):
    def verdict(headers: dict[str, str]) -> tuple[Any, list[str]]:
        body = preview(client, headers, type="sick", stand_in=stand_in, **DATES).get_json()
        assert body["would_file"] is False and body["stand_in"]["acceptable"] is False
        return body["stand_in"]["problem"], [w["message"] for w in body["warnings"]
                                             if w["code"] == "stand_in"]

    generic = f"{stand_in} cannot stand in over those dates."
    assert verdict(who("E1")) == (generic, [generic])
    assert verdict(who("H1")) == (why, [why])
    fine = preview(client, who("E1"), type="sick", stand_in="M1", **DATES).get_json()
    assert fine["stand_in"]["acceptable"] is True and fine["would_file"] is True
