"""`GET /performance/rules`: the rulebook of docs/domain.md §4, readable by anyone signed in."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.performance import service
from services.performance.models import AuditEvent, Rule, db
from tests.conftest import bearer

ETHICS_POINTS = {1: 10, 2: 10, 3: 5, 4: 10, 5: None, 6: None, 7: 5, 8: 20, 9: 10}


def all_rules(client, tokens) -> dict[str, dict]:
    resp = client.get("/performance/rules?per_page=200", headers=bearer(tokens.user(emp="E1")))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {r["code"]: r for r in resp.get_json()["items"]}


def test_any_signed_in_user_reads_the_rulebook_in_the_list_envelope(client, tokens):
    resp = client.get("/performance/rules", headers=bearer(tokens.user(emp="E1", roles=[])))
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["page"] == 1 and body["per_page"] == 50
    assert body["total"] == len(body["items"]) == 23
    fields = {"code", "category", "title_zh", "title_en", "points", "deduction_min",
              "deduction_max", "consequence", "severities", "source"}
    for rule in body["items"]:
        assert fields <= rule.keys()
        assert rule["title_zh"] and rule["title_en"] and rule["source"]


def test_the_ethics_rules_carry_their_points_severities_and_consequences(client, tokens):
    rules = all_rules(client, tokens)
    ethics = [rules[f"CM-ETH-{n:02d}"] for n in range(1, 10)]
    assert all(r["category"] == "ethics" for r in ethics)
    for n, rule in enumerate(ethics, start=1):
        assert rule["points"] == ETHICS_POINTS[n], n
        assert rule["deduction_min"] is None and rule["deduction_max"] is None
    assert ethics[0]["title_zh"] == "违规操作"
    # (1)-(2): aggravated and egregious, egregious disqualifies; (3)-(4): aggravated only.
    for rule in ethics[:2]:
        assert rule["severities"] == ["aggravated", "egregious"]
        assert rule["severity_consequences"] == {"egregious": "disqualification"}
        assert rule["consequence"] is None
    for rule in ethics[2:4]:
        assert rule["severities"] == ["aggravated"]
    for rule in ethics[4:]:
        assert rule["severities"] == []
    assert ethics[4]["consequence"] == ethics[5]["consequence"] == "disqualification"


def test_basic_management_and_credit_operations_rules(client, tokens):
    rules = all_rules(client, tokens)
    basic = [r for r in rules.values() if r["category"] == "basic_management"]
    assert [r["points"] for r in basic] == [1, 1, 2, 2]
    credit = [r for r in rules.values() if r["category"] == "credit_operations"]
    assert [r["points"] for r in credit] == [2, 5, 10, 5, 10, None]
    assert credit[-1]["consequence"] == "disqualification"
    assert all(r["severities"] == ["aggravated"] for r in credit if r["points"] in (2, 10))


def test_first_inquiry_cases_deduct_500_to_2000_yuan_as_json_numbers(client, tokens):
    resp = client.get("/performance/rules?category=first_inquiry",
                      headers=bearer(tokens.user(emp="E1")))
    body = resp.get_json()
    assert body["total"] == 4
    for rule in body["items"]:
        assert rule["points"] is None
        assert rule["deduction_min"] == 500 and rule["deduction_max"] == 2000
        assert isinstance(rule["deduction_min"], int | float)
        assert rule["consequence"] == "no_excellence"
    raw = json.loads(resp.get_data(as_text=True), parse_float=Decimal)
    assert raw["items"][0]["deduction_max"] == Decimal("2000")
    assert '"deduction_min": "' not in resp.get_data(as_text=True)


def test_money_is_kept_exact_as_decimal_in_the_store(app):
    with app.app_context():
        rule = db.session.scalar(select(Rule).where(Rule.code == "FIR-01"))
        assert isinstance(rule.deduction_min, Decimal)
        assert rule.deduction_min == Decimal("500.00")
        assert rule.deduction_max == Decimal("2000.00")


def test_pages_follow_the_list_contract(client, tokens):
    token = tokens.user(emp="E1")
    first = client.get("/performance/rules?per_page=10", headers=bearer(token)).get_json()
    third = client.get("/performance/rules?per_page=10&page=3", headers=bearer(token)).get_json()
    assert len(first["items"]) == 10 and len(third["items"]) == 3
    assert third["total"] == 23 and third["page"] == 3 and third["per_page"] == 10
    beyond = client.get("/performance/rules?page=9", headers=bearer(token)).get_json()
    assert beyond["items"] == [] and beyond["total"] == 23
    last = client.get("/performance/rules?page=2147483647&per_page=200", headers=bearer(token))
    assert last.status_code == 200 and last.get_json()["items"] == []


@pytest.mark.parametrize("bad", ["per_page=0", "per_page=201", "page=0", "page=x",
                                 "page=2147483648", "page=52202567853728782295760896"])
def test_paging_outside_its_range_is_a_422_naming_the_field(client, tokens, bad):
    resp = client.get(f"/performance/rules?{bad}", headers=bearer(tokens.user(emp="E1")))
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    assert set(resp.get_json()["errors"]) == {bad.split("=")[0]}


def test_an_unknown_category_is_an_empty_page(client, tokens):
    resp = client.get("/performance/rules?category=nope", headers=bearer(tokens.user()))
    assert resp.status_code == 200
    assert resp.get_json()["items"] == [] and resp.get_json()["total"] == 0


def test_the_rulebook_needs_a_valid_token(client, tokens, other_key):
    resp = client.get("/performance/rules")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert resp.mimetype == "application/problem+json"
    from shared.testing import TokenFactory
    from tests.conftest import ISSUER

    forged = TokenFactory(key=other_key, issuer=ISSUER).user(roles=[("admin", "*", "*")])
    assert client.get("/performance/rules", headers=bearer(forged)).status_code == 401


def test_loading_is_for_an_empty_store_only_and_is_audited(app):
    with app.app_context():
        assert service.load_reference_data(session=db.session) == 0
        assert db.session.query(Rule).count() == 23
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "rulebook.load")).all()
        assert {e.target_id for e in events} == {"customer_manager", "first_inquiry"}
        assert all(e.actor_kind == "system" for e in events)


def test_money_in_the_rulebook_file_must_be_a_decimal_string(tmp_path):
    path = tmp_path / "rulebooks.yaml"
    path.write_text("rulebooks:\n- code: b\n  version: 1\n  rules:\n"
                    "  - {code: X, category: c, title_zh: t, title_en: t, source: s,\n"
                    "     deduction_min: 0.1, deduction_max: '2'}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="decimal string"):
        service.read_rulebooks(path)
