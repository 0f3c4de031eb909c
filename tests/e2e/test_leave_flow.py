"""Leave across real services: the requester's units come from staff over HTTP with leave's
own client token, the token's roles from auth; filed, reviewed by the branch head (初审),
decided by the governing branch's hr; the trail verifies; a decision by another branch's
head is refused."""

from __future__ import annotations

from tests.dates import six_working_days
from tests.e2e.conftest import require

PASSWORD = "E2e-Leave-Passw0rd!"


def test_submit_review_and_final_approval_over_http(stack):
    require("auth", "staff", "leave")
    admin = stack.admin_token()
    stack.units(admin, ("LVHQ", "head_office", None), ("LVBR", "branch", "LVHQ"),
                       ("LVSB", "sub_branch", "LVBR"), ("LVSC", "sub_branch", "LVBR"),
                       ("LVAD", "department", "LVBR"))
    stack.hire(admin, "LVH", "LVSB", "SUB_BRANCH_HEAD")
    stack.hire(admin, "LVO", "LVSC", "SUB_BRANCH_HEAD")
    stack.hire(admin, "LVT1", "LVSB", "CASH_TELLER")
    stack.hire(admin, "LVT2", "LVSB", "CASH_TELLER")
    stack.hire(admin, "LVR", "LVAD", "PRODUCT_MANAGER")
    head = stack.person(admin, "lv.head", "LVH", "branch_head", "LVSB", PASSWORD)
    other_head = stack.person(admin, "lv.other", "LVO", "branch_head", "LVSC", PASSWORD)
    hr = stack.person(admin, "lv.hr", "LVR", "hr", "LVBR", PASSWORD)
    teller = stack.person(admin, "lv.teller", "LVT1", "employee", "LVSB", PASSWORD)

    start, end = six_working_days()  # more than five working days: two steps
    body = {"type": "personal", "start_date": start.isoformat(),
            "end_date": end.isoformat(), "reason": "family",
            "stand_in": "LVT2"}
    # A teller's post must be covered (不得空岗): without a stand-in, a 422.
    missing = stack.request("POST", "leave", "/requests", token=teller,
                            json={k: v for k, v in body.items() if k != "stand_in"})
    assert missing.status_code == 422, missing.text
    filed = stack.request("POST", "leave", "/requests", token=teller, json=body)
    assert filed.status_code == 201, filed.text
    request = filed.json()
    assert request["org"] == "LVSB" and request["governing_branch"] == "LVBR"
    assert [(s["role"], s["org"], s["status"]) for s in request["steps"]] == [
        ("branch_head", "LVSB", "pending"), ("hr", "LVBR", "waiting")]
    # leave asked staff as itself (its own client token).
    assert any(e.get("path") == "/staff/employees/LVT1/chain" and e.get("sub") == "svc-leave"
               for e in stack.log_entries("staff"))
    rid = request["id"]

    assert stack.request("POST", "leave", f"/requests/{rid}/decision", token=other_head,
                         json={"decision": "approve"}).status_code in (403, 404)
    inbox = stack.request("GET", "leave", "/approvals", token=head).json()
    assert rid in [r["id"] for r in inbox["items"]]
    review = stack.request("POST", "leave", f"/requests/{rid}/decision", token=head,
                           json={"decision": "approve", "comment": "初审同意"})
    assert review.status_code == 200 and review.json()["status"] == "pending", review.text
    final = stack.request("POST", "leave", f"/requests/{rid}/decision", token=hr,
                          json={"decision": "approve"})
    assert final.status_code == 200 and final.json()["status"] == "approved", final.text
    trail = stack.request("GET", "leave", f"/requests/{rid}/trail", token=teller).json()
    assert trail["valid"] and [e["actor_emp"] for e in trail["entries"]] == [
        "LVT1", "LVH", "LVR"]
