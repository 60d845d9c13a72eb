"""The order lifecycle's named actions, called directly on a real database (no Stripe in between).

The doors (webhook, reconcile, sweep, staff pages) are tested elsewhere over HTTP; here each action is
held to its promise: terms frozen at checkout, refunds never applied without their reversal, every
email queued once in the transaction of its state change.
"""
import secrets
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.cooperative import get_settings
from storefront.extensions import db
from storefront.models import (LedgerEntry, Order, OrderLine, OrderRefund, OutboxEmail, Product, StockHold)
from storefront.money import split_order
from storefront.orders import holds, lifecycle
from storefront.orders.lifecycle import PaymentFacts, RefundFacts


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def _new_order(make, price_mxn=100000, shipping_mxn=30000, quantity=1, stock=1):
    """A pending MXN order for one garment of a new artisan, started through the lifecycle."""
    artisan = make.artisan()
    product = make.product(artisan=artisan, price_mxn=price_mxn // 100, stock=stock)
    order = Order(public_token=secrets.token_urlsafe(16), buyer_email="ada@example.com", locale="fr",
                  currency="MXN", subtotal_amount=price_mxn * quantity, shipping_amount=shipping_mxn,
                  total_amount=price_mxn * quantity + shipping_mxn, exchange_rate=Decimal(1),
                  shipping_amount_mxn=shipping_mxn, shipping_country="FR")
    order.lines.append(OrderLine(product_id=product.id, artisan_id=artisan.id, title="Huipil",
                                 quantity=quantity, unit_price_mxn=price_mxn, unit_amount=price_mxn,
                                 line_amount=price_mxn * quantity))
    lifecycle.start_checkout(order, {product.id: quantity})
    lifecycle.attach_checkout_session(order.id, f"cs_test_{order.id}")
    return order.id, artisan.id, product.id


def _paid(order_id, amount, fee=3900):
    return PaymentFacts(checkout_session_id=f"cs_test_{order_id}", amount=amount, currency="MXN",
                        payment_intent_id=f"pi_{order_id}", charge_id=f"ch_{order_id}",
                        buyer_email="ada@example.com", buyer_name="Ada", fee_amount=fee,
                        net_amount=amount - fee, settlement_currency="MXN",
                        shipping_address={"line1": "1 rue", "city": "Lyon", "country": "FR"})


def _ledger(artisan_id):
    return db.session.execute(select(LedgerEntry.kind, LedgerEntry.amount).where(
        LedgerEntry.artisan_id == artisan_id).order_by(LedgerEntry.id)).all()


def _emails(template=None):
    query = select(OutboxEmail.template).order_by(OutboxEmail.id)
    if template:
        query = query.where(OutboxEmail.template == template)
    return db.session.scalars(query).all()


def test_commission_changed_between_checkout_and_payment_does_not_move_her_credit(ctx, make):
    assert get_settings().commission_bp == 1500
    order_id, artisan_id, _product = _new_order(make)
    order = db.session.get(Order, order_id)
    assert (order.commission_bp, order.card_fee_bp) == (1500, get_settings().card_fee_bp)
    promised = order.lines[0].promised_artisan_share_mxn
    assert promised and promised < 100000

    settings = get_settings()
    settings.commission_bp = 3000          # staff raise the commission while the webhook is late
    db.session.commit()

    assert lifecycle.record_payment(order_id, _paid(order_id, 130000)) == "paid"
    expected = split_order([100000], 30000, 3900, 1500).lines[0].artisan_share
    assert _ledger(artisan_id) == [("sale", expected)]
    assert expected != split_order([100000], 30000, 3900, 3000).lines[0].artisan_share


def test_payment_recorded_twice_credits_and_emails_once(ctx, make):
    order_id, artisan_id, product_id = _new_order(make)
    assert lifecycle.record_payment(order_id, _paid(order_id, 130000), "webhook") == "paid"
    assert lifecycle.record_payment(order_id, _paid(order_id, 130000), "reconcile") == "already_fulfilled"
    assert len(_ledger(artisan_id)) == 1
    assert _emails() == ["order_confirmation", "sale_notice"]
    confirmation = db.session.scalar(select(OutboxEmail).where(OutboxEmail.template == "order_confirmation"))
    assert "Votre commande Telar" in confirmation.message   # the order's language, not a request's
    assert "MX$" in confirmation.message or "$MX" in confirmation.message
    notice = db.session.scalar(select(OutboxEmail).where(OutboxEmail.template == "sale_notice"))
    assert "Pagado" in notice.message and "paid" not in notice.subject   # status named in Spanish
    assert db.session.get(Product, product_id).status == "sold_out"


def test_refund_before_payment_is_kept_then_applied_with_its_reversal(ctx, make):
    order_id, artisan_id, product_id = _new_order(make)
    whole = RefundFacts(refund_id="re_early", amount=130000, currency="MXN", charge_id=f"ch_{order_id}",
                        restock=True)
    assert lifecycle.record_refund(order_id, whole) == "refund_kept"
    assert lifecycle.record_refund(order_id, whole) == "duplicate"
    order = db.session.get(Order, order_id)
    assert (order.status, order.amount_refunded) == ("pending", 0)
    assert _ledger(artisan_id) == []
    assert db.session.scalar(select(OrderRefund.status)) == "pending"   # never "applied" without reversal

    assert lifecycle.record_payment(order_id, _paid(order_id, 130000)) == "paid"
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert (order.status, order.amount_refunded) == ("refunded", 130000)   # shipping included
    kinds = _ledger(artisan_id)
    assert [k for k, _ in kinds] == ["sale", "refund"] and sum(a for _, a in kinds) == 0
    assert db.session.scalar(select(OrderRefund.status)) == "applied"
    assert db.session.get(Product, product_id).stock == 1
    assert _emails("order_refunded") == ["order_refunded"]


def test_refund_reaching_an_order_sent_to_review_is_applied_without_a_reversal(ctx, make):
    order_id, artisan_id, _product = _new_order(make)
    lifecycle.record_refund(order_id, RefundFacts(refund_id="re_r", amount=130000, currency="MXN"))
    assert lifecycle.record_payment(order_id, _paid(order_id, 99)) == "needs_review"   # wrong amount
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert order.status == "refunded" and _ledger(artisan_id) == []
    assert db.session.scalar(select(OrderRefund.status)) == "applied"


def test_partial_and_repeated_refunds_never_add_up_to_more_than_the_charge(ctx, make):
    order_id, artisan_id, _product = _new_order(make, quantity=2, stock=2)
    lifecycle.record_payment(order_id, _paid(order_id, 230000))
    line_id = db.session.get(Order, order_id).lines[0].id
    one = RefundFacts(refund_id="re_1", amount=100000, currency="MXN", line_id=line_id, quantity=1)
    assert lifecycle.record_refund(order_id, one) == "refund_applied"
    assert lifecycle.record_refund(order_id, one) == "duplicate"
    rest = RefundFacts(refund_id="re_2", amount=130000, currency="MXN")
    assert lifecycle.record_refund(order_id, rest) == "refund_applied"
    extra = RefundFacts(refund_id="re_3", amount=5000, currency="MXN")
    lifecycle.record_refund(order_id, extra)
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert (order.status, order.amount_refunded) == ("refunded", 230000)
    assert sum(a for _, a in _ledger(artisan_id)) == 0
    assert order.lines[0].refunded_quantity == 2


def test_failed_payment_releases_stock_and_tells_the_buyer_once(ctx, make):
    order_id, _artisan, product_id = _new_order(make)
    assert db.session.get(Product, product_id).stock == 0
    assert lifecycle.record_payment_processing(order_id) == "processing"
    assert lifecycle.record_payment_failed(order_id) == "payment_failed"
    assert lifecycle.record_payment_failed(order_id) == "ignored"
    assert db.session.get(Product, product_id).stock == 1
    assert _emails() == ["payment_failed"]
    assert db.session.scalar(select(func.count()).select_from(StockHold).where(
        StockHold.status == "active")) == 0


def test_expire_releases_holds_and_a_late_payment_takes_the_garment_back(ctx, make):
    order_id, artisan_id, product_id = _new_order(make)
    assert lifecycle.expire(order_id, "checkout.session.expired") == "expired"
    assert db.session.get(Product, product_id).stock == 1
    assert lifecycle.record_payment(order_id, _paid(order_id, 130000), "late webhook") == "paid"
    assert db.session.get(Product, product_id).stock == 0 and len(_ledger(artisan_id)) == 1


def test_sold_out_at_checkout_commits_nothing(ctx, make):
    order_id, _artisan, product_id = _new_order(make)
    with pytest.raises(holds.SoldOut):
        _new_order_for(make, product_id)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def _new_order_for(make, product_id):
    product = db.session.get(Product, product_id)
    order = Order(public_token="t2", currency="MXN", subtotal_amount=1, shipping_amount=0, total_amount=1,
                  exchange_rate=Decimal(1))
    order.lines.append(OrderLine(product_id=product.id, artisan_id=product.artisan_id, title="x", quantity=1,
                                 unit_price_mxn=1, unit_amount=1, line_amount=1))
    lifecycle.start_checkout(order, {product.id: 1})
