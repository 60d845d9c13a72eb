"""Cooperative: reviews the earnings, records a payout to an artisan, downloads the CSV, refunds an order."""
import csv
import io

import pytest
from sqlalchemy import func, select

from storefront.earnings import ledger
from storefront.extensions import db
from storefront.models import Artisan, Payout
from tests.browser.journeys import ADMIN_LOGIN, log_in


def _artisan_owed_most():
    rows = [(ledger.balance(a.id), a.id, a.display_name) for a in db.session.scalars(select(Artisan))]
    return max(rows)


def test_cooperative_reviews_earnings_records_a_payout_and_downloads_the_csv(visit, live_server, tmp_path):
    v = visit("admin", locale="es-MX", accept_downloads=True)
    log_in(v, *ADMIN_LOGIN)
    v.goto("/coop/earnings")
    v.check("earnings")
    assert v.page.locator("table.earnings tbody tr").count() >= 13

    owed, artisan_id, name = live_server.query(_artisan_owed_most)
    assert owed > 10_000, "the demo sales leave artisans owed money"
    payouts_before = live_server.query(lambda: db.session.scalar(select(func.count()).select_from(Payout)))

    with v.page.expect_navigation():
        v.page.locator(f"a[href$='/coop/artisans/{artisan_id}/payouts/new']").click()
    v.check("payout form")
    v.page.fill("#amount", "100.00")
    v.page.select_option("#method", "cash")
    v.page.fill("#reference", "recibo 12")
    with v.page.expect_navigation():
        v.page.locator("form button.big").click()
    assert "/receipt" in v.page.url, v.page.url
    assert name in v.page.locator("main").inner_text()
    v.check("payout receipt")

    assert live_server.query(lambda: ledger.balance(artisan_id)) == owed - 10_000
    assert live_server.query(lambda: db.session.scalar(select(func.count()).select_from(Payout))) \
        == payouts_before + 1

    v.goto("/coop/earnings")
    with v.page.expect_download() as download:
        v.page.locator("a[href*='/coop/earnings.csv']").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("earnings-") and saved.suffix == ".csv"
    table = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    names = {row[0] for row in table[1:]}
    assert len(table) >= 14 and name in names


def _buy_one_garment(live_server):
    """A buyer pays for an available garment over HTTP (the buyer journey does it in the browser)."""
    import re

    import requests
    from storefront.models import Order, Product
    product_id = live_server.query(lambda: db.session.scalar(
        select(Product.id).where(Product.status == "published", Product.stock == 1).order_by(Product.id)))
    buyer = requests.Session()
    cart = buyer.get(live_server("/cart?currency=USD&country=US"), timeout=30).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', cart).group(1)
    buyer.post(live_server("/cart/add"), data={"product_id": product_id, "csrf_token": token}, timeout=30)
    started = buyer.post(live_server("/checkout"), data={"country": "US", "csrf_token": token},
                         allow_redirects=False, timeout=30)
    paid = buyer.post(started.headers["Location"], allow_redirects=False, timeout=30, data={
        "email": "ada@example.com", "name": "Ada", "line1": "1 Main St", "city": "Austin",
        "postal_code": "78701", "country": "US", "card_number": "4242 4242 4242 4242"})
    assert paid.status_code == 303, paid.text[:300]
    session_id = started.headers["Location"].rsplit("/", 1)[1]
    order_id = live_server.query(lambda: db.session.scalar(
        select(Order.id).where(Order.stripe_checkout_session_id == session_id, Order.status == "paid")))
    assert order_id, "the emulator's webhook paid the order"
    return order_id, product_id


def _refund_state(order_id, product_id):
    from storefront.models import LedgerEntry, Order, OrderLine, Product
    order = db.session.get(Order, order_id)
    line_ids = select(OrderLine.id).where(OrderLine.order_id == order_id)
    balance = db.session.scalar(select(func.sum(LedgerEntry.amount))
                                .where(LedgerEntry.order_line_id.in_(line_ids)))
    stock = db.session.get(Product, product_id).stock
    return order.status, 0 < order.amount_refunded < order.total_amount, balance, stock


def test_cooperative_refunds_an_order(visit, live_server):
    order_id, product_id = _buy_one_garment(live_server)
    v = visit("admin-refund", locale="es-MX")
    log_in(v, *ADMIN_LOGIN)
    v.goto("/coop/orders?status=paid")
    v.check("paid orders")
    with v.page.expect_navigation():
        v.page.locator(f"a[href='/coop/orders/{order_id}']").click()
    v.check("order to refund")
    line_form = v.page.locator("form[action$='/refund']:has(input[name=line_id])")
    line_form.locator("input[name=restock]").check()
    with v.page.expect_navigation():
        line_form.locator("button[type=submit]").click()
    assert v.page.locator(".flash-success").count() == 1, v.page.locator("main").inner_text()
    v.check("refunded")
    # Stripe (the emulator) confirmed with charge.refunded: her share is reversed, the garment is for sale
    # again; refunding the garment keeps the shipping paid.
    assert live_server.query(lambda: _refund_state(order_id, product_id)) == ("refunded", True, 0, 1)
