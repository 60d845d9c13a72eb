"""The order state machine: every status change goes through `transition`, which checks it is allowed.

The named actions that use it (checkout, payment, refund, pack, ship, deliver) are in
`storefront.orders.lifecycle`; nothing else changes an order's status.
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
    # A late success after a failed attempt is money taken too: kept if the garment is still there.
    S.PAYMENT_FAILED: {S.PAID, S.NEEDS_REVIEW},
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


def absolute_url(endpoint: str, **values) -> str:
    """A link for emails: absolute, on PUBLIC_BASE_URL when set, also from commands without a request."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not has_request_context():
        with current_app.test_request_context(base_url=base or "http://127.0.0.1:5000"):
            return url_for(endpoint, **values, _external=True)
    path = url_for(endpoint, **values, _external=not base)
    return f"{base}{path}" if base else path


def order_url(order: Order) -> str:
    """The buyer's link to her order."""
    return absolute_url("checkout.order_status", token=order.public_token)


def staff_order_url(order: Order) -> str:
    """The staff page of an order (/coop/orders/<id>), for emails to the cooperative."""
    return absolute_url("orders.order_detail", order_id=order.id)
