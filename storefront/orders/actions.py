"""The order state machine: every status change goes through `transition`, which checks it is allowed.

Staff actions (pack, ship, deliver) audit and commit once; payment-driven changes are made by
`storefront.payments.fulfilment` inside its own transaction.
"""
from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from storefront.accounts.services import audit
from storefront.extensions import db
from storefront.models import Order, OrderStatus, now_utc

S = OrderStatus
ALLOWED = {
    S.PENDING: {S.PROCESSING, S.PAID, S.EXPIRED, S.PAYMENT_FAILED, S.NEEDS_REVIEW},
    S.PROCESSING: {S.PAID, S.PAYMENT_FAILED, S.NEEDS_REVIEW},
    # A payment that lands after the session expired (a late webhook) is still money taken.
    S.EXPIRED: {S.PAID, S.NEEDS_REVIEW},
    S.PAYMENT_FAILED: set(),
    S.PAID: {S.PACKED, S.REFUNDED},
    S.PACKED: {S.SHIPPED, S.REFUNDED},
    S.SHIPPED: {S.DELIVERED, S.REFUNDED},
    S.DELIVERED: {S.REFUNDED},
    S.NEEDS_REVIEW: {S.REFUNDED},
    S.REFUNDED: set(),
}
PAID_STATES = {S.PAID.value, S.PACKED.value, S.SHIPPED.value, S.DELIVERED.value}
REFUNDABLE_STATES = PAID_STATES | {S.NEEDS_REVIEW.value}
TIMESTAMPS = {S.PAID: "paid_at", S.PACKED: "packed_at", S.SHIPPED: "shipped_at", S.DELIVERED: "delivered_at"}


class TransitionRefused(ValueError):
    """The order cannot move from its status to the one asked for."""

    def __init__(self, current, wanted):
        super().__init__(f"{current} -> {wanted}")
        self.current, self.wanted = current, wanted


def can_transition(order: Order, wanted) -> bool:
    return S(wanted) in ALLOWED[S(order.status)]


def transition(order: Order, wanted, actor=None, note=None):
    """Move `order` to `wanted` (not committed), with an audit record; TransitionRefused if not allowed."""
    wanted = S(wanted)
    if not can_transition(order, wanted):
        raise TransitionRefused(order.status, wanted.value)
    before = order.status
    order.status = wanted.value
    if wanted in TIMESTAMPS and getattr(order, TIMESTAMPS[wanted]) is None:
        setattr(order, TIMESTAMPS[wanted], now_utc())
    audit(f"order.{wanted.value}", "order", order.id, actor=actor, changes={"status": [before, wanted.value]},
          note=note)
    return order


def lock_order(order_id: int):
    """The order row, locked for the rest of the transaction (PostgreSQL; SQLite writes are serial)."""
    return db.session.execute(select(Order).where(Order.id == order_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one_or_none()


def order_url(order: Order) -> str:
    """The buyer's link to her order, absolute (emails), also from CLI commands without a request."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not has_request_context():
        with current_app.test_request_context(base_url=base or "http://127.0.0.1:5000"):
            return url_for("checkout.order_status", token=order.public_token, _external=True)
    path = url_for("checkout.order_status", token=order.public_token, _external=not base)
    return f"{base}{path}" if base else path


def mark_packed(order: Order, actor):
    transition(lock_order(order.id), S.PACKED, actor=actor)
    db.session.commit()


def mark_shipped(order: Order, actor, carrier: str, tracking_number: str):
    """Shipped with carrier and tracking number; the buyer is emailed."""
    from storefront import mail
    from storefront.checkout.present import money_formatter
    carrier, tracking_number = (carrier or "").strip()[:80], (tracking_number or "").strip()[:120]
    if not carrier or not tracking_number:
        raise ValueError("carrier_and_tracking_required")
    order = lock_order(order.id)
    transition(order, S.SHIPPED, actor=actor, note=f"{carrier} {tracking_number}")
    order.carrier, order.tracking_number = carrier, tracking_number
    db.session.commit()
    if order.buyer_email:
        from flask_babel import force_locale, gettext as _
        with force_locale(order.locale):
            subject = _("Your order %(number)s is on its way", number=order.id)
        mail.send(order.buyer_email, subject, "order_shipped", order.locale, order=order,
                  order_url=order_url(order), money=money_formatter(order.locale))


def mark_delivered(order: Order, actor):
    transition(lock_order(order.id), S.DELIVERED, actor=actor)
    db.session.commit()
