"""The one place the storefront builds a Stripe client: keys and API base from config."""
import json
import time
import typing
from functools import lru_cache

import stripe
from stripe.params.checkout import SessionCreateParamsShippingAddressCollection
from flask import current_app

StripeError = stripe.StripeError
SignatureVerificationError = stripe.SignatureVerificationError


class PaymentsNotConfigured(RuntimeError):
    """No STRIPE_SECRET_KEY: `make run` starts the emulator; elsewhere a person must set the key."""


def stripe_client() -> stripe.StripeClient:
    """A StripeClient for the configured key, pointed at STRIPE_API_BASE when set (emulator, stripe-mock)."""
    config = current_app.config
    key = config.get("STRIPE_SECRET_KEY")
    if not key:
        raise PaymentsNotConfigured("STRIPE_SECRET_KEY is empty")
    extensions = current_app.extensions
    cached = extensions.get("telar_stripe_client")
    if cached is not None and cached[0] == (key, config.get("STRIPE_API_BASE")):
        return cached[1]
    base = config.get("STRIPE_API_BASE") or None
    client = stripe.StripeClient(key, base_addresses={"api": base} if base else None, max_network_retries=2)
    extensions["telar_stripe_client"] = ((key, config.get("STRIPE_API_BASE")), client)
    return client


@lru_cache(maxsize=1)
def checkout_countries() -> frozenset:
    """The two-letter codes Stripe Checkout accepts in `shipping_address_collection.allowed_countries`.

    Stripe's own list, as stripe-python types it (`Literal[...]` inside `Union[Literal[...], str]`):
    no guess from Babel's territories (which include Sark, CQ, that Stripe refuses).
    """
    union = typing.get_type_hints(SessionCreateParamsShippingAddressCollection)["allowed_countries"]
    literal = next(arg for arg in typing.get_args(typing.get_args(union)[0])
                   if typing.get_origin(arg) is typing.Literal)
    return frozenset(typing.get_args(literal))


def plain(obj):
    """A Stripe object as plain dicts and lists (the rest of the app never sees stripe types)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def is_test_key(key: str) -> bool:
    return (key or "").startswith(("sk_test_", "rk_test_"))


class WebhookRefused(ValueError):
    """A webhook body that is not a signed, fresh, well-formed Stripe event; nothing was changed."""


def _signed_at(signature: str):
    for item in (signature or "").split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value)
    return None


def well_formed_event(body) -> dict:
    """`body` if it has an event's shape (id, type, data.object as an object), else WebhookRefused."""
    if not isinstance(body, dict):
        raise WebhookRefused("not an event")
    event_id, event_type, data = body.get("id"), body.get("type"), body.get("data")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 255):
        raise WebhookRefused("event without an id")
    if not (isinstance(event_type, str) and 0 < len(event_type) <= 80):
        raise WebhookRefused("event without a type")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise WebhookRefused("event without data.object")
    return body


def verify_webhook(payload: bytes, signature: str, secret: str, tolerance: int = 300) -> dict:
    """The verified event as plain dicts, or WebhookRefused: bad signature, timestamp more than
    `tolerance` seconds away from now (in the past or in the future), not JSON, not an event."""
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature, secret, tolerance)
    except (SignatureVerificationError, UnicodeDecodeError):
        raise WebhookRefused("invalid signature") from None
    signed_at = _signed_at(signature)
    if signed_at is None or signed_at > time.time() + tolerance:
        raise WebhookRefused("timestamp outside the tolerance zone")
    try:
        body = json.loads(payload)
    except (ValueError, RecursionError):
        raise WebhookRefused("not JSON") from None
    return well_formed_event(body)
