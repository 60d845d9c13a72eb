"""Fulfilment: the one idempotent path from "Stripe says paid" to a paid order, a credited ledger and emails.

Events may arrive twice, late or out of order, and reconcile may run at the same time. Three things
make that safe: each event id is recorded once (unique WebhookEvent row, in the same transaction as
its effects), the order row is locked and only allowed transitions happen, and ledger entries carry
idempotency keys ("sale:line:<id>", "refund:<re_id>:line:<id>").
"""
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storefront import mail
from storefront.accounts.services import audit
from storefront.checkout import holds
from storefront.checkout.present import money_formatter
from storefront.staff.links import staff_order_url
from storefront.earnings.ledger import credit_sale, reverse_refund
from storefront.extensions import db
from storefront.models import AuditEntry, Order, OrderStatus, WebhookEvent, now_utc
from storefront.money import fee_in_mxn
from storefront.orders.actions import PAID_STATES, can_transition, lock_order, order_url, transition
from storefront.payments.client import plain, stripe_client

S = OrderStatus


def _value(obj, key, default=None):
    """Field of a Stripe object or plain dict."""
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


class Outbox:
    """Emails to send once the transaction that justifies them has committed."""

    def __init__(self):
        self.messages = []

    def add(self, *args, **kwargs):
        self.messages.append((args, kwargs))

    def send_all(self):
        for args, kwargs in self.messages:
            try:
                mail.send(*args, **kwargs)
            except Exception:  # noqa: BLE001 - a mail outage must not undo a paid order
                current_app.logger.exception("could not send %s", args[2] if len(args) > 2 else "mail")


def handle_event(event: dict) -> str:
    """Process one verified event exactly once: 'duplicate', 'ignored' or what the handler did."""
    handler = HANDLERS.get(event.get("type"))
    outbox = Outbox()
    try:
        record = WebhookEvent(stripe_event_id=str(event["id"])[:255], type=str(event.get("type"))[:80])
        db.session.add(record)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    try:
        outcome = handler(event["data"]["object"], outbox) if handler else "ignored"
        record.processed_at = now_utc()
        db.session.commit()
    except IntegrityError:
        # The same event processed concurrently by another worker, or a ledger key already taken.
        db.session.rollback()
        return "duplicate"
    except Exception:
        db.session.rollback()
        raise
    outbox.send_all()
    return outcome


def _order_for(metadata, session_id=None, payment_intent=None):
    order_id = str(_value(metadata or {}, "order_id", "")).strip()
    order = None
    if order_id.isdigit():
        order = lock_order(int(order_id))
    if order is None and session_id:
        found = db.session.scalar(select(Order.id).where(Order.stripe_checkout_session_id == session_id))
        order = lock_order(found) if found else None
    if order is None and payment_intent:
        found = db.session.scalar(select(Order.id).where(Order.stripe_payment_intent_id == payment_intent))
        order = lock_order(found) if found else None
    if order is not None and session_id and order.stripe_checkout_session_id not in (None, session_id):
        current_app.logger.warning("session %s does not belong to order %s", session_id, order.id)
        return None
    return order


def _record_buyer(order, session):
    details = _value(session, "customer_details", {})
    shipping = _value(_value(session, "collected_information", {}), "shipping_details") \
        or _value(session, "shipping_details")
    order.stripe_checkout_session_id = order.stripe_checkout_session_id or _value(session, "id")
    order.stripe_payment_intent_id = _value(session, "payment_intent") or order.stripe_payment_intent_id
    order.buyer_email = _value(details, "email") or order.buyer_email
    name = _value(shipping, "name") or _value(details, "name") or order.buyer_name or ""
    order.buyer_name = name[:200] or None
    address = _value(shipping, "address") or _value(details, "address")
    if address:
        order.shipping_address = {k: _value(address, k) for k in
                                  ("line1", "line2", "city", "postal_code", "state", "country")}
        order.shipping_country = (_value(address, "country") or order.shipping_country or "")[:2] or None


def _record_balance_transaction(order):
    """Fee, net and exchange rate from Stripe's balance transaction; returns the fee in MXN centavos."""
    intent = plain(stripe_client().v1.payment_intents.retrieve(
        order.stripe_payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]}))
    charge = _value(intent, "latest_charge")
    txn = _value(charge, "balance_transaction") if not isinstance(charge, str) else None
    if isinstance(charge, dict):
        order.stripe_charge_id = _value(charge, "id")
    if not txn or isinstance(txn, str):
        return 0
    order.stripe_fee_amount = int(_value(txn, "fee", 0))
    order.stripe_net_amount = int(_value(txn, "net", 0))
    order.stripe_settlement_currency = str(_value(txn, "currency", "")).upper() or None
    rate = _value(txn, "exchange_rate")
    order.stripe_exchange_rate = Decimal(str(rate)) if rate is not None else None
    return fee_in_mxn(order.stripe_fee_amount, order.stripe_settlement_currency or "MXN", order.exchange_rate)


def amount_matches(order, session) -> bool:
    return (_value(session, "amount_total") == order.total_amount
            and str(_value(session, "currency", "")).upper() == order.currency)


def fulfil_session(session, outbox: Outbox, source="webhook") -> str:
    """Turn a completed, paid Checkout Session into a paid order: once, whatever calls it and how often."""
    order = _order_for(_value(session, "metadata"), _value(session, "id"))
    if order is None:
        return "unknown_order"
    if order.status in PAID_STATES or order.status in (S.REFUNDED.value, S.NEEDS_REVIEW.value):
        return "already_fulfilled"
    if _value(session, "status") != "complete":
        return "not_complete"
    _record_buyer(order, session)
    if _value(session, "payment_status") not in ("paid", "no_payment_required"):
        if order.status == S.PENDING.value:
            transition(order, S.PROCESSING, note=f"{source}: payment processing")
            return "processing"
        return "not_paid"
    if not amount_matches(order, session):
        paid_currency = str(_value(session, "currency", "")).upper()
        note = (f"{source}: paid {_value(session, 'amount_total')} {paid_currency}, "
                f"order is {order.total_amount} {order.currency}")
        holds.convert_holds(order.id)
        transition(order, S.NEEDS_REVIEW, note=note)
        _queue_sale_notice(order, outbox)
        return "needs_review"
    fee_mxn = _record_balance_transaction(order)
    if order.status == S.EXPIRED.value:
        # The holds were released; money was taken anyway. Keep the sale only if the stock is still there.
        if not holds.retake_for_late_payment(order):
            transition(order, S.NEEDS_REVIEW,
                       note=f"{source}: paid after expiry, garment no longer available")
            _queue_sale_notice(order, outbox)
            return "needs_review"
    else:
        holds.convert_holds(order.id)
    transition(order, S.PAID, note=source)
    credit_sale(order, fee_mxn)
    _queue_confirmation(order, outbox)
    _queue_sale_notice(order, outbox)
    return "paid"


def _queue_confirmation(order, outbox):
    if not order.buyer_email:
        return
    with force_locale(order.locale):
        subject = _("Your Telar order %(number)s is confirmed", number=order.id)
    outbox.add(order.buyer_email, subject, "order_confirmation", order.locale, order=order,
               order_url=order_url(order), money=money_formatter(order.locale))


def _queue_sale_notice(order, outbox):
    with force_locale("es"):
        subject = _("New sale: order %(number)s (%(status)s)", number=order.id, status=order.status)
    outbox.add(current_app.config["COOPERATIVE_EMAIL"], subject, "sale_notice", "es", order=order,
               staff_url=staff_order_url(order), money=money_formatter("es", buyer=False))


def on_completed(session, outbox):
    return fulfil_session(session, outbox, "checkout.session.completed")


def on_async_succeeded(session, outbox):
    return fulfil_session(session, outbox, "checkout.session.async_payment_succeeded")


def on_async_failed(session, outbox):
    order = _order_for(_value(session, "metadata"), _value(session, "id"))
    if order is None or order.status not in (S.PENDING.value, S.PROCESSING.value):
        return "ignored"
    holds.release_holds(order.id)
    transition(order, S.PAYMENT_FAILED, note="checkout.session.async_payment_failed")
    return "payment_failed"


def on_expired(session, outbox):
    order = _order_for(_value(session, "metadata"), _value(session, "id"))
    if order is None or order.status != S.PENDING.value:
        return "ignored"
    holds.release_holds(order.id)
    transition(order, S.EXPIRED, note="checkout.session.expired")
    return "expired"


def _refund_applied(refund_id) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "order.refund_applied",
                                                         AuditEntry.note == refund_id).limit(1)) is not None


def on_charge_refunded(charge, outbox):
    """Reverse each artisan's share for every refund of the charge not applied yet."""
    intent_id = _value(charge, "payment_intent")
    order = _order_for(_value(charge, "metadata"), payment_intent=intent_id)
    if order is None:
        return "unknown_order"
    client = stripe_client()
    if order.status not in PAID_STATES and order.status not in (S.REFUNDED.value, S.NEEDS_REVIEW.value):
        # The refund overtook the payment's own webhook: fulfil from Stripe's record first.
        sessions = plain(client.v1.checkout.sessions.list(params={"payment_intent": intent_id, "limit": 1}))
        if sessions["data"]:
            fulfil_session(sessions["data"][0], outbox, "charge.refunded (late completion)")
    refunds = plain(client.v1.refunds.list(params={"charge": _value(charge, "id"), "limit": 100}))
    applied = 0
    for refund in sorted(refunds["data"], key=lambda r: (_value(r, "created", 0), _value(r, "id"))):
        if _value(refund, "status") != "succeeded" or _refund_applied(_value(refund, "id")):
            continue
        _apply_refund(order, refund)
        applied += 1
    order.amount_refunded = min(int(_value(charge, "amount_refunded", 0)), order.total_amount)
    fully = all(line.refunded_quantity >= line.quantity for line in order.lines) \
        or order.amount_refunded >= order.total_amount
    if fully and can_transition(order, S.REFUNDED):
        transition(order, S.REFUNDED, note="charge.refunded")
    return f"refunds_applied:{applied}"


def _apply_refund(order, refund):
    metadata = _value(refund, "metadata", {})
    restock = str(_value(metadata, "restock", "0")) == "1"
    line_id = str(_value(metadata, "line_id", ""))
    if line_id.isdigit():
        quantity = int(str(_value(metadata, "quantity", "1")) or 1)
        targets = [(line, quantity) for line in order.lines if line.id == int(line_id)]
    elif int(_value(refund, "amount", 0)) >= order.total_amount - order.amount_refunded:
        targets = [(line, line.quantity - line.refunded_quantity) for line in order.lines]
    else:
        targets = []   # a partial refund made outside Telar: recorded for staff, not guessed per line
    for line, quantity in targets:
        quantity = max(0, min(quantity, line.quantity - line.refunded_quantity))
        if quantity == 0:
            continue
        if order.status != S.NEEDS_REVIEW.value:
            reverse_refund(line, quantity, _value(refund, "id"))
        line.refunded_quantity += quantity
        if restock:
            holds.restock(line.product_id, quantity)
    audit("order.refund_applied", "order", order.id, note=_value(refund, "id"),
          changes={"amount": [None, _value(refund, "amount")], "restock": [None, restock],
                   "lines": [None, [line.id for line, _q in targets]]})


HANDLERS = {
    "checkout.session.completed": on_completed,
    "checkout.session.async_payment_succeeded": on_async_succeeded,
    "checkout.session.async_payment_failed": on_async_failed,
    "checkout.session.expired": on_expired,
    "charge.refunded": on_charge_refunded,
}
