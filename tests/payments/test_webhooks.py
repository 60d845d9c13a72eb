"""Webhooks arrive twice, late, out of order, forged or stale: the ledger is credited exactly once."""
import json
import time

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import LedgerEntry, Order, Product, WebhookEvent


def _ledger():
    db.session.rollback()
    return db.session.execute(select(LedgerEntry.kind, LedgerEntry.amount).order_by(LedgerEntry.id)).all()


def _order_for(url):
    db.session.rollback()
    db.session.expire_all()
    return db.session.execute(select(Order).where(
        Order.stripe_checkout_session_id == url.rsplit("/", 1)[1])).scalar_one()


def test_duplicate_and_replayed_events_credit_once(live, shop_data):
    _browser, url, _paid = live.buy(shop_data.huipil.id)
    completed = live.emulator.events("checkout.session.completed")[0]
    before = _ledger()
    assert len(before) == 1
    for _ in range(3):  # Stripe redelivers; an attacker replays a captured (still fresh) request
        response = live.post_event(completed)
        assert response.status_code == 200 and response.json()["outcome"] == "duplicate"
    # The same payment under a new event id (e.g. reconcile raced the webhook) changes nothing either.
    response = live.post_event({**completed, "id": completed["id"] + "x"})
    assert response.json()["outcome"] == "already_fulfilled"
    assert _ledger() == before
    assert _order_for(url).status == "paid"


def test_expired_event_after_payment_does_not_release_the_sale(live, shop_data, fresh):
    _browser, url, _paid = live.buy(shop_data.huipil.id)
    completed = live.emulator.events("checkout.session.completed")[0]
    late_expiry = {**completed, "id": "evt_late_expiry", "type": "checkout.session.expired",
                   "data": {"object": {**completed["data"]["object"], "status": "expired"}}}
    assert live.post_event(late_expiry).json()["outcome"] == "ignored"
    order = _order_for(url)
    assert order.status == "paid" and fresh(Product, shop_data.huipil.id).stock == 0
    assert len(_ledger()) == 1


def test_completed_after_expiry_takes_stock_again_or_asks_for_review(live, shop_data, fresh):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    url = live.checkout(browser).headers["Location"]
    # Webhooks lost while she pays; then the expiry arrives before the completion (out of order).
    live.emulator.control("webhooks", deliver="0")
    assert live.pay(browser, url).status_code == 303
    completed = live.emulator.events("checkout.session.completed")[0]
    expired = {**completed, "id": "evt_expired_first", "type": "checkout.session.expired",
               "data": {"object": {**completed["data"]["object"], "status": "expired",
                                   "payment_status": "unpaid"}}}
    assert live.post_event(expired).json()["outcome"] == "expired"
    assert fresh(Product, shop_data.huipil.id).stock == 1
    assert live.post_event(completed).json()["outcome"] == "paid"
    order = _order_for(url)
    assert order.status == "paid" and fresh(Product, shop_data.huipil.id).stock == 0
    assert len(_ledger()) == 1


def test_refund_arriving_before_the_completion(live, shop_data):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    url = live.checkout(browser).headers["Location"]
    live.emulator.control("webhooks", deliver="0")
    live.pay(browser, url)
    completed = live.emulator.events("checkout.session.completed")[0]
    intent = completed["data"]["object"]["payment_intent"]
    live.emulator.api("POST", "/v1/refunds", payment_intent=intent)
    refunded = live.emulator.events("charge.refunded")[0]
    assert live.post_event(refunded).status_code == 200      # overtakes the completion
    assert live.post_event(completed).json()["outcome"] == "already_fulfilled"
    order = _order_for(url)
    assert order.status == "refunded"
    kinds = _ledger()
    assert [k for k, _a in kinds] == ["sale", "refund"] and sum(a for _k, a in kinds) == 0


def test_bad_signature_is_400_and_changes_nothing(live, shop_data):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    url = live.checkout(browser).headers["Location"]
    live.emulator.control("webhooks", deliver="0")
    live.pay(browser, url)
    completed = live.emulator.events("checkout.session.completed")[0]
    payload = json.dumps(completed).encode()
    forged = [
        live.post_event(completed, secret="whsec_not_the_right_one"),
        live.post_event(completed, signature="t=1,v1=deadbeef"),
        live.post_event(completed, signature=""),
        live.post_event(completed, timestamp=int(time.time()) - 3600),   # stale: replayed an hour later
        live.post_event(completed, timestamp=int(time.time()) + 3600),   # from the future: refused alike
    ]
    assert [r.status_code for r in forged] == [400, 400, 400, 400, 400]
    tampered = {**completed, "data": {"object": {**completed["data"]["object"], "amount_total": 1}}}
    from tests.payments.conftest import sign
    import requests
    response = requests.post(f"{live.base_url}/stripe/webhook", data=json.dumps(tampered),
                             headers={"Stripe-Signature": sign(payload, live.secret)}, timeout=30)
    assert response.status_code == 400
    assert requests.post(f"{live.base_url}/stripe/webhook", data=b"not json",
                         headers={"Stripe-Signature": sign(b"not json", live.secret)},
                         timeout=30).status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    assert _ledger() == [] and _order_for(url).status == "pending"


def test_paid_amount_not_matching_the_order_goes_to_review(live, shop_data):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    url = live.checkout(browser).headers["Location"]
    live.emulator.control("webhooks", deliver="0")
    live.pay(browser, url)
    completed = live.emulator.events("checkout.session.completed")[0]
    session = completed["data"]["object"]
    for change in ({"amount_total": session["amount_total"] - 100}, {"currency": "mxn"}):
        event = {**completed, "id": completed["id"] + str(len(change)) + list(change)[0],
                 "data": {"object": {**session, **change}}}
        live.post_event(event)
        break
    order = _order_for(url)
    assert order.status == "needs_review"
    assert _ledger() == []
    # The genuine event arriving afterwards does not turn a disputed order into a credited one.
    assert live.post_event(completed).json()["outcome"] == "already_fulfilled"
    assert _ledger() == []


def test_async_payment_processing_then_succeeded(live, shop_data):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    url = live.checkout(browser).headers["Location"]
    done = live.pay(browser, url, card="4000 0000 0000 0077")
    page = browser.get(done.headers["Location"], timeout=30)
    assert "Payment processing" in page.text
    assert _order_for(url).status == "processing" and _ledger() == []
    live.emulator.control("settle/" + url.rsplit("/", 1)[1], outcome="succeeded")
    assert _order_for(url).status == "paid" and len(_ledger()) == 1


def test_async_payment_failed_releases_the_garment(live, shop_data, fresh):
    browser = live.browser()
    live.add(browser, shop_data.huipil.id)
    url = live.checkout(browser).headers["Location"]
    live.pay(browser, url, card="4000 0000 0000 0077")
    live.emulator.control("settle/" + url.rsplit("/", 1)[1], outcome="failed")
    assert _order_for(url).status == "payment_failed"
    assert fresh(Product, shop_data.huipil.id).stock == 1 and _ledger() == []
