"""A listing page, built from plain columns (`service.listing._listed`), is exactly
marshmallow's dump of the employees: quotes, backslashes, tabs and newlines, every script,
missing English names and grade overrides included."""

from __future__ import annotations

import pytest

from services.staff.models import db
from services.staff.schemas.employees import EmployeeRead
from services.staff.service.common import get_employee
from shared.web import page_of
from tests.staff.fixtures import hire

NAMES = [("E1", '引号"与\\反斜杠', 'Quote " and \\ back'), ("E2", "制表\t换行\n回车\r", None),
         ("E3", "emoji 🏦 𠀋", "Zoë / Ångström"), ("E4", "</script>&amp;", "  spaced  "),
         ("E5", "ascii only", "\u00a0nbsp\u2028line")]


@pytest.fixture
def people(client, admin, org, catalogue):
    for no, name, name_en in NAMES:
        extra = {"name_en": name_en} if name_en is not None else {}
        if no == "E4":
            extra["grade"] = "mid"
        assert hire(client, admin, no, "SB01", name=name, **extra).status_code == 201
    assert hire(client, admin, "E6", "OT01", manager="E1").status_code == 201


@pytest.mark.parametrize("query", ["org=BR01&subtree=true", "org=SB01", "per_page=2&page=2",
                                   "q=e&org=BR01&subtree=true", "org=BR02&subtree=true",
                                   "grade=mid"])
def test_a_page_is_byte_for_byte_the_schemas_dump(app, client, admin, people, query):
    resp = client.get(f"/staff/employees?{query}", headers=admin)
    assert resp.status_code == 200
    body = resp.get_json()
    with app.app_context():
        employees = [get_employee(db.session, item["employee_no"]) for item in body["items"]]
        expected = page_of(EmployeeRead)().dump({**body, "items": employees})
        assert app.json.response(expected).get_data() == resp.get_data()
    if query == "org=BR01&subtree=true":
        assert [i["employee_no"] for i in body["items"]] == ["E1", "E2", "E3", "E4", "E5", "E6"]
        assert body["items"][5]["manager"] == "E1" and body["items"][3]["grade"] == "mid"
    if query == "org=BR02&subtree=true":
        assert body["items"] == [] and body["total"] == 0
