"""Stripe Checkout Sessions: built from the order's server-side amounts only."""
import calendar
from datetime import timedelta

from flask import current_app, url_for

from storefront.orders.holds import SESSION_MINUTES
from storefront.models import now_utc
from storefront.payments.client import stripe_client


def _absolute(endpoint, **values):
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _delivery_estimate(rate):
    if not (rate.delivery_days_min and rate.delivery_days_max):
        return {}
    return {"delivery_estimate": {"minimum": {"unit": "business_day", "value": rate.delivery_days_min},
                                  "maximum": {"unit": "business_day", "value": rate.delivery_days_max}}}


def session_params(order, quote) -> dict:
    """The Checkout Session for `order`: lines in its currency, one shipping option, its id in metadata."""
    currency = order.currency.lower()
    expires_at = now_utc() + timedelta(minutes=SESSION_MINUTES)
    params = {
        "mode": "payment",
        "line_items": [{"quantity": line.quantity, "price_data": {
            "currency": currency, "unit_amount": line.unit_amount,
            "product_data": {"name": line.title, "metadata": {"product_id": str(line.product_id)}}}}
            for line in order.lines],
        "shipping_address_collection": {"allowed_countries": quote.allowed_countries},
        "shipping_options": [{"shipping_rate_data": {
            "type": "fixed_amount", "display_name": quote.rate.name,
            "fixed_amount": {"amount": order.shipping_amount, "currency": currency},
            **_delivery_estimate(quote.rate)}}],
        "metadata": {"order_id": str(order.id)},
        "payment_intent_data": {"metadata": {"order_id": str(order.id)}},
        "client_reference_id": str(order.id),
        "expires_at": calendar.timegm(expires_at.timetuple()),
        "success_url": _absolute("checkout.success") + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": _absolute("checkout.cancel", order=order.public_token),
        "locale": order.locale if order.locale in ("en", "es", "fr", "de") else "auto",
    }
    if order.buyer_email:
        params["customer_email"] = order.buyer_email
    return params


def create_checkout_session(order, quote):
    """Open the session (idempotency key per order, so a retried request never opens two)."""
    return stripe_client().v1.checkout.sessions.create(
        params=session_params(order, quote), options={"idempotency_key": f"telar-order-{order.id}-session"})
