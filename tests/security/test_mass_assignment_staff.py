"""Staff: fields a caller must not set are refused (422) in hires and edits, never applied —
each beside the same body without them, which is accepted; and a LIKE wildcard in a search
is matched literally, never as "anything" (a wider answer)."""

from __future__ import annotations

import itertools

from tests.conftest import bearer
from tests.staff.fixtures import *  # noqa: F403 - the staff app, client, org and people
from tests.staff.fixtures import hire


def test_a_hire_carrying_a_field_it_may_not_set_is_refused_and_without_it_accepted(
        client, admin, org, catalogue):
    for extra in ({"status": "left"}, {"id": 1}, {"org_path": "HQ"},
                  {"recorded_by": "someone"}, {"unit": "SB03"}):
        refused = hire(client, admin, "N1", "SB01", **extra)
        assert refused.status_code == 422 and set(extra) <= set(refused.get_json()["errors"])
        assert client.get("/staff/employees/N1", headers=admin).status_code == 404
    made = hire(client, admin, "N1", "SB01")
    assert made.status_code == 201 and made.get_json()["status"] == "active"


def test_an_edit_cannot_move_rename_or_end_an_employee_through_the_back_door(
        client, admin, staffed):
    before = client.get("/staff/employees/E1", headers=admin).get_json()
    for extra in ({"org": "SB03"}, {"status": "left"}, {"employee_no": "E9"},
                  {"manager": "E3"}, {"hire_date": "2001-01-01"}):
        resp = client.patch("/staff/employees/E1", headers=admin,
                            json={"name_en": "Tang M.", **extra})
        assert resp.status_code == 422 and set(extra) <= set(resp.get_json()["errors"])
        assert client.get("/staff/employees/E1", headers=admin).get_json() == before
    ok = client.patch("/staff/employees/E1", headers=admin, json={"name_en": "Tang M."})
    assert ok.status_code == 200 and ok.get_json()["org"] == before["org"]


def test_a_like_wildcard_in_a_search_is_matched_literally(client, admin, tokens, staffed):
    head = bearer(tokens.user(sub="h", roles=[("branch_head", "SB01", "HQ/BR01/SB01")]))
    for headers, wildcard in itertools.product((admin, head), ("%", "_", "%%", "\\%")):
        every = client.get("/staff/employees", headers=headers).get_json()["total"]
        assert every >= 2  # the control: there are rows a wildcard would match
        for url in (f"/staff/employees?q={wildcard}", f"/staff/org-units?q={wildcard}"):
            resp = client.get(url.replace("%", "%25"), headers=headers)
            assert resp.status_code == 200, url
            # only rows holding the character itself (HQ_HR holds a literal "_")
            for item in resp.get_json()["items"]:
                text = " ".join(str(v) for v in item.values())
                assert wildcard.replace("\\", "") in text, (url, item)
    assert client.get("/staff/employees?q=%E5%94%90", headers=admin).get_json()["total"] == 1
