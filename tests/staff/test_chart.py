"""The org chart as SVG: every unit of the subtree, its head and head counts, a legend, text
escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from services.staff.domain.chart import Member, unit_head
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
    assert set(groups) == {"unit-BR01", "unit-SB01", "unit-OT01", "unit-SB02", "legend"}
    assert "张伟 (H1)" in groups["unit-SB01"] and "黄志明" not in groups["unit-SB01"]
    assert "Staff: 3 / 4" in groups["unit-SB01"]
    assert "Staff: 0 / 4" in groups["unit-BR01"] and "Head: —" in groups["unit-BR01"]


def _groups(data: bytes) -> dict[str, str]:
    root = ET.fromstring(data)  # noqa: S314 - our own answer
    return {g.get("id"): " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
            for g in root.iter(f"{SVG}g")}


def test_a_department_shows_its_manager_as_head_not_the_deputy_reporting_to_him(
        client, admin, org, catalogue):
    hire(client, admin, "H0", "HQ", "HQ_PRESIDENT", name="王总")
    hire(client, admin, "M1", "HQ_HR", "ADMIN_DEPT_MANAGER", name="陈丽芳", manager="H0")
    hire(client, admin, "M2", "HQ_HR", "GENERAL_BUSINESS_DEPT_DEPUTY_MANAGER", name="曹雪",
         manager="M1")
    hire(client, admin, "S1", "HQ_HR", "HR_ADMIN_ASSISTANT", name="刘洋")  # no manager: staff
    groups = _groups(client.get("/staff/org-units/HQ/chart.svg", headers=admin).data)
    assert "Head: 陈丽芳 (M1)" in groups["unit-HQ_HR"]
    assert "Head: 王总 (H0)" in groups["unit-HQ"]
    assert "Head: —" in groups["unit-BR01"]  # the control: nobody there, nobody shown


def test_the_chart_has_a_legend_explaining_own_and_subtree(client, admin, org):
    groups = _groups(client.get("/staff/org-units/BR01/chart.svg", headers=admin).data)
    legend = groups["legend"]
    assert "own / subtree" in legend and "本单位 / 含下级单位" in legend
    assert "Head:" in legend


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


# --- the head rule, without HTTP --------------------------------------------------------------

def _member(no, grade, within=False):
    return Member(employee_no=no, label=no, grade=grade, reports_within_unit=within)


def test_the_head_is_the_senior_member_reporting_to_no_one_in_the_unit():
    assert unit_head([_member("D", "head", within=True), _member("H", "head")]) == "H"
    assert unit_head([_member("M", "mid"), _member("X", "mid", within=True)]) == "M"
    assert unit_head([_member("M", "mid"), _member("H", "head")]) == "H"
    assert unit_head([_member("B", "mid"), _member("A", "mid")]) == "A"


def test_plain_staff_head_no_unit():
    assert unit_head([_member("S", "staff")]) is None
    assert unit_head([]) is None
