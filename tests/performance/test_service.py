"""The service skeleton: health, OpenAPI, docs, first start on an empty store."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
import pytest
from sqlalchemy import func, select

from services.performance.app import prepare
from services.performance.models import Rule
from services.performance.schemas import Money
from shared.db import session_for
from shared.settings import TestSettings


def test_health_is_public_and_checks_the_database(client):
    resp = client.get("/performance/health")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_openapi_documents_the_rulebook_with_money_as_numbers(client):
    spec = client.get("/performance/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/performance/rules" in spec["paths"]
    rule = spec["components"]["schemas"]["RuleRead"]
    assert rule["properties"]["deduction_min"]["type"] == "number"
    assert client.get("/performance/docs").status_code == 200


def test_prepare_migrates_and_loads_the_rulebook_once(tmp_path, pg_server, store):
    if store == "postgres":
        url = pg_server.create_database("perf_prepare")
    else:
        url = f"sqlite:///{tmp_path / 'performance.db'}"
    settings = TestSettings("performance", {"HR_DATA_DIR": str(tmp_path)}, database_url=url)
    try:
        prepare(settings)
        prepare(settings)  # a restart: nothing loaded twice
        with session_for(url) as session:
            assert session.scalar(select(func.count()).select_from(Rule)) == 23
    finally:
        if store == "postgres":
            pg_server.drop_database("perf_prepare")


@pytest.mark.parametrize(("given", "expected"), [
    ("12.34", Decimal("12.34")), (1.5, Decimal("1.50")), (2000, Decimal("2000.00"))])
def test_money_reads_exact_yuan(given, expected):
    assert Money().deserialize(given) == expected


@pytest.mark.parametrize("given", [1.005, "0.001", "NaN", "Infinity", True, "abc", [1]])
def test_money_refuses_more_than_two_decimals_and_non_numbers(given):
    with pytest.raises(ma.ValidationError):
        Money().deserialize(given)


def test_money_serialises_as_a_number_with_at_most_two_decimals():
    field = Money()
    assert field.serialize("v", {"v": Decimal("1234.56")}) == 1234.56
    assert field.serialize("v", {"v": Decimal("0.1")}) == 0.1
    assert field.serialize("v", {"v": None}) is None
