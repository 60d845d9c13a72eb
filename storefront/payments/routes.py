"""POST /stripe/webhook: verify the signature on the raw body, then hand the event to fulfilment."""
import json

from flask import current_app, request

from storefront.accounts.permissions import PUBLIC, allow
from storefront.extensions import csrf
from storefront.payments import bp
from storefront.payments.client import SignatureVerificationError, verify_webhook
from storefront.payments.fulfilment import handle_event


@bp.route("/stripe/webhook", methods=["POST"])
@allow(PUBLIC)
@csrf.exempt
def webhook():
    payload = request.get_data(cache=False)
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        current_app.logger.error("STRIPE_WEBHOOK_SECRET is empty: webhook refused")
        return {"error": "webhook secret not configured"}, 400
    try:
        verify_webhook(payload, request.headers.get("Stripe-Signature", ""), secret)
        event = json.loads(payload)
    except (SignatureVerificationError, ValueError):
        return {"error": "invalid signature or payload"}, 400
    if not isinstance(event, dict) or "id" not in event or "data" not in event:
        return {"error": "not an event"}, 400
    outcome = handle_event(event)
    return {"received": True, "outcome": outcome}, 200
