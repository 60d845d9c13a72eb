"""Refunds through Stripe's Refund API; the ledger is reversed when `charge.refunded` arrives."""
from storefront.accounts.services import audit
from storefront.extensions import db
from storefront.orders.actions import REFUNDABLE_STATES
from storefront.payments.client import stripe_client


class RefundRefused(ValueError):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def request_refund(order, actor, line_id=None, quantity=None, restock=False):
    """Ask Stripe to refund the whole order, or `quantity` of one line (its price, without shipping)."""
    if order.status not in REFUNDABLE_STATES or not order.stripe_payment_intent_id:
        raise RefundRefused("not_refundable")
    metadata = {"order_id": str(order.id), "restock": "1" if restock else "0"}
    if line_id is not None:
        line = next((line for line in order.lines if line.id == line_id), None)
        if line is None:
            raise RefundRefused("unknown_line")
        left = line.quantity - line.refunded_quantity
        quantity = left if quantity is None else quantity
        if not isinstance(quantity, int) or quantity < 1 or quantity > left:
            raise RefundRefused("bad_quantity")
        amount = line.unit_amount * quantity
        metadata.update(line_id=str(line.id), quantity=str(quantity))
        key = f"telar-refund-{order.id}-line-{line.id}-{line.refunded_quantity}-{quantity}"
    else:
        amount = order.total_amount - order.amount_refunded
        key = f"telar-refund-{order.id}-all-{order.amount_refunded}"
    amount = min(amount, order.total_amount - order.amount_refunded)
    if amount <= 0:
        raise RefundRefused("nothing_left")
    audit("order.refund_requested", "order", order.id, actor=actor,
          changes={"amount": [None, amount], "line": [None, line_id], "restock": [None, restock]})
    intent_id = order.stripe_payment_intent_id
    # Commit first: Stripe (or the emulator) may deliver charge.refunded before this call returns.
    db.session.commit()
    return stripe_client().v1.refunds.create(
        params={"payment_intent": intent_id, "amount": amount, "metadata": metadata},
        options={"idempotency_key": key})
