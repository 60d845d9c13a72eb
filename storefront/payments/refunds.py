"""Refunds through Stripe's Refund API; the lifecycle applies them when `charge.refunded` arrives."""
from storefront.accounts.services import audit
from storefront.extensions import db
from storefront.orders.lifecycle import REFUNDABLE_STATES
from storefront.payments.client import stripe_client


class RefundRefused(ValueError):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def request_refund(order, actor, line_id=None, quantity=None, restock=False):
    """Ask Stripe to refund the whole order (lines AND shipping: all that is left of the charge), or
    `quantity` of one line (its price, without shipping). Refunds never add up to more than the charge."""
    if order.status not in REFUNDABLE_STATES or not order.stripe_payment_intent_id:
        raise RefundRefused("not_refundable")
    left_of_charge = order.total_amount - order.amount_refunded
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
        if amount > left_of_charge:
            raise RefundRefused("nothing_left")
    else:
        amount = left_of_charge
        key = f"telar-refund-{order.id}-all-{order.amount_refunded}"
    if amount <= 0:
        raise RefundRefused("nothing_left")
    params = {"payment_intent": order.stripe_payment_intent_id, "amount": amount, "metadata": metadata}
    if order.stripe_charge_id:
        params = {"charge": order.stripe_charge_id, "amount": amount, "metadata": metadata}
    audit("order.refund_requested", "order", order.id, actor=actor,
          changes={"amount": [None, amount], "line": [None, line_id], "restock": [None, restock]})
    # Commit first: Stripe (or the emulator) may deliver charge.refunded before this call returns.
    db.session.commit()
    return stripe_client().v1.refunds.create(params=params, options={"idempotency_key": key})
