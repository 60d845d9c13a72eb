"""The order lifecycle: every change of an order's state, as named actions (after Saleor's order/actions.py).

Every door — the checkout view, Stripe webhooks (`storefront.payments`), `flask stripe reconcile`,
`flask holds sweep`, the staff pages — reaches an order through these functions and no other, so a
ledger entry or an email never depends on which door a change came through.

    start_checkout(order, quantities)           new order: terms frozen, stock held        (commits)
    freeze_terms(order)                         today's commission and shares onto the order
    attach_checkout_session(order_id, id)       the payment provider's session for it       (commits)
    record_payment(order_id, payment, source)   paid: holds → sold, ledger credit, emails   (commits)
    record_payment_processing(order_id, …)      an asynchronous payment has not settled     (commits)
    record_payment_failed(order_id, source)     holds released, buyer told                  (commits)
    expire(order_id, source)                    holds released                              (commits)
    record_refund(order_id, refund, source)     lines refunded, shares reversed, emails     (commits)
    mark_packed / mark_shipped / mark_delivered staff steps (shipped emails the buyer)       (commits)

Rules every action keeps: the order row is locked (`lock_order`) and only allowed transitions happen
(`actions.transition`, which audits); the caller has asked the payment provider everything it needs
BEFORE calling (an action never waits on the network while it holds a lock); emails are queued with
`storefront.mail.queue_email` in the same transaction, keyed so a repeated event queues nothing; the
action commits once. Each returns a short outcome string ("paid", "already_paid", …).

`payment` and `refund` are provider-neutral facts (`PaymentFacts`, `RefundFacts`): this module knows
nothing of Stripe.
"""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from storefront.accounts.services import audit
from storefront.cooperative import fee_policy
from storefront.earnings.ledger import credit_sale, reverse_refund
from storefront.extensions import db
from storefront.mail import queue_email
from storefront.models import Order, OrderRefund, OrderStatus, RefundStatus, now_utc
from storefront.money import fee_in_mxn, price_breakdown
from storefront.orders import holds
from storefront.orders.actions import (PAID_STATES, REFUNDABLE_STATES, TransitionRefused, can_transition,
                                       lock_order, order_url, staff_order_url, transition)
from storefront.orders.present import money_formatter, status_name

S = OrderStatus
UNPAID_STATES = {S.PENDING.value, S.PROCESSING.value, S.EXPIRED.value, S.PAYMENT_FAILED.value}

__all__ = [
    "PaymentFacts", "RefundFacts", "TransitionRefused", "freeze_terms", "start_checkout",
    "attach_checkout_session",
    "record_payment", "record_payment_processing", "record_payment_failed", "expire", "record_refund",
    "record_refunds", "release_expired_holds",
    "mark_packed", "mark_shipped", "mark_delivered", "queue_email", "lock_order", "order_url",
    "PAID_STATES", "REFUNDABLE_STATES", "UNPAID_STATES",
]


@dataclass
class PaymentFacts:
    """What the payment provider says about a completed checkout (all amounts in minor units)."""
    checkout_session_id: Optional[str]
    amount: int
    currency: str                       # ISO code, upper case
    paid: bool = True                   # False: completed, payment still processing
    payment_intent_id: Optional[str] = None
    charge_id: Optional[str] = None
    buyer_email: Optional[str] = None
    buyer_name: Optional[str] = None
    shipping_address: Optional[dict] = None
    # From the balance transaction, in the settlement currency (None when not known yet).
    fee_amount: Optional[int] = None
    net_amount: Optional[int] = None
    settlement_currency: Optional[str] = None
    settlement_exchange_rate: Optional[Decimal] = None


@dataclass
class RefundFacts:
    """One refund of an order's charge."""
    refund_id: str
    amount: int
    currency: str
    charge_id: Optional[str] = None
    charge_amount_refunded: Optional[int] = None   # the charge's running total, when the provider says it
    line_id: Optional[int] = None
    quantity: Optional[int] = None
    restock: bool = False
    metadata: dict = field(default_factory=dict)


# -- checkout -----------------------------------------------------------------------------------------

def start_checkout(order: Order, quantities: dict) -> Order:
    """A new pending order: its money terms frozen from today's settings, its stock held (committed).

    `order` is built by the caller with its lines and amounts (from the database, never a form);
    `quantities` is {product_id: quantity} to hold (empty for goods not taken from stock). Raises
    holds.SoldOut (nothing committed) when a garment is gone.
    """
    freeze_terms(order)
    order.status = S.PENDING.value
    try:
        db.session.add(order)
        db.session.flush()
        if quantities:
            order.expires_at = holds.place_holds(order, quantities)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return order


def freeze_terms(order: Order, policy=None) -> Order:
    """Copy today's commission and fee policy onto the order and each line's promised share (not committed).

    The ledger later credits from these, never from the settings of the day the payment arrives.
    """
    policy = policy or fee_policy()
    order.commission_bp = policy.commission_bp
    order.card_fee_bp, order.card_fee_fixed_amount = policy.card_fee_bp, policy.card_fee_fixed
    for line in order.lines:
        line.promised_artisan_share_mxn = price_breakdown(line.unit_price_mxn, policy).artisan_share \
            * line.quantity
    return order


def attach_checkout_session(order_id: int, session_id: str) -> Order:
    """Remember the provider's checkout session of a pending order (committed)."""
    order = lock_order(order_id)
    order.stripe_checkout_session_id = session_id
    db.session.commit()
    return order


# -- payment ------------------------------------------------------------------------------------------

def _record_buyer(order: Order, payment: PaymentFacts):
    order.stripe_checkout_session_id = order.stripe_checkout_session_id or payment.checkout_session_id
    order.stripe_payment_intent_id = payment.payment_intent_id or order.stripe_payment_intent_id
    order.stripe_charge_id = payment.charge_id or order.stripe_charge_id
    order.buyer_email = payment.buyer_email or order.buyer_email
    order.buyer_name = (payment.buyer_name or order.buyer_name or "")[:200] or None
    if payment.shipping_address:
        address = payment.shipping_address
        order.shipping_address = {k: address.get(k) for k in
                                  ("line1", "line2", "city", "postal_code", "state", "country")}
        order.shipping_country = (address.get("country") or order.shipping_country or "")[:2] or None


def _fee_mxn(order: Order, payment: PaymentFacts) -> int:
    if payment.fee_amount is None:
        return 0
    order.stripe_fee_amount, order.stripe_net_amount = payment.fee_amount, payment.net_amount
    order.stripe_settlement_currency = payment.settlement_currency
    order.stripe_exchange_rate = payment.settlement_exchange_rate
    return fee_in_mxn(payment.fee_amount, payment.settlement_currency or "MXN", order.exchange_rate)


def record_payment(order_id: int, payment: PaymentFacts, source: str = "webhook") -> str:
    """The buyer paid (or her payment is processing): once, whatever calls it and how often.

    Paid: holds become sales, each line is credited from the order's frozen terms, refunds that
    arrived first are applied, the buyer and the cooperative are emailed. A paid amount that is not
    the order's, or a garment gone while a late payment was on its way, sends the order to review.
    """
    order = lock_order(order_id)
    if order is None:
        db.session.commit()
        return "unknown_order"
    if order.status not in UNPAID_STATES or (order.status == S.PAYMENT_FAILED.value and not payment.paid):
        db.session.commit()
        return "already_fulfilled"
    _record_buyer(order, payment)
    if not payment.paid:
        if order.status != S.PENDING.value:
            db.session.commit()
            return "not_paid"
        transition(order, S.PROCESSING, note=f"{source}: payment processing")
        db.session.commit()
        return "processing"
    if payment.amount != order.total_amount or payment.currency.upper() != order.currency:
        note = f"{source}: paid {payment.amount} {payment.currency.upper()}, order is " \
               f"{order.total_amount} {order.currency}"
        return _to_review(order, note)
    fee_mxn = _fee_mxn(order, payment)
    if order.status in (S.EXPIRED.value, S.PAYMENT_FAILED.value):
        # The holds were released; money was taken anyway. Keep the sale only if the stock is still there.
        if not holds.retake_for_late_payment(order):
            return _to_review(order, f"{source}: paid after expiry, garment no longer available")
    else:
        holds.convert_holds(order.id)
    transition(order, S.PAID, note=source)
    credit_sale(order, fee_mxn)
    _queue_confirmation(order)
    _queue_sale_notice(order)
    _apply_pending_refunds(order, source)
    db.session.commit()
    return "paid"


def _to_review(order, note):
    holds.convert_holds(order.id)
    transition(order, S.NEEDS_REVIEW, note=note)
    _queue_sale_notice(order)
    _apply_pending_refunds(order, "review")
    db.session.commit()
    return "needs_review"


def _locked_if_in(order_id: int, statuses: set):
    """The order, locked, when it is in one of `statuses`; else None, its lock released at once."""
    order = lock_order(order_id)
    if order is None or order.status not in statuses:
        db.session.commit()
        return None
    return order


def record_payment_processing(order_id: int, source: str = "webhook") -> str:
    """The checkout completed with a payment that settles later (bank debits)."""
    order = _locked_if_in(order_id, {S.PENDING.value})
    if order is None:
        return "ignored"
    transition(order, S.PROCESSING, note=f"{source}: payment processing")
    db.session.commit()
    return "processing"


def record_payment_failed(order_id: int, source: str = "webhook") -> str:
    """The payment did not go through: stock back on sale, the buyer told (committed)."""
    order = _locked_if_in(order_id, {S.PENDING.value, S.PROCESSING.value})
    if order is None:
        return "ignored"
    holds.release_holds(order.id)
    transition(order, S.PAYMENT_FAILED, note=source)
    if order.buyer_email:
        with force_locale(order.locale):
            subject = _("Your payment for Telar order %(number)s did not go through", number=order.id)
        queue_email(order.buyer_email, subject, "payment_failed", order.locale,
                    key=f"order:{order.id}:payment_failed", **_mail_context(order, order.locale))
    db.session.commit()
    return "payment_failed"


def expire(order_id: int, source: str = "webhook") -> str:
    """A checkout not paid in time (or abandoned): its holds released (committed)."""
    order = _locked_if_in(order_id, {S.PENDING.value})
    if order is None:
        return "ignored"
    holds.release_holds(order.id)
    transition(order, S.EXPIRED, note=source)
    db.session.commit()
    return "expired"


def release_expired_holds(order_id: int, source: str = "holds sweep") -> str:
    """The sweep's last step for an order nobody paid: stock back, a pending order expired."""
    order = _locked_if_in(order_id, UNPAID_STATES - {S.PROCESSING.value})
    if order is None:
        return "kept"
    holds.release_holds(order.id)
    if order.status == S.PENDING.value:
        transition(order, S.EXPIRED, note=source)
    db.session.commit()
    return "released"


# -- refunds ------------------------------------------------------------------------------------------

def record_refund(order_id: int, refund: RefundFacts, source: str = "webhook") -> str:
    """A refund of the order's charge: applied now if the payment is recorded, else kept until it is.

    Applying reverses her share of each refunded line (or of every line for a whole-order refund),
    puts garments back on sale when asked, and emails the buyer; the order is refunded once nothing
    is left of the charge. Returns "refund_applied", "refund_kept" or "duplicate".
    """
    return record_refunds(order_id, [refund], source)[0]


def record_refunds(order_id: int, refunds: list, source: str = "webhook") -> list:
    """`record_refund` for several refunds of one charge, oldest first, in one transaction."""
    order = lock_order(order_id)
    if order is None:
        db.session.commit()
        return ["unknown_order"] * len(refunds)
    outcomes = [_record_one_refund(order, refund, source) for refund in refunds]
    db.session.commit()
    return outcomes


def _record_one_refund(order, refund, source):
    row = db.session.scalar(select(OrderRefund).where(OrderRefund.stripe_refund_id == refund.refund_id))
    if row is not None and (row.status == RefundStatus.APPLIED.value or order.status in UNPAID_STATES):
        return "duplicate"
    if refund.amount <= 0:
        return "ignored"
    if row is None:
        row = OrderRefund(order_id=order.id, stripe_refund_id=refund.refund_id,
                          stripe_charge_id=refund.charge_id, amount=refund.amount,
                          currency=refund.currency.upper(), order_line_id=refund.line_id,
                          quantity=refund.quantity, restock=refund.restock, status=RefundStatus.PENDING.value)
        db.session.add(row)
        db.session.flush()
    if order.status in UNPAID_STATES:
        audit("order.refund_kept", "order", order.id, note=refund.refund_id,
              changes={"amount": [None, refund.amount]})
        return "refund_kept"
    _apply_refund(order, row, source)
    return "refund_applied"


def _apply_pending_refunds(order, source):
    rows = db.session.scalars(select(OrderRefund).where(OrderRefund.order_id == order.id,
                                                        OrderRefund.status == RefundStatus.PENDING.value)
                              .order_by(OrderRefund.id)).all()
    for row in rows:
        _apply_refund(order, row, f"{source} (refund kept until payment)")


def _apply_refund(order: Order, row: OrderRefund, source: str):
    """Refund lines, reverse shares (only of lines credited), restock, email; marks the row applied."""
    left = order.total_amount - order.amount_refunded
    if row.order_line_id is not None:
        quantity = row.quantity or 1
        targets = [(line, quantity) for line in order.lines if line.id == row.order_line_id]
    elif row.amount >= left:
        targets = [(line, line.quantity - line.refunded_quantity) for line in order.lines]
    else:
        targets = []   # a partial refund made outside Telar: recorded for staff, not guessed per line
    refunded = []
    for line, quantity in targets:
        quantity = max(0, min(quantity, line.quantity - line.refunded_quantity))
        if quantity == 0:
            continue
        reverse_refund(line, quantity, row.stripe_refund_id)   # nothing to reverse if never credited
        line.refunded_quantity += quantity
        refunded.append((line, quantity))
        if row.restock:
            holds.restock(line.product_id, quantity)
    order.amount_refunded = min(order.total_amount, order.amount_refunded + row.amount)
    row.status, row.applied_at = RefundStatus.APPLIED.value, now_utc()
    fully = order.amount_refunded >= order.total_amount
    if fully and can_transition(order, S.REFUNDED):
        transition(order, S.REFUNDED, note=source)
    audit("order.refund_applied", "order", order.id, note=row.stripe_refund_id,
          changes={"amount": [None, row.amount], "restock": [None, row.restock],
                   "lines": [None, [line.id for line, _q in refunded]]})
    if order.buyer_email:
        with force_locale(order.locale):
            subject = _("Refund for your Telar order %(number)s", number=order.id)
        queue_email(order.buyer_email, subject, "order_refunded", order.locale,
                    key=f"refund:{row.stripe_refund_id}", refund_amount=row.amount, refunded_lines=refunded,
                    fully_refunded=fully, **_mail_context(order, order.locale))


# -- staff steps --------------------------------------------------------------------------------------

def mark_packed(order: Order, actor) -> str:
    transition(lock_order(order.id), S.PACKED, actor=actor)
    db.session.commit()
    return "packed"


def mark_shipped(order: Order, actor, carrier: str, tracking_number: str) -> str:
    """Shipped with carrier and tracking number; the buyer is emailed. ValueError without both."""
    carrier, tracking_number = (carrier or "").strip()[:80], (tracking_number or "").strip()[:120]
    if not carrier or not tracking_number:
        raise ValueError("carrier_and_tracking_required")
    order = lock_order(order.id)
    transition(order, S.SHIPPED, actor=actor, note=f"{carrier} {tracking_number}")
    order.carrier, order.tracking_number = carrier, tracking_number
    if order.buyer_email:
        with force_locale(order.locale):
            subject = _("Your order %(number)s is on its way", number=order.id)
        queue_email(order.buyer_email, subject, "order_shipped", order.locale,
                    key=f"order:{order.id}:shipped", **_mail_context(order, order.locale))
    db.session.commit()
    return "shipped"


def mark_delivered(order: Order, actor) -> str:
    transition(lock_order(order.id), S.DELIVERED, actor=actor)
    db.session.commit()
    return "delivered"


# -- emails -------------------------------------------------------------------------------------------

def _mail_context(order, locale):
    """What every order email may show: the order, its link, and money in `locale`."""
    return {"order": order, "order_url": order_url(order), "money": money_formatter(locale)}


def _queue_confirmation(order):
    if not order.buyer_email:
        return
    with force_locale(order.locale):
        subject = _("Your Telar order %(number)s is confirmed", number=order.id)
    queue_email(order.buyer_email, subject, "order_confirmation", order.locale,
                key=f"order:{order.id}:confirmation", **_mail_context(order, order.locale))


def _queue_sale_notice(order):
    with force_locale("es"):
        subject = _("New sale: order %(number)s (%(status)s)", number=order.id,
                    status=status_name(order.status))
    queue_email(current_app.config["COOPERATIVE_EMAIL"], subject, "sale_notice", "es",
                key=f"order:{order.id}:sale_notice", order=order, staff_url=staff_order_url(order),
                money=money_formatter("es", buyer=False))


def pending_refund_total(order: Order) -> int:
    """Refunds kept for this order and not applied yet (minor units)."""
    return sum(r.amount for r in db.session.scalars(select(OrderRefund).where(
        OrderRefund.order_id == order.id, OrderRefund.status == RefundStatus.PENDING.value)))
