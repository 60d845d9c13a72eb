"""A buyer abroad pays through the emulator's hosted page; the webhook fulfils the order once."""
from pathlib import Path

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.mail import deliver_due
from storefront.models import HoldStatus, LedgerEntry, Order, Product, StockHold
from storefront.money import convert_from_mxn, fee_in_mxn, split_order
from storefront.pricing import price_in


def _order(session_url):
    session_id = session_url.rsplit("/", 1)[1]
    db.session.rollback()
    db.session.expire_all()
    return db.session.execute(select(Order)
                              .where(Order.stripe_checkout_session_id == session_id)).scalar_one()


def test_whole_purchase_in_dollars(live, shop_data, fresh, app):
    browser, url, paid = live.buy(shop_data.huipil.id, country="US", currency="USD")
    assert paid.status_code == 303
    success = browser.get(paid.headers["Location"], timeout=30)
    assert success.status_code == 200 and "Paid. Thank you" in success.text

    order = _order(url)
    unit = price_in(shop_data.huipil.price_amount, "USD").amount
    assert unit == convert_from_mxn(120000, shop_data.usd.rate, "USD")
    shipping = convert_from_mxn(45000, shop_data.usd.rate, "USD")  # US, 500 g band
    assert (order.status, order.currency, order.total_amount) == ("paid", "USD", unit + shipping)
    assert order.exchange_rate == shop_data.usd.rate and order.exchange_rate_id == shop_data.usd.id
    assert order.stripe_settlement_currency == "MXN" and order.stripe_fee_amount > 0
    assert order.stripe_net_amount + order.stripe_fee_amount > 0
    assert order.shipping_address["city"] == "Austin" and order.buyer_name == "Ada Buyer"

    entries = db.session.execute(select(LedgerEntry)).scalars().all()
    fee = fee_in_mxn(order.stripe_fee_amount, "MXN", order.exchange_rate)
    expected = split_order([120000], 45000, fee, 1500).lines[0].artisan_share
    assert [(e.artisan_id, e.kind, e.amount) for e in entries] == [(shop_data.maria.id, "sale", expected)]
    product = fresh(Product, shop_data.huipil.id)
    assert (product.stock, product.status) == (0, "sold_out")
    hold = db.session.execute(select(StockHold)).scalar_one()
    assert hold.status == HoldStatus.CONVERTED.value

    assert not Path(app.config["MAIL_OUTBOX"]).exists()   # queued in the payment's transaction …
    assert deliver_due()["sent"] == 2                        # … and delivered by the worker
    outbox = sorted(p.name for p in Path(app.config["MAIL_OUTBOX"]).iterdir())
    assert [name.split("-")[0] for name in outbox] == ["order_confirmation", "sale_notice"]
    follow = browser.get(f"{live.base_url}/orders/{order.public_token}", timeout=30)
    assert "Paid" in follow.text and "Huipil de rombos" in follow.text


def test_declined_card_keeps_order_pending_and_charges_nothing(live, shop_data, fresh):
    browser, url, declined = live.buy(shop_data.huipil.id, card="4000 0000 0000 0002")
    assert declined.status_code == 402 and "Your card was declined." in declined.text
    order = _order(url)
    assert order.status == "pending"
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    assert fresh(Product, shop_data.huipil.id).stock == 0  # still held for her second try
    retry = live.pay(browser, url, card="4242 4242 4242 4242")
    assert retry.status_code == 303
    assert _order(url).status == "paid"


def test_yen_have_no_minor_unit_and_the_shown_price_is_charged(live, shop_data, make):
    make.rate("JPY", "8.4321")
    browser = live.browser()
    live.add(browser, shop_data.rebozo.id, currency="JPY")
    cart = browser.get(f"{live.base_url}/cart?country=JP", timeout=30).text
    expected = price_in(shop_data.rebozo.price_amount, "JPY").amount
    assert expected == convert_from_mxn(80000, price_in(100, "JPY").rate, "JPY") == 6746
    assert "¥6,746" in cart
    url = live.checkout(browser, "JP").headers["Location"]
    session = live.emulator.api("GET", "/v1/checkout/sessions/" + url.rsplit("/", 1)[1])
    assert session["currency"] == "jpy" and session["amount_subtotal"] == expected
    assert live.pay(browser, url, country="JP").status_code == 303
    order = _order(url)
    assert (order.status, order.currency, order.subtotal_amount) == ("paid", "JPY", expected)
    assert order.stripe_exchange_rate is not None and order.stripe_fee_amount > 0
