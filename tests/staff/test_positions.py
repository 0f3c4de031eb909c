"""Positions: creation with nested duties, versioned edits, history, and who may edit."""

from __future__ import annotations

from tests.conftest import bearer

TELLER = {
    "code": "TEST_TELLER", "name_zh": "测试柜员", "name_en": "Test teller", "grade": "staff",
    "must_cover": True, "unit_types": ["department", "outlet"],
    "duties": [{"text_zh": "办理现金业务。", "text_en": "Handles cash.", "category": "operations"},
               {"text_zh": "做好客户服务。", "category": "service", "source": "003_x.txt"}],
}


def test_a_position_is_created_with_its_numbered_duties(client, admin):
    resp = client.post("/staff/positions", headers=admin, json=TELLER)
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["version"] == 1 and body["must_cover"] is True
    assert [d["no"] for d in body["duties"]] == [1, 2]
    assert body["duties"][1]["source"] == "003_x.txt" and body["duties"][1]["text_en"] is None
    assert client.get("/staff/positions/TEST_TELLER", headers=admin).get_json() == body


def test_invalid_nested_duties_are_reported_with_dotted_field_names(client, admin):
    bad = {**TELLER, "duties": [{"text_zh": "好。"}, {"text_en": "no zh"},
                                {"text_zh": "x", "category": "gossip"}]}
    resp = client.post("/staff/positions", headers=admin, json=bad)
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert set(errors) == {"duties.1.text_zh", "duties.2.category"}
    resp = client.post("/staff/positions", headers=admin, json={**TELLER, "grade": "boss"})
    assert set(resp.get_json()["errors"]) == {"grade"}


def test_a_duplicate_position_code_is_a_conflict(client, admin):
    client.post("/staff/positions", headers=admin, json=TELLER)
    assert client.post("/staff/positions", headers=admin, json=TELLER).status_code == 409


def test_each_edit_stores_a_version_with_who_and_what_changed(client, admin, tokens, org):
    client.post("/staff/positions", headers=admin, json=TELLER)
    hq_hr = bearer(tokens.user(sub="hq-hr", roles=[("hr", "HQ", "HQ")]))
    resp = client.patch("/staff/positions/TEST_TELLER", headers=hq_hr,
                        json={"name_en": "Cash teller", "must_cover": False})
    assert resp.status_code == 200 and resp.get_json()["version"] == 2
    put = {**TELLER, "duties": TELLER["duties"][:1]}
    resp = client.put("/staff/positions/TEST_TELLER", headers=admin, json=put)
    assert resp.get_json()["version"] == 3 and len(resp.get_json()["duties"]) == 1
    history = client.get("/staff/positions/TEST_TELLER/history", headers=admin).get_json()
    assert [v["version"] for v in history["items"]] == [3, 2, 1]
    v3, v2, v1 = history["items"]
    assert v2["actor"] == "hq-hr"
    assert v2["changes"] == {"name_en": {"before": "Test teller", "after": "Cash teller"},
                             "must_cover": {"before": True, "after": False}}
    assert set(v3["changes"]) == {"name_en", "must_cover", "duties"}
    assert len(v3["changes"]["duties"]["before"]) == 2
    assert v1["changes"]["name_zh"] == {"before": None, "after": "测试柜员"}
    assert v2["position"]["name_en"] == "Cash teller" and v1["position"]["version"] == 1


def test_an_edit_that_changes_nothing_makes_no_new_version(client, admin):
    client.post("/staff/positions", headers=admin, json=TELLER)
    resp = client.patch("/staff/positions/TEST_TELLER", headers=admin, json={"grade": "staff"})
    assert resp.status_code == 200 and resp.get_json()["version"] == 1


def test_a_put_cannot_rename_the_code(client, admin):
    client.post("/staff/positions", headers=admin, json=TELLER)
    resp = client.put("/staff/positions/TEST_TELLER", headers=admin,
                      json={**TELLER, "code": "OTHER"})
    assert resp.status_code == 422 and "code" in resp.get_json()["errors"]


def test_any_signed_in_user_reads_the_catalogue_but_only_head_office_writers_edit_it(
        client, admin, tokens, org):
    client.post("/staff/positions", headers=admin, json=TELLER)
    employee = bearer(tokens.user(emp="E9", roles=[("employee", "SB01", "HQ/BR01/SB01")]))
    assert client.get("/staff/positions", headers=employee).status_code == 200
    assert client.get("/staff/positions/TEST_TELLER/history", headers=employee).status_code == 200
    branch_hr = bearer(tokens.user(roles=[("hr", "BR01", "HQ/BR01")]))
    for headers in (employee, branch_hr):
        resp = client.patch("/staff/positions/TEST_TELLER", headers=headers,
                            json={"name_en": "x"})
        assert resp.status_code == 403
        assert client.post("/staff/positions", headers=headers,
                           json={**TELLER, "code": "T2"}).status_code == 403
    hq_dept_hr = bearer(tokens.user(roles=[("hr", "HQ_HR", "HQ/HQ_HR")]))
    resp = client.patch("/staff/positions/TEST_TELLER", headers=hq_dept_hr,
                        json={"name_en": "Teller (HQ edit)"})
    assert resp.status_code == 200
    assert client.get("/staff/positions").status_code == 401


def test_the_position_list_is_paginated_and_filtered(client, admin):
    client.post("/staff/positions", headers=admin, json=TELLER)
    client.post("/staff/positions", headers=admin, json={**TELLER, "code": "TEST_HEAD",
                                                         "grade": "head", "name_zh": "行长",
                                                         "unit_types": ["sub_branch"]})
    heads = client.get("/staff/positions?grade=head", headers=admin).get_json()
    assert [p["code"] for p in heads["items"]] == ["TEST_HEAD"]
    outlet = client.get("/staff/positions?unit_type=outlet", headers=admin).get_json()
    assert [p["code"] for p in outlet["items"]] == ["TEST_TELLER"] and outlet["total"] == 1
    page = client.get("/staff/positions?per_page=1&page=2", headers=admin).get_json()
    assert page["total"] == 2 and [p["code"] for p in page["items"]] == ["TEST_HEAD"]
