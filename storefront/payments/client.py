"""The one place the storefront builds a Stripe client: keys and API base from config."""
import stripe
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


def plain(obj):
    """A Stripe object as plain dicts and lists (the rest of the app never sees stripe types)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def is_test_key(key: str) -> bool:
    return (key or "").startswith(("sk_test_", "rk_test_"))


def verify_webhook(payload: bytes, signature: str, secret: str, tolerance: int = 300):
    """The verified event, or SignatureVerificationError / ValueError (bad or stale signature, not JSON)."""
    return stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance)
