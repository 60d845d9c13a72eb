"""Repair what webhooks missed: paid sessions never fulfilled, expired ones never released.

Both doors end in the same lifecycle actions as the webhook (through `fulfilment`), so the ledger and
the emails are the same whichever door a payment came through.
"""
from datetime import timedelta
import calendar

from flask import current_app

from storefront.extensions import db
from storefront.models import Order, now_utc
from storefront.orders import lifecycle
from storefront.payments.client import StripeError, plain, stripe_client
from storefront.payments.fulfilment import fulfil_session, on_expired


def reconcile(hours: int = 72, limit: int = 1000) -> dict:
    """List recent Checkout Sessions from Stripe and fulfil or expire the orders behind them (a commission's
    deposit included: its session names the commission, not an order)."""
    since = calendar.timegm((now_utc() - timedelta(hours=hours)).timetuple())
    client = stripe_client()
    summary = {"checked": 0, "paid": 0, "expired": 0}
    params = {"limit": 100, "created": {"gte": since}}
    while summary["checked"] < limit:
        page = plain(client.v1.checkout.sessions.list(params=params))
        for session in page["data"]:
            summary["checked"] += 1
            metadata = session.get("metadata") or {}
            # An order's session, or a commission's deposit or balance (fulfil_session tells them apart).
            if not (metadata.get("order_id") or metadata.get("commission_id")):
                continue
            if session["status"] == "complete":
                outcome = fulfil_session(session, "reconcile")
                if outcome in ("paid", "deposit_paid"):
                    summary["paid"] += 1
                elif outcome not in ("already_fulfilled", "already_paid"):
                    summary[outcome] = summary.get(outcome, 0) + 1
            elif session["status"] == "expired":
                if on_expired(session, "reconcile") == "expired":
                    summary["expired"] += 1
            db.session.commit()
        if not page["has_more"] or not page["data"]:
            break
        params = {**params, "starting_after": page["data"][-1]["id"]}
    return summary


def settle_expired_order(order_id: int) -> str:
    """An order whose holds expired: fulfil it if Stripe was paid, else release.

    Returns 'paid', 'released' or 'kept'.
    """
    order = db.session.get(Order, order_id)
    session_id = order.stripe_checkout_session_id if order else None
    db.session.commit()   # hold no transaction while Stripe (or the emulator) calls our webhook back
    if session_id and current_app.config.get("STRIPE_SECRET_KEY"):
        try:
            client = stripe_client()
            session = plain(client.v1.checkout.sessions.retrieve(session_id))
            if session["status"] == "open":
                session = plain(client.v1.checkout.sessions.expire(session_id))
        except StripeError:
            current_app.logger.exception("could not ask Stripe about order %s; hold kept", order_id)
            return "kept"
        if session["status"] == "complete":
            outcome = fulfil_session(session, "holds sweep")
            db.session.commit()
            if outcome in ("paid", "already_fulfilled", "needs_review", "processing"):
                return "paid" if outcome != "processing" else "kept"
    return lifecycle.release_expired_holds(order_id, "holds sweep")
