"""The fair-price calculator: one formula (storefront.money) behind the page, the form and the ledger."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storefront.money import FeePolicy, cost_of_making, price_breakdown, split_line, suggested_price
from storefront.studio.calculator import advise
from tests.conftest import csrf_token

# The cooperative's defaults (migration 0002): 15 % commission, 60 MXN/h, 10 % overhead, card 4.4 % + 6 MXN.
POLICY = FeePolicy(commission_bp=1500, card_fee_bp=440, card_fee_fixed=600,
                   overhead_bp=1000, fair_hourly_rate=6000)


def test_cost_of_making_is_materials_plus_hours_at_the_fair_rate_plus_overhead():
    cost = cost_of_making(30000, 40, POLICY)
    assert (cost.materials, cost.labour, cost.overhead, cost.total) == (30000, 240000, 27000, 297000)


def test_the_suggested_price_covers_her_cost_after_commission_and_card_fee():
    advice = advise(30000, 40, None, POLICY)
    assert advice.suggested % 1000 == 0  # rounded up to 10 pesos
    assert advice.suggested_split.artisan_share >= advice.cost.total
    # One price below would not: the suggestion is the smallest such round price.
    assert price_breakdown(advice.suggested - 1000, POLICY).artisan_share < advice.cost.total
    parts = advice.suggested_split
    assert parts.artisan_share + parts.commission + parts.payment_fee == parts.gross


def test_take_home_for_a_typed_price_is_the_same_split_as_the_ledger():
    advice = advise(30000, 40, 250000, POLICY)
    fee = POLICY.estimated_fee(250000)
    assert advice.typed == split_line(250000, fee, POLICY.commission_bp)
    assert advice.typed.artisan_share == 250000 - 37500 - (11000 + 600)
    assert not advice.typed_covers_cost  # 2,500 pesos does not pay for 40 hours at 60/h + materials


@settings(max_examples=200, deadline=None)
@given(materials=st.integers(0, 10_000_000), hours=st.integers(0, 2000),
       commission=st.integers(0, 6000), rate=st.integers(100, 1_000_000), overhead=st.integers(0, 9999))
def test_suggested_price_always_covers_the_cost(materials, hours, commission, rate, overhead):
    policy = FeePolicy(commission_bp=commission, card_fee_bp=440, card_fee_fixed=600, overhead_bp=overhead,
                       fair_hourly_rate=rate)
    price = suggested_price(materials, hours, policy)
    assert price_breakdown(price, policy).artisan_share >= cost_of_making(materials, hours, policy).total


def test_the_calculator_page_uses_the_cooperative_settings(app, client, people, login):
    login("rosa")
    html = client.get("/studio/price?materials_cost=300&hours=40&price=2500").get_data(as_text=True)
    expected = advise(30000, 40, 250000, POLICY)
    assert "60.00" in html  # the fair hourly rate, from the settings row
    assert f"{expected.suggested // 100:,}" in html
    assert "does not pay for your materials and hours" in html
    # The admin raises the rate; the page follows.
    login_admin = client.post("/logout", data={"csrf_token": csrf_token(client, "/studio/")})
    assert login_admin.status_code == 302
    login("boss")
    client.post("/coop/settings", data={"csrf_token": csrf_token(client, "/coop/settings"),
                                        "commission_percent": "15", "fair_hourly_rate": "80",
                                        "overhead_percent": "10"})
    html = client.get("/studio/price?materials_cost=300&hours=40").get_data(as_text=True)
    raised = advise(30000, 40, None, FeePolicy(1500, 440, 600, 1000, 8000))
    assert f"{raised.suggested // 100:,}" in html and raised.suggested > expected.suggested


@pytest.mark.parametrize("query,message", [
    ("hours=-3", "between 0 and 2,000"),
    ("materials_cost=abc", "Write a number"),
    ("price=0", "between 1 and 500,000"),
])
def test_the_calculator_says_what_is_wrong_next_to_the_field(client, people, login, query, message):
    login("rosa")
    html = client.get(f"/studio/price?{query}").get_data(as_text=True)
    assert re.search(r'class="error"[^>]*>[^<]*' + re.escape(message), html)
    assert "Suggested price" not in html
