"""`/auth/check` is no existence oracle: for a caller whose scope does not cover a unit, an
unknown code answers exactly as an existing unit outside their scope (issue 14.5); callers
who may see the whole organisation keep the precise 422."""

from __future__ import annotations

import pytest

from tests.auth.conftest import *  # noqa: F403 - the auth fixtures
from tests.auth.conftest import ADMIN

PERMISSION = "leave:approve"


def _alike(resp, code: str) -> tuple[int, dict]:
    """Status and body with the asked code (echoed in `reason`) masked."""
    body = resp.get_json()
    if "reason" in body:
        body = {**body, "reason": body["reason"].replace(code, "<org>")}
    return resp.status_code, body


@pytest.mark.parametrize("outside", ["BR02", "SB04"])  # cached, and known to staff only
@pytest.mark.parametrize("binding", [("branch_head", "SB01"), ("employee", "SB01")])
def test_an_unknown_unit_answers_as_a_unit_outside_the_callers_scope(auth, outside, binding):
    auth.user("bob", binding)
    token = auth.token("bob")
    inside = auth.check(token, PERMISSION, "SB01")  # the positive control
    assert inside.status_code == 200
    assert inside.get_json()["allowed"] is (binding[0] == "branch_head")
    hidden = auth.check(token, PERMISSION, outside)
    unknown = auth.check(token, PERMISSION, "NOPE")
    assert hidden.status_code == 200 and hidden.get_json()["allowed"] is False
    assert _alike(hidden, outside) == _alike(unknown, "NOPE")
    assert hidden.get_json()["code"] == ("out_of_scope" if binding[0] == "branch_head"
                                         else "not_in_role")


def test_a_batch_answers_unknown_and_hidden_units_alike(auth, client):
    auth.user("bob", ("branch_head", "SB01"))
    token = auth.token("bob")
    resp = client.post("/auth/check/batch", headers={"Authorization": f"Bearer {token}"},
                       json={"checks": [{"permission": PERMISSION, "org": o}
                                        for o in ("SB01", "BR02", "NOPE")]})
    assert resp.status_code == 200
    inside, hidden, unknown = resp.get_json()["results"]
    assert inside["allowed"] is True
    assert {**hidden, "reason": hidden["reason"].replace("BR02", "<org>")} == \
        {**unknown, "reason": unknown["reason"].replace("NOPE", "<org>")}


def test_a_caller_over_the_whole_organisation_keeps_the_precise_answer(auth):
    admin = auth.token(*ADMIN)
    assert auth.check(admin, PERMISSION, "SB04").get_json()["allowed"] is True
    resp = auth.check(admin, PERMISSION, "NOPE")
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["org"]


def test_a_client_asking_about_a_subject_keeps_the_precise_answer(auth):
    auth.user("bob", ("branch_head", "SB01"))
    subject = auth.token("bob")
    leave = auth.client_token("leave")
    hidden = auth.check(leave, PERMISSION, "BR02", subject_token=subject)
    assert hidden.status_code == 200 and hidden.get_json()["code"] == "out_of_scope"
    resp = auth.check(leave, PERMISSION, "NOPE", subject_token=subject)
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["org"]


def test_an_answer_about_an_unknown_unit_is_not_kept_once_the_unit_exists(auth, staff):
    """Nothing may keep "out of scope" for a code staff creates later inside the caller's
    scope."""
    auth.user("bob", ("branch_head", "SB01"))
    token = auth.token("bob")
    assert auth.check(token, PERMISSION, "NEW1").get_json()["code"] == "out_of_scope"
    staff.paths["NEW1"] = "HQ/BR01/SB01/NEW1"
    assert auth.check(token, PERMISSION, "NEW1").get_json()["allowed"] is True
