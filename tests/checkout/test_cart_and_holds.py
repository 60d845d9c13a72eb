"""The cart, the holds that keep a garment for the buyer who is paying, and their release."""
from datetime import timedelta

from sqlalchemy import select

from storefront.orders import holds
from storefront.extensions import db
from storefront.money import convert_from_mxn
from storefront.models import HoldStatus, Order, Product, StockHold, now_utc
from storefront.pricing import price_in
from tests.payments.conftest import CSRF


def csrf_token(client, path):
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def _add(client, product_id, quantity=1):
    token = csrf_token(client, "/cart")
    return client.post("/cart/add", data={"product_id": product_id, "quantity": quantity,
                                          "csrf_token": token})


def test_cart_add_change_remove_within_stock(client, shop_data):
    assert _add(client, shop_data.blusa.id, 2).status_code == 303
    page = client.get("/cart?currency=USD").get_data(as_text=True)
    unit = convert_from_mxn(shop_data.blusa.price_amount, shop_data.usd.rate, "USD")
    assert "Blusa" in page and f"${unit * 2 / 100:.2f}" in page
    token = csrf_token(client, "/cart")
    client.post("/cart/update", data={"product_id": shop_data.blusa.id, "quantity": 9, "csrf_token": token})
    page = client.get("/cart").get_data(as_text=True)
    assert 'value="3"' in page  # capped at the 3 in stock
    client.post("/cart/remove", data={"product_id": shop_data.blusa.id, "csrf_token": token})
    assert "Your cart is empty." in client.get("/cart").get_data(as_text=True)


def test_cart_survives_language_and_currency_change(client, shop_data):
    _add(client, shop_data.huipil.id)
    euros = client.get("/cart?lang=fr&currency=EUR").get_data(as_text=True)
    assert "Huipil de rombos" in euros and "€" in euros
    dollars = client.get("/cart?lang=en&currency=USD").get_data(as_text=True)
    assert "Huipil de rombos" in dollars and "$" in dollars


def test_cart_refuses_nonsense_without_500(client, shop_data):
    token = csrf_token(client, "/cart")
    for data in ({"product_id": "abc"}, {"product_id": "999999"}, {"product_id": "-1"},
                 {"product_id": shop_data.blusa.id, "quantity": "-3"},
                 {"product_id": shop_data.blusa.id, "quantity": "1e9"}):
        response = client.post("/cart/add", data={**data, "csrf_token": token})
        assert response.status_code in (303, 400, 404)
    assert client.post("/cart/add", data={"product_id": shop_data.blusa.id},
                       headers={"Origin": "https://evil.example"}).status_code == 400  # another site
    assert "Your cart is empty." in client.get("/cart").get_data(as_text=True)


def test_draft_garment_cannot_be_added(client, make, app):
    with app.app_context():
        draft_id = make.product(status="draft").id
    assert _add(client, draft_id).status_code == 404


def test_shipping_quote_by_destination(client, shop_data):
    _add(client, shop_data.huipil.id)
    assert "Pay by card" not in client.get("/cart?country=ZZ").get_data(as_text=True)
    page = client.get("/cart?country=FR&currency=MXN").get_data(as_text=True)
    assert "MX$600.00" in page  # Europe, up to 1 kg
    page = client.get("/cart?country=MX&currency=MXN").get_data(as_text=True)
    assert "MX$150.00" in page and "Pay by card" in page


def test_checkout_ignores_tampered_price_and_currency(live, shop_data):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id, currency="USD")
    started = live.checkout(browser, "US", unit_amount="1", price="1", amount="1", currency="JPY",
                            total_amount="1")
    session = live.emulator.api("GET",
                                "/v1/checkout/sessions/" + started.headers["Location"].rsplit("/", 1)[1])
    expected = price_in(shop_data.huipil.price_amount, "USD").amount
    assert session["currency"] == "usd" and session["amount_subtotal"] == expected
    db.session.rollback()
    order = db.session.execute(select(Order)).scalar_one()
    assert (order.currency, order.subtotal_amount) == ("USD", expected)
    assert order.total_amount == session["amount_total"]


def test_held_garment_shows_reserved_and_cannot_be_added(live, shop_data):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    assert live.checkout(browser).status_code == 303
    other = live.browser()
    page = other.get(f"{live.base_url}/products/{shop_data.huipil.slug}", timeout=30).text
    assert "Reserved" in page and "Add to cart" not in page
    assert "just sold" in live.add(other, shop_data.huipil.id).text
    db.session.rollback()
    hold = db.session.execute(select(StockHold)).scalar_one()
    assert hold.expires_at - hold.created_at >= timedelta(minutes=30)


def test_cancel_releases_the_hold_and_keeps_the_cart(live, shop_data, fresh):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    url = live.checkout(browser).headers["Location"]
    db.session.rollback()
    order = db.session.execute(select(Order)).scalar_one()
    back = browser.get(f"{live.base_url}/checkout/cancel?order={order.public_token}", timeout=30)
    assert "Payment cancelled" in back.text and "Huipil de rombos" in back.text
    assert fresh(Product, shop_data.huipil.id).stock == 1
    assert fresh(Order, order.id).status == "expired"
    session = live.emulator.api("GET", "/v1/checkout/sessions/" + url.rsplit("/", 1)[1])
    assert session["status"] == "expired"


def test_expired_session_webhook_releases_the_hold(live, shop_data, fresh):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    url = live.checkout(browser).headers["Location"]
    live.emulator.api("POST", f"/v1/checkout/sessions/{url.rsplit('/', 1)[1]}/expire")
    assert fresh(Product, shop_data.huipil.id).stock == 1
    hold = db.session.execute(select(StockHold)).scalar_one()
    assert hold.status == HoldStatus.RELEASED.value


def test_sweep_releases_holds_whose_webhook_never_came(live, shop_data, runner, fresh):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    live.emulator.control("webhooks", deliver="0")
    live.checkout(browser)
    db.session.rollback()
    hold = db.session.execute(select(StockHold)).scalar_one()
    hold.expires_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["holds", "sweep"])
    assert result.exit_code == 0 and "released: 1" in result.output
    assert fresh(Product, shop_data.huipil.id).stock == 1
    assert runner.invoke(args=["holds", "sweep"]).output.strip().startswith("released: 0")


def test_sweep_fulfils_instead_when_stripe_was_paid(live, shop_data, runner, fresh):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    live.emulator.control("webhooks", deliver="0")
    url = live.checkout(browser).headers["Location"]
    live.pay(browser, url)
    db.session.rollback()
    db.session.execute(StockHold.__table__.update().values(expires_at=now_utc() - timedelta(minutes=1)))
    db.session.commit()
    assert "paid: 1" in runner.invoke(args=["holds", "sweep"]).output
    product = fresh(Product, shop_data.huipil.id)
    assert (product.stock, product.status) == (0, "sold_out")


def test_stock_never_goes_below_zero(ctx, shop_data):
    holds.take_stock(shop_data.huipil.id, 1)
    try:
        holds.take_stock(shop_data.huipil.id, 1)
    except holds.SoldOut:
        pass
    else:
        raise AssertionError("a second hold on the last garment must be refused")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Product, shop_data.huipil.id).stock == 0


def test_requests_that_change_nothing_send_no_cookie(client, shop_data):
    """Only a request that changes her session sends it back: otherwise a photo or a page answered
    after she adds to the cart would put back a cookie without that garment (browsers keep the last)."""
    client.get("/products/?currency=EUR")
    assert _add(client, shop_data.huipil.id).status_code == 303
    assert "Added to your cart." in client.get("/cart").get_data(as_text=True)
    product_page = f"/products/{shop_data.blusa.slug}"
    for path in (product_page, "/products/", "/static/css/site.css", "/artisans/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
    assert "Huipil de rombos" in client.get("/cart").get_data(as_text=True)
