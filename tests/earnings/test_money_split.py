"""The split of a charge, property-tested: the parts always add up to what the buyer paid, to the unit."""
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from babel.numbers import format_currency

from storefront.formatting import money_formatter
from storefront.money import fee_in_mxn, share_of_units, split_order, to_major

amounts = st.integers(min_value=0, max_value=5_000_000)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(amounts, min_size=1, max_size=6), shipping=amounts, fee=st.integers(0, 400_000),
       commission_bp=st.integers(0, 9999))
def test_parts_add_up_to_the_charge_in_pesos(lines, shipping, fee, commission_bp):
    split = split_order(lines, shipping, fee, commission_bp)
    charge = sum(lines) + shipping
    parts = (sum(p.artisan_share + p.commission + p.payment_fee for p in split.lines)
             + split.shipping + split.shipping_fee)
    assert parts == charge == split.total
    assert all(p.artisan_share >= 0 for p in split.lines)
    assert sum(p.payment_fee for p in split.lines) + split.shipping_fee == fee


def test_fee_in_a_foreign_currency_uses_the_order_rate():
    assert fee_in_mxn(1234, "MXN", Decimal("0.055")) == 1234
    assert fee_in_mxn(55, "USD", Decimal("0.055")) == 1000   # 0.55 USD at 0.055 USD/MXN = 10.00 MXN


@settings(max_examples=150, deadline=None)
@given(share=st.integers(0, 10_000_000), data=st.data())
def test_refunding_every_unit_in_any_steps_gives_back_exactly_the_share(share, data):
    quantity = data.draw(st.integers(1, 8))
    steps = data.draw(st.lists(st.integers(1, quantity), min_size=1, max_size=quantity))
    reversed_total, units_done = 0, 0
    for units in steps:
        units = min(units, quantity - units_done)
        if units == 0:
            break
        reversed_total += share_of_units(share, quantity, units, reversed_total)
        units_done += units
        assert 0 <= reversed_total <= share
    if units_done == quantity:
        assert reversed_total == share


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(-10**12, 10**12), currency=st.sampled_from(["MXN", "USD", "EUR", "JPY", "GBP"]),
       locale=st.sampled_from(["es_MX", "es", "en", "fr", "de"]))
def test_fast_table_formatter_prints_exactly_what_babel_prints(amount, currency, locale):
    babel_locale = "es_MX" if locale == "es" else locale
    assert money_formatter(currency, locale, False)(amount) == format_currency(
        to_major(amount, currency), currency, locale=babel_locale)
