"""Checkout as named actions: start (order + holds + Stripe session), cancel, and the hold sweep."""
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.exc import IntegrityError

from storefront.models import Order, OrderLine, now_utc
from storefront.checkout import shipping
from storefront.orders import holds, lifecycle
from storefront.payments import reconcile, sessions
from storefront.payments.client import StripeError, stripe_client
from storefront.pricing import price_in


class CheckoutRefused(Exception):
    """The checkout cannot start; `code` says why, `product_title` names a garment that was just sold."""

    def __init__(self, code, product_title=None):
        super().__init__(code)
        self.code, self.product_title = code, product_title


@dataclass
class Quote:
    zone: object
    rate: object
    shipping: object      # Price in the buyer's currency
    allowed_countries: list


def quote_shipping(cart_lines, country: str) -> Quote:
    """The shipping band and price for this cart to `country`, or CheckoutRefused."""
    all_zones = shipping.zones()
    zone = shipping.zone_for_country(country, all_zones)
    if zone is None:
        raise CheckoutRefused("unknown_country")
    weight = sum((line.product.weight_grams or 0) * line.quantity for line in cart_lines)
    items = sum(line.quantity for line in cart_lines)
    rate = shipping.rate_for(zone, weight, items)
    if rate is None:
        raise CheckoutRefused("no_shipping_rate")
    currency = cart_lines[0].unit.currency if cart_lines else "MXN"
    return Quote(zone=zone, rate=rate, shipping=price_in(rate.amount, currency),
                 allowed_countries=shipping.allowed_countries(zone, all_zones))


def start_checkout(cart_lines, country: str, email: str, locale: str):
    """Create the order and hold its stock (committed), then open the Stripe Checkout Session.

    Prices come from the database only (never from the form). Returns (order, checkout URL).
    """
    if not cart_lines:
        raise CheckoutRefused("empty_cart")
    quote = quote_shipping(cart_lines, country)
    currency = cart_lines[0].unit.currency
    rate = cart_lines[0].unit
    subtotal = sum(line.line_amount for line in cart_lines)
    order = Order(public_token=secrets.token_urlsafe(24), buyer_email=email or None, locale=locale,
                  currency=currency, subtotal_amount=subtotal, shipping_amount=quote.shipping.amount,
                  total_amount=subtotal + quote.shipping.amount, exchange_rate=rate.rate,
                  exchange_rate_id=rate.rate_id, shipping_zone_id=quote.zone.id,
                  shipping_amount_mxn=quote.rate.amount, shipping_country=(country or "").upper()[:2])
    for line in cart_lines:
        order.lines.append(OrderLine(product_id=line.product.id, artisan_id=line.product.artisan_id,
                                     title=line.title[:200], quantity=line.quantity,
                                     unit_price_mxn=line.product.price_amount, unit_amount=line.unit.amount,
                                     line_amount=line.line_amount))
    titles = {line.product.id: line.title for line in cart_lines}
    quantities = {}
    for line in cart_lines:
        quantities[line.product.id] = quantities.get(line.product.id, 0) + line.quantity
    try:
        lifecycle.start_checkout(order, quantities)
    except holds.SoldOut as sold:
        raise CheckoutRefused("just_sold", titles.get(sold.product_id)) from None
    except IntegrityError:
        raise CheckoutRefused("just_sold") from None
    try:
        session = sessions.create_checkout_session(order, quote)
    except Exception:
        current_app.logger.exception("could not open a Checkout Session for order %s", order.id)
        abandon(order.id, note="checkout session not created")
        raise CheckoutRefused("payments_unavailable") from None
    order = lifecycle.attach_checkout_session(order.id, session["id"])
    return order, session["url"]


def abandon(order_id: int, note=None) -> bool:
    """Release a pending order's holds and mark it expired (committed); False if it is past pending."""
    return lifecycle.expire(order_id, note or "abandoned") == "expired"


def close_session(session_id):
    """Expire the buyer's open Checkout Session so it cannot be paid after she cancelled (best effort)."""
    if not session_id:
        return
    try:
        stripe_client().v1.checkout.sessions.expire(session_id)
    except StripeError:
        current_app.logger.info("session %s was not open any more", session_id)


def sweep_holds(now=None) -> dict:
    """Release every hold past its expiry whose order was not paid (asking Stripe first, when it can)."""
    now = now or now_utc()
    summary = {"released": 0, "paid": 0, "kept": 0}
    for order_id in holds.expired_hold_order_ids(now):
        outcome = reconcile.settle_expired_order(order_id)
        summary[outcome] = summary.get(outcome, 0) + 1
    return summary
