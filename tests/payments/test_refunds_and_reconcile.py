"""Refunds through Stripe's Refund API, and reconcile repairing a paid order whose webhook was lost."""
import pyotp
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import LedgerEntry, Order, Product, Role
from tests.factories import PASSWORD, TOTP_SECRET


def _order(url):
    db.session.rollback()
    db.session.expire_all()
    return db.session.execute(select(Order).where(
        Order.stripe_checkout_session_id == url.rsplit("/", 1)[1])).scalar_one()


def _ledger(artisan_id=None):
    db.session.rollback()
    query = select(LedgerEntry.kind, LedgerEntry.amount).order_by(LedgerEntry.id)
    if artisan_id:
        query = query.where(LedgerEntry.artisan_id == artisan_id)
    return db.session.execute(query).all()


def _two_garment_order(live, data):
    browser = live.browser()
    live.add(browser, data.huipil.id)
    live.add(browser, data.rebozo.id)
    url = live.checkout(browser).headers["Location"]
    assert live.pay(browser, url).status_code == 303
    return _order(url)


def _admin(live, make):
    make.user(username="admin1", role=Role.ADMIN.value)
    browser = live.browser()
    browser.get(f"{live.base_url}/?lang=en", timeout=30)  # staff pages default to Spanish
    token = live.csrf(browser, "/login")
    browser.post(f"{live.base_url}/login", data={"login": "admin1", "password": PASSWORD,
                                                 "csrf_token": token}, timeout=30)
    # Admins confirm logins with the code of their authenticator app (tests.factories.TOTP_SECRET).
    token = live.csrf(browser, "/login/code")
    browser.post(f"{live.base_url}/login/code", data={"code": pyotp.TOTP(TOTP_SECRET).now(),
                                                      "csrf_token": token}, timeout=30)
    return browser


def test_admin_refunds_one_line_with_restock(live, shop_data, make, fresh):
    order = _two_garment_order(live, shop_data)
    huipil_line = next(line for line in order.lines if line.product_id == shop_data.huipil.id)
    admin = _admin(live, make)
    token = live.csrf(admin, f"/coop/orders/{order.id}")
    response = admin.post(f"{live.base_url}/coop/orders/{order.id}/refund", timeout=30,
                          data={"csrf_token": token, "line_id": huipil_line.id, "quantity": 1,
                                "restock": "1"})
    assert response.status_code == 200 and "Refund sent to Stripe" in response.text
    order = _order_for_id(order.id)
    assert order.status == "paid" and order.amount_refunded == huipil_line.line_amount
    maria = _ledger(shop_data.maria.id)
    assert [k for k, _ in maria] == ["sale", "refund"] and sum(a for _, a in maria) == 0
    assert [k for k, _ in _ledger(shop_data.rosa.id)] == ["sale"]
    product = fresh(Product, shop_data.huipil.id)
    assert (product.stock, product.status) == (1, "published")
    assert fresh(Product, shop_data.rebozo.id).stock == 0


def _order_for_id(order_id):
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Order, order_id)


def test_admin_refunds_whole_order_without_restock(live, shop_data, make, fresh):
    order = _two_garment_order(live, shop_data)
    admin = _admin(live, make)
    token = live.csrf(admin, f"/coop/orders/{order.id}")
    admin.post(f"{live.base_url}/coop/orders/{order.id}/refund", data={"csrf_token": token}, timeout=30)
    order = _order_for_id(order.id)
    assert order.status == "refunded" and order.amount_refunded == order.total_amount
    assert sum(a for _, a in _ledger()) == 0 and len(_ledger()) == 4
    assert fresh(Product, shop_data.huipil.id).stock == 0
    # Asking again is refused with a sentence, not a second refund.
    token = live.csrf(admin, f"/coop/orders/{order.id}")
    again = admin.post(f"{live.base_url}/coop/orders/{order.id}/refund", data={"csrf_token": token},
                       timeout=30)
    assert "not possible" in again.text or "no es posible" in again.text
    assert len(live.emulator.api("GET", "/v1/refunds")["data"]) == 1


def test_coordinator_cannot_refund(live, shop_data, make):
    order = _two_garment_order(live, shop_data)
    make.user(username="coord1", role=Role.COORDINATOR.value)
    browser = live.browser()
    browser.get(f"{live.base_url}/?lang=en", timeout=30)  # staff pages default to Spanish
    token = live.csrf(browser, "/login")
    browser.post(f"{live.base_url}/login", data={"login": "coord1", "password": PASSWORD,
                                                 "csrf_token": token}, timeout=30)
    token = live.csrf(browser, f"/coop/orders/{order.id}")
    response = browser.post(f"{live.base_url}/coop/orders/{order.id}/refund", data={"csrf_token": token},
                            timeout=30)
    assert response.status_code == 403
    assert _order_for_id(order.id).amount_refunded == 0


def test_reconcile_repairs_a_paid_order_whose_webhook_was_lost(live, shop_data, runner, app):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    url = live.checkout(browser).headers["Location"]
    live.emulator.control("webhooks", deliver="0")
    live.pay(browser, url)
    assert _order(url).status == "pending" and _ledger() == []
    result = runner.invoke(args=["stripe", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "paid: 1" in result.output
    assert _order(url).status == "paid" and len(_ledger()) == 1
    again = runner.invoke(args=["stripe", "reconcile"])
    assert "paid: 0" in again.output and len(_ledger()) == 1
