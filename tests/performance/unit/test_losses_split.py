"""The loss split (责任追究) as a pure rule: who is direct, who indirect, and shares exact to
the fen that always sum to the loss."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.performance.domain.losses import (
    DIRECT,
    INDIRECT,
    LossRuleError,
    SharePolicy,
    parties,
    split,
)


def _by_person(shares):
    return {s.employee_no: (s.role, s.amount) for s in shares}


def test_one_direct_and_one_indirect_party_bear_eighty_and_twenty_percent():
    shares = split(Decimal("10000.00"), parties(["E1"], ["E2"]))
    assert _by_person(shares) == {"E1": (DIRECT, Decimal("8000.00")),
                                  "E2": (INDIRECT, Decimal("2000.00"))}


def test_indirect_parties_share_the_twenty_percent_equally():
    shares = split(Decimal("9000.00"), parties(["E1"], ["E2", "E3", "E4"]))
    assert [s.amount for s in shares] == [Decimal("7200.00"), Decimal("600.00"),
                                         Decimal("600.00"), Decimal("600.00")]


def test_with_no_indirect_party_the_direct_parties_bear_the_whole_loss():
    shares = split(Decimal("100.01"), parties(["E2", "E1"], []))
    assert _by_person(shares) == {"E1": (DIRECT, Decimal("50.01")),
                                  "E2": (DIRECT, Decimal("50.00"))}


def test_a_superior_who_ordered_it_is_the_direct_party_and_the_doer_becomes_indirect():
    who = parties(["DOER"], ["SIGNER"], ordered_by="BOSS")
    assert who.direct == ("BOSS",) and who.indirect == ("DOER", "SIGNER")
    assert _by_person(split(Decimal("1000.00"), who)) == {
        "BOSS": (DIRECT, Decimal("800.00")), "DOER": (INDIRECT, Decimal("100.00")),
        "SIGNER": (INDIRECT, Decimal("100.00"))}


def test_the_odd_fen_goes_to_the_largest_remainder_and_ties_to_the_lower_employee_number():
    # 0.10 over three indirect parties at 20%: 0.02 = 2 fen for 3 people, quotas 2/3 fen each.
    shares = split(Decimal("0.10"), parties(["D"], ["I3", "I1", "I2"]))
    assert _by_person(shares) == {"D": (DIRECT, Decimal("0.08")),
                                  "I1": (INDIRECT, Decimal("0.01")),
                                  "I2": (INDIRECT, Decimal("0.01")),
                                  "I3": (INDIRECT, Decimal("0.00"))}


def test_the_exact_quota_is_kept_beside_the_rounded_share():
    shares = split(Decimal("1.00"), parties(["A", "B", "C"], []))
    assert [s.exact for s in shares] == [Fraction(1, 3)] * 3
    assert [s.amount for s in shares] == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]


def test_the_percentages_are_policy_data():
    shares = split(Decimal("100.00"), parties(["D"], ["I"]), SharePolicy(Decimal("0.7"),
                                                                        Decimal("0.3")))
    assert [s.amount for s in shares] == [Decimal("70.00"), Decimal("30.00")]
    with pytest.raises(ValueError):
        SharePolicy(Decimal("0.8"), Decimal("0.3"))


@pytest.mark.parametrize(("direct", "indirect", "ordered_by", "field"), [
    ([], ["E2"], None, "direct"),
    (["E1", "E1"], [], None, "direct"),
    (["E1"], ["E2", "E2"], None, "indirect"),
    (["E1"], ["E1"], None, "indirect"),
    (["E1"], [], "E1", "ordered_by"),
    (["E1"], ["E2"], "E2", "ordered_by"),
])
def test_parties_that_cannot_be_split_are_refused_naming_the_field(direct, indirect, ordered_by,
                                                                   field):
    with pytest.raises(LossRuleError) as refused:
        parties(direct, indirect, ordered_by)
    assert refused.value.field == field


@pytest.mark.parametrize("amount", ["0.00", "-1.00", "1.001"])
def test_a_loss_that_is_not_a_positive_amount_of_fen_is_refused(amount):
    with pytest.raises(LossRuleError):
        split(Decimal(amount), parties(["E1"], []))


_names = st.text(alphabet="0123456789", min_size=1, max_size=4).map(lambda s: "E" + s)


@given(fen=st.integers(min_value=1, max_value=999_999_999_999),
       people=st.lists(_names, min_size=1, max_size=10, unique=True),
       direct_count=st.integers(min_value=1, max_value=5))
def test_shares_sum_exactly_to_any_loss_and_stay_within_a_fen_of_the_exact_quota(
        fen, people, direct_count):
    direct = people[:direct_count]
    indirect = people[direct_count:direct_count + 5]
    amount = Decimal(fen) / 100
    shares = split(amount, parties(direct, indirect))
    assert sum(s.amount for s in shares) == amount
    assert all(isinstance(s.amount, Decimal) and s.amount == s.amount.quantize(Decimal("0.01"))
               for s in shares)
    assert all(abs(Fraction(s.amount) - s.exact) < Fraction(1, 100) for s in shares)
    assert {s.employee_no for s in shares} == set(direct) | set(indirect)
    # Equal quotas never differ by more than one fen.
    for role in (DIRECT, INDIRECT):
        amounts = [s.amount for s in shares if s.role == role]
        assert not amounts or max(amounts) - min(amounts) <= Decimal("0.01")
