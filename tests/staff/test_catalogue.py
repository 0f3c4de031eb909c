"""The job-duty catalogue fixture, loaded as the service loads it on first start."""

from __future__ import annotations

import re

import yaml
from sqlalchemy import func, select

from services.staff.models import Duty, Position, db
from services.staff.service import loading

NUMBERING = re.compile(r"^\s*(\d+[、.．)]|[(（]\d+[)）]|[一二三四五六七八九十]+、)")
BOILERPLATE = re.compile(r"http|www\.|点击|下载|上一篇|下一篇|版权|联系我们|免责|相关文章")


def _fixture() -> list[dict]:
    return yaml.safe_load(loading.CATALOGUE.read_text(encoding="utf-8"))["positions"]


def test_the_catalogue_loads_every_position_and_duty_of_the_fixture(app):
    entries = _fixture()
    with app.app_context():
        added = loading.load_catalogue(session=db.session)
        positions = db.session.scalar(select(func.count()).select_from(Position))
        duties = db.session.scalar(select(func.count()).select_from(Duty))
    assert added == len(entries) == positions
    assert positions >= 20
    assert duties == sum(len(e["duties"]) for e in entries) > 100


def test_loading_the_catalogue_again_adds_nothing_and_keeps_edits(app, client, admin):
    with app.app_context():
        loading.load_catalogue(session=db.session)
    client.patch("/staff/positions/CASH_TELLER", headers=admin, json={"name_en": "Teller"})
    with app.app_context():
        assert loading.load_catalogue(session=db.session) == 0
    assert client.get("/staff/positions/CASH_TELLER", headers=admin).get_json()["name_en"] == \
        "Teller"


def test_every_duty_cites_a_source_unless_its_position_is_marked_as_not_from_the_seeds(
        app, client, admin):
    with app.app_context():
        loading.load_catalogue(session=db.session)
    body = client.get("/staff/positions?per_page=200", headers=admin).get_json()
    assert body["total"] >= 20
    unsourced = [p["code"] for p in body["items"] if p["source"] is None]
    assert len(unsourced) < body["total"] / 2
    for position in body["items"]:
        for duty in position["duties"]:
            assert duty["source"] is not None or position["source"] is None, position["code"]
            assert duty["text_zh"].strip() and duty["category"]


def test_no_duty_or_name_carries_web_boilerplate(app, client, admin):
    with app.app_context():
        loading.load_catalogue(session=db.session)
    body = client.get("/staff/positions?per_page=200", headers=admin).get_json()
    for position in body["items"]:
        texts = [position["name_zh"], position["name_en"]]
        texts += [d["text_zh"] for d in position["duties"]]
        texts += [d["text_en"] or "" for d in position["duties"]]
        for text in texts:
            assert not BOILERPLATE.search(text), (position["code"], text)
            assert not NUMBERING.match(text), (position["code"], text)


def test_the_catalogue_names_the_seeded_bank_posts(app, client, admin):
    with app.app_context():
        loading.load_catalogue(session=db.session)
    names = {p["name_zh"] for p in client.get("/staff/positions?per_page=200",
                                              headers=admin).get_json()["items"]}
    assert {"支行行长", "营业室主任", "大堂经理", "信贷员"} <= names
    head = client.get("/staff/positions/SUB_BRANCH_HEAD", headers=admin).get_json()
    assert head["grade"] == "head" and head["source"] == "银行支行客户经理职责"  # its title
    assert any("5天" in d["text_zh"] for d in head["duties"])
