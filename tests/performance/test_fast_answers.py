"""Scorecards and roll-ups built from rows (`service.readings`, `api.plain_query`) answer
byte for byte what the ORM objects dumped by the documented schemas answer, for every caller,
period, page and malformed query alike (issue #11's speed-ups change no answer)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.performance.api import scorecards as api
from services.performance.models import Incident, Rule, db
from tests.conftest import bearer
from tests.performance import fakes

STATUSES = ("confirmed", "appealed", "upheld", "recorded", "dismissed", "overturned")
AMOUNTS = (None, Decimal("0.10"), Decimal("0.20"), Decimal("1234.56"), Decimal("99999.99"),
           Decimal("500.00"), Decimal("80.25"))
CONSEQUENCES = (None, "no_excellence", "disqualification", None, "warning")
#: (employee, unit code, unit path): SB0 and BR010 share a prefix with SB01 and BR01
#: without being below them.
SUBJECTS = (("E100", "SB01", "HQ/BR01/SB01"), ("E101", "SB01", "HQ/BR01/SB01"),
            ("E300", "SB02", "HQ/BR01/SB02"), ("E200", "BR01", "HQ/BR01"),
            ("E400", "SB0", "HQ/BR01/SB0"), ("E500", "BR010", "HQ/BR010"))
EXTRA_UNITS = {"SB0": {"code": "SB0", "type": "outlet", "path": "HQ/BR01/SB0"},
               "BR010": {"code": "BR010", "type": "branch", "path": "HQ/BR010"}}


@pytest.fixture
def history(app, monkeypatch):
    """~140 incidents over six employees, every status, money down to the fen, timestamps
    with microseconds, names in Chinese, decided and closed ones."""
    for code, unit in EXTRA_UNITS.items():
        monkeypatch.setitem(fakes.UNITS, code, unit)
    with app.app_context():
        rule = db.session.scalar(select(Rule).where(Rule.code == "FIR-01"))
        at = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
        for n in range(140):
            no, code, path = SUBJECTS[n % len(SUBJECTS)]
            k = n // len(SUBJECTS)  # the subject's k-th incident
            status = STATUSES[(k // 2) % len(STATUSES)] if k % 2 else "confirmed"
            decided = at + dt.timedelta(days=n, seconds=n) if status != "recorded" else None
            db.session.add(Incident(
                employee_no=no, employee_name=f"唐敏{n % 4}" if n % 5 else None,
                unit_code=code, unit_path=path, grade="staff", governing_code="BR01",
                governing_path="HQ/BR01", rule_id=rule.id, rule_code=rule.code,
                rule_version=1 + n % 2,
                occurred_on=dt.date(2025 + k % 2, 1 + (n + k) * 7 % 12, 1 + n * 5 % 28),
                description=f"case {n}: \"quoted\" <b>&</b> 客户", severity="normal",
                points=None if n % 7 == 0 else n % 11, points_override=n if n % 9 == 0 else None,
                override_reason="reported" if n % 9 == 0 else None,
                deduction_amount=AMOUNTS[n % len(AMOUNTS)], discretionary=n % 4 == 0,
                consequence=CONSEQUENCES[n % len(CONSEQUENCES)],
                recorder_cap=Decimal("500.00") if n % 4 == 0 else None, over_cap=n % 8 == 0,
                status=status, recorded_by=f"u-{n % 3}", recorded_by_emp="E101" if n % 2 else None,
                recorded_at=at + dt.timedelta(hours=n), decided_by="u-e200" if decided else None,
                decided_at=decided, appeal_deadline=dt.date(2026, 3, 1) if decided else None,
                closed_by="u-e201" if status in ("upheld", "overturned") else None,
                closed_at=decided + dt.timedelta(days=2) if status in ("upheld", "overturned")
                else None, policy_version=1))
        db.session.commit()


def _both(client, url: str, headers: dict[str, str], monkeypatch) -> tuple[int, bytes]:
    fast = client.get(url, headers=headers)
    monkeypatch.setattr(api, "FAST_PATH", False)
    slow = client.get(url, headers=headers)
    monkeypatch.setattr(api, "FAST_PATH", True)
    assert (fast.status_code, fast.get_data()) == (slow.status_code, slow.get_data()), url
    assert fast.headers["Content-Type"] == slow.headers["Content-Type"], url
    return fast.status_code, fast.get_data()


def _callers(perf, tokens) -> dict[str, dict[str, str]]:
    callers = {who: perf.headers(who) for who in
               ("subject", "head", "manager", "hr", "other_head", "admin", "policy")}
    callers["client"] = bearer(tokens.client("reports", ["performance:read"]))
    callers["client without"] = bearer(tokens.client("other", ["staff:read"]))
    callers["nobody"] = bearer(tokens.user(sub="u-e999", emp="E999", roles=[]))
    return callers


SCORECARD_QUERIES = ("period=2026", "period=2025", "period=2026-Q1", "period=2025-Q3",
                     "period=2026-02", "period=2025-12", "period=1999",
                     # not plain: the documented path answers (and errs) on both
                     "period=2026-13", "period=", "", "period=2026&period=2025",
                     "period=2026&x=1", "PERIOD=2026")


def test_scorecards_from_rows_are_the_schema_dump_byte_for_byte(perf, tokens, client,
                                                                 history, monkeypatch):
    statuses = set()
    with_incidents = 0
    for headers, employee in itertools.product(
            _callers(perf, tokens).values(), ("E100", "E101", "E300", "E400", "E999")):
        for query in SCORECARD_QUERIES:
            status, body = _both(client, f"/performance/scorecards/{employee}?{query}",
                                 headers, monkeypatch)
            statuses.add(status)
            with_incidents += status == 200 and b'"incidents":[]' not in body
    assert statuses == {200, 403, 404, 422} and with_incidents > 50


ROLLUP_PAGES = ("", "&page=1&per_page=1", "&per_page=3&page=2", "&per_page=200",
                "&page=40&per_page=50", "&per_page=2")
ROLLUP_ODD = ("period=2026&per_page=0", "period=2026&page=01", "period=2026&per_page=201",
              "period=2026&page=2&page=3", "period=2026&extra=1", "page=2", "period=2026-00")


def test_roll_ups_from_rows_are_the_schema_dump_byte_for_byte(perf, tokens, client, history,
                                                               monkeypatch):
    callers = _callers(perf, tokens)
    listed = set()
    for who in ("hr", "head", "policy", "other_head", "client"):
        for unit in ("HQ", "BR01", "SB01", "SB02", "SB0", "BR010", "NOPE"):
            for period in ("2026", "2025-Q2", "2025-07"):
                for page in ROLLUP_PAGES:
                    status, body = _both(
                        client, f"/performance/units/{unit}/scorecards?period={period}{page}",
                        callers[who], monkeypatch)
                    if status == 200:
                        listed.add((unit, body.count(b'"employee_no"')))
            for query in ROLLUP_ODD:
                _both(client, f"/performance/units/{unit}/scorecards?{query}", callers[who],
                      monkeypatch)
    # the prefix siblings are their own subtrees, not part of SB01's or BR01's
    assert ("SB0", 1) in listed and ("BR010", 1) in listed and ("BR01", 5) in listed
