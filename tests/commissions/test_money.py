"""Commission terms to the unit: deposit + balance = price, advance + remaining credit = her share."""
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from storefront.money import FeePolicy, commission_terms, convert_from_mxn, price_breakdown

POLICY = FeePolicy(commission_bp=1500, card_fee_bp=440, card_fee_fixed=600, overhead_bp=1000,
                   fair_hourly_rate=6000)


@settings(max_examples=400, deadline=None)
@given(price=st.integers(min_value=1, max_value=50_000_000),
       deposit_bp=st.integers(min_value=5000, max_value=10_000),
       rate=st.decimals(min_value=Decimal("0.00010000"), max_value=Decimal("500"), places=8),
       currency=st.sampled_from(["MXN", "USD", "EUR", "GBP", "CAD", "JPY"]),
       commission_bp=st.integers(min_value=0, max_value=5000),
       card_fee_bp=st.integers(min_value=0, max_value=1000),
       card_fee_fixed=st.integers(min_value=0, max_value=2000))
def test_parts_add_up_to_the_unit_over_random_prices_shares_and_rates(price, deposit_bp, rate, currency,
                                                                      commission_bp, card_fee_bp,
                                                                      card_fee_fixed):
    policy = FeePolicy(commission_bp=commission_bp, card_fee_bp=card_fee_bp, card_fee_fixed=card_fee_fixed)
    terms = commission_terms(price, deposit_bp, rate, currency, policy)
    assert terms.deposit + terms.balance == terms.total == convert_from_mxn(price, rate, currency)
    assert terms.deposit_mxn + terms.balance_mxn == price
    assert terms.advance + terms.remaining_share == terms.artisan_share
    assert terms.artisan_share == price_breakdown(price, policy).artisan_share
    assert min(terms.deposit, terms.balance, terms.advance, terms.remaining_share) >= 0
    # The deposit is at least half, and her advance never exceeds the deposit in pesos.
    assert 2 * terms.deposit >= terms.total - 1 and terms.advance <= terms.deposit_mxn


def test_a_huipil_of_4_500_pesos_paid_in_euros_with_half_down():
    terms = commission_terms(450_000, 5000, Decimal("0.05"), "EUR", POLICY)
    assert (terms.total, terms.deposit, terms.balance) == (22_500, 11_250, 11_250)
    share = 450_000 - 67_500 - (19_800 + 600)   # commission 15 %, estimated card fee 4.4 % + 6 MXN
    assert terms.artisan_share == share == 362_100
    assert (terms.advance, terms.remaining_share) == (181_050, 181_050)


def test_odd_amounts_put_the_extra_unit_in_the_balance():
    terms = commission_terms(100_001, 6000, Decimal("0.0567"), "JPY", POLICY)
    assert terms.total == convert_from_mxn(100_001, Decimal("0.0567"), "JPY") == 57
    assert (terms.deposit, terms.balance) == (34, 23)


@pytest.mark.parametrize("price, deposit_bp", [(0, 5000), (-1, 5000), (1000, 4999), (1000, 10_001)])
def test_refuses_no_price_and_a_deposit_under_half(price, deposit_bp):
    with pytest.raises(ValueError):
        commission_terms(price, deposit_bp, Decimal(1), "MXN", POLICY)
