"""Customer-visit compliance (定期访客制度) as pure rules: tiers from data, which amount decides,
what counts toward a quota, and which windows a month's run checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from services.performance.domain.visits import (
    Contact,
    PolicyError,
    assess,
    parse_period,
    tier_for,
    tiers_from_data,
)
from tests.performance.unit import ROOT

TIERS = tiers_from_data(yaml.safe_load(
    (ROOT / "data" / "reference" / "visit_tiers.yaml").read_text(encoding="utf-8"))["tiers"])
M = Decimal("1000000.00")
SINCE = dt.date(2025, 1, 1)


def _visits(n, *, kind="visit", confirmed=True, month=11):
    return [Contact(dt.date(2026, month, 1 + i), kind, confirmed) for i in range(n)]


def _assess(deposits, credit, contacts, month=11, since=SINCE):
    return assess(TIERS, deposits=Decimal(deposits), credit=Decimal(credit), since=since,
                  contacts=contacts, year=2026, month=month)


def test_the_shipped_tiers_are_the_seeds_two_one_and_one_per_half_year():
    assert [(t.min_amount, t.required, t.window) for t in TIERS] == [
        (5 * M, 2, "month"), (M, 1, "month"), (Decimal("0.00"), 1, "half_year")]
    assert [t.counts for t in TIERS] == [("visit",), ("visit",), ("visit", "phone", "sms")]


@pytest.mark.parametrize(("deposits", "credit", "tier"), [
    ("5000000.00", "0", "key"), ("0", "5000000.00", "key"), ("4999999.99", "4999999.99", "major"),
    ("1000000.00", "0", "major"), ("999999.99", "999999.99", "standard"), ("0", "0", "standard"),
])
def test_the_larger_of_deposits_and_credit_decides_the_tier_at_its_threshold(deposits, credit,
                                                                             tier):
    assert tier_for(TIERS, Decimal(deposits), Decimal(credit)).code == tier


@pytest.mark.parametrize(("done", "missing"), [(1, 1), (2, 0), (3, 0), (0, 2)])
def test_a_five_million_customer_needs_two_confirmed_visits_a_month(done, missing):
    finding = _assess("6000000.00", "0", _visits(done))
    assert (finding.required, finding.done, finding.missing) == (2, done, missing)


@pytest.mark.parametrize(("done", "missing"), [(0, 1), (1, 0), (2, 0)])
def test_a_one_million_customer_needs_one_confirmed_visit_a_month(done, missing):
    finding = _assess("0", "1000000.00", _visits(done))
    assert (finding.required, finding.done, finding.missing) == (1, done, missing)


def test_unconfirmed_visit_reports_phone_calls_and_sms_do_not_count_for_the_monthly_tiers():
    contacts = (_visits(2, confirmed=False) + _visits(1, kind="phone")
                + _visits(1, kind="sms"))
    assert _assess("5000000.00", "0", contacts).done == 0
    assert _assess("5000000.00", "0", contacts + _visits(1)).done == 1


def test_visits_outside_the_month_do_not_count():
    contacts = [*_visits(2, month=10), Contact(dt.date(2026, 12, 1), "visit", True)]
    assert _assess("5000000.00", "0", contacts).done == 0


def test_the_half_year_tier_is_checked_only_in_june_and_december_over_six_months():
    assert _assess("10.00", "0", [], month=11) is None
    finding = _assess("10.00", "0", [], month=12)
    assert (finding.window.start, finding.window.end, finding.window.label) == (
        dt.date(2026, 7, 1), dt.date(2026, 12, 31), "2026-H2")
    assert finding.missing == 1


@pytest.mark.parametrize("kind", ["phone", "sms"])
def test_a_phone_call_or_sms_in_the_half_year_meets_the_lowest_tier(kind):
    finding = _assess("10.00", "0", [Contact(dt.date(2026, 7, 1), kind, False)], month=12)
    assert (finding.done, finding.missing) == (1, 0)


def test_an_unconfirmed_visit_does_not_meet_even_the_lowest_tier():
    finding = _assess("10.00", "0", [Contact(dt.date(2026, 8, 3), "visit", False)], month=12)
    assert finding.missing == 1


def test_a_customer_taken_on_after_the_window_began_is_not_checked_for_it():
    assert _assess("6000000.00", "0", [], since=dt.date(2026, 11, 2)) is None
    assert _assess("6000000.00", "0", [], since=dt.date(2026, 11, 1)).missing == 2


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "26-01", "2026-H1", "", "0000-01"])
def test_a_period_is_a_month(period):
    with pytest.raises(ValueError):
        parse_period(period)


@pytest.mark.parametrize(("change", "message"), [
    (lambda rows: rows[:0], "at least one"),
    (lambda rows: [rows[0], dict(rows[1], code=rows[0]["code"]), rows[2]], "unique"),
    (lambda rows: rows[:2], "start at 0"),
    (lambda rows: [dict(rows[0], window="week"), *rows[1:]], "window"),
    (lambda rows: [dict(rows[0], required=0), *rows[1:]], "at least 1"),
    (lambda rows: [dict(rows[0], counts=["fax"]), *rows[1:]], "counts"),
    (lambda rows: [dict(rows[0], min_amount=5e6), *rows[1:]], "float"),
    (lambda rows: [dict(rows[0], min_amount=rows[1]["min_amount"]), *rows[1:]], "threshold"),
])
def test_tier_policies_that_would_be_ambiguous_are_refused(change, message):
    rows = [t.as_data() for t in TIERS]
    with pytest.raises(PolicyError, match=message):
        tiers_from_data(change(rows))


def test_a_month_ends_on_its_last_day_even_in_december_of_the_last_year():
    from services.performance.domain.visits import month_end

    assert month_end(2024, 2) == dt.date(2024, 2, 29)
    assert month_end(9999, 12) == dt.date(9999, 12, 31)


def test_two_visits_reported_on_the_same_day_count_once():
    same_day = [Contact(dt.date(2026, 11, 3), "visit", True)] * 2
    assert _assess("5000000.00", "0", same_day).done == 1
    assert _assess("5000000.00", "0", [*same_day, *_visits(1)]).done == 2
