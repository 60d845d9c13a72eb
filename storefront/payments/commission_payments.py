"""Stripe for made-to-order garments: the deposit and balance Checkout Sessions, and deposit refunds.

Built from the commission's frozen amounts only; its id and the part ("deposit" or "balance") ride in
metadata, so the webhook hands the event to the commission's actions instead of the order's.
"""
import calendar
from datetime import timedelta

from storefront.orders.holds import SESSION_MINUTES
from storefront.models import now_utc
from storefront.payments.client import plain, stripe_client

PARTS = ("deposit", "balance")


def commission_session_params(commission, part: str, title: str, success_url: str, cancel_url: str,
                              order_id: int = None) -> dict:
    """One line: the deposit or the balance of the garment, in the buyer's currency (the balance names
    its order too: the lifecycle records it like any order's payment)."""
    if part not in PARTS:
        raise ValueError(part)
    amount = commission.deposit_amount if part == "deposit" else commission.balance_amount
    metadata = {"commission_id": str(commission.id), "part": part}
    if order_id is not None:
        metadata["order_id"] = str(order_id)
    params = {
        "mode": "payment",
        "line_items": [{"quantity": 1, "price_data": {
            "currency": commission.currency.lower(), "unit_amount": amount,
            "product_data": {"name": title[:250], "metadata": metadata}}}],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "client_reference_id": f"commission-{commission.id}",
        "expires_at": calendar.timegm((now_utc() + timedelta(minutes=SESSION_MINUTES)).timetuple()),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "customer_email": commission.buyer_email,
        "locale": commission.locale if commission.locale in ("en", "es", "fr", "de") else "auto",
    }
    if part == "balance":
        params["shipping_address_collection"] = {"allowed_countries": [commission.buyer_country]}
    return params


def create_commission_session(commission, part: str, title: str, success_url: str, cancel_url: str,
                              order_id: int = None) -> dict:
    """Open the session; one idempotency key per commission, part and ten minutes, so a double click opens
    one session, and a click after a session expired (31 minutes) opens a fresh one."""
    now = now_utc()
    hour = now.strftime("%Y%m%d%H") + str(now.minute // 10)
    return plain(stripe_client().v1.checkout.sessions.create(
        params=commission_session_params(commission, part, title, success_url, cancel_url, order_id),
        options={"idempotency_key": f"telar-commission-{commission.id}-{part}-{hour}"}))


def retrieve_session(session_id: str) -> dict:
    return plain(stripe_client().v1.checkout.sessions.retrieve(session_id))


def refund_payment(payment_intent: str, amount: int, key: str, metadata: dict) -> dict:
    return plain(stripe_client().v1.refunds.create(
        params={"payment_intent": payment_intent, "amount": amount, "metadata": metadata},
        options={"idempotency_key": key}))
