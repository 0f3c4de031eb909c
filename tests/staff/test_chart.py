"""The org chart as SVG: every unit of the subtree, its head and head counts, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.staff.fixtures import hire

SVG = "{http://www.w3.org/2000/svg}"


def test_the_chart_draws_each_unit_with_its_head_and_counts(client, admin, org, catalogue):
    hire(client, admin, "H1", "SB01", "SUB_BRANCH_HEAD", name="张伟")
    hire(client, admin, "D1", "SB01", "DEPUTY_SUB_BRANCH_HEAD", name="黄志明", manager="H1")
    hire(client, admin, "E1", "SB01")
    hire(client, admin, "E2", "OT01")
    resp = client.get("/staff/org-units/BR01/chart.svg", headers=admin)
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    root = ET.fromstring(resp.data)  # noqa: S314 - our own answer
    groups = {g.get("id"): " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
              for g in root.iter(f"{SVG}g")}
    assert set(groups) == {"unit-BR01", "unit-SB01", "unit-OT01", "unit-SB02"}
    assert "张伟 (H1)" in groups["unit-SB01"] and "黄志明" not in groups["unit-SB01"]
    assert "Staff: 3 / 4" in groups["unit-SB01"]
    assert "Staff: 0 / 4" in groups["unit-BR01"] and "Head: —" in groups["unit-BR01"]


def test_names_are_escaped_in_the_chart(client, admin, org):
    evil = '<script>alert("x")</script>&'
    resp = client.post("/staff/org-units", headers=admin, json={
        "code": "EVIL", "name_zh": evil, "type": "department", "parent": "OT01"})
    assert resp.status_code == 201
    resp = client.get("/staff/org-units/OT01/chart.svg", headers=admin)
    assert b"<script>" not in resp.data
    root = ET.fromstring(resp.data)  # noqa: S314 - our own answer, well-formed despite the name
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t and t.startswith("<script>") for t in texts)


def test_a_chart_outside_the_callers_scope_is_not_found_like_an_unknown_code(client, tokens,
                                                                             org):
    from tests.conftest import bearer

    head = bearer(tokens.user(roles=[("branch_head", "SB02", "HQ/BR01/SB02")]))
    assert client.get("/staff/org-units/SB02/chart.svg", headers=head).status_code == 200
    outside = client.get("/staff/org-units/SB01/chart.svg", headers=head)
    unknown = client.get("/staff/org-units/NOPE/chart.svg", headers=head)
    assert outside.status_code == unknown.status_code == 404
    assert outside.get_json()["detail"] == "No org unit SB01."
    assert unknown.get_json()["detail"] == "No org unit NOPE."
