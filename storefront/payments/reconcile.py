"""Repair what webhooks missed: paid sessions never fulfilled, expired ones never released."""
from datetime import timedelta
import calendar

from flask import current_app

from storefront.checkout import holds
from storefront.extensions import db
from storefront.models import Order, OrderStatus, now_utc
from storefront.orders.actions import transition, lock_order
from storefront.payments.client import StripeError, plain, stripe_client
from storefront.payments.fulfilment import Outbox, fulfil_session, on_expired


def _run(action, *args):
    """Run one repair in its own transaction; emails go out after it commits."""
    outbox = Outbox()
    try:
        outcome = action(args[0], outbox, *args[1:])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    outbox.send_all()
    return outcome


def reconcile(hours: int = 72, limit: int = 1000) -> dict:
    """List recent Checkout Sessions from Stripe and fulfil or expire the orders behind them."""
    since = calendar.timegm((now_utc() - timedelta(hours=hours)).timetuple())
    client = stripe_client()
    summary = {"checked": 0, "paid": 0, "expired": 0}
    params = {"limit": 100, "created": {"gte": since}}
    while summary["checked"] < limit:
        page = plain(client.v1.checkout.sessions.list(params=params))
        for session in page["data"]:
            summary["checked"] += 1
            if not (session.get("metadata") or {}).get("order_id"):
                continue
            if session["status"] == "complete":
                outcome = _run(fulfil_session, session, "reconcile")
                if outcome == "paid":
                    summary["paid"] += 1
                elif outcome not in ("already_fulfilled",):
                    summary[outcome] = summary.get(outcome, 0) + 1
            elif session["status"] == "expired":
                if _run(on_expired, session) == "expired":
                    summary["expired"] += 1
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
            outcome = _run(fulfil_session, session, "holds sweep")
            if outcome in ("paid", "already_fulfilled", "needs_review", "processing"):
                return "paid" if outcome != "processing" else "kept"
    order = lock_order(order_id)
    if order.status in (OrderStatus.PENDING.value, OrderStatus.EXPIRED.value,
                        OrderStatus.PAYMENT_FAILED.value):
        holds.release_holds(order.id)
        if order.status == OrderStatus.PENDING.value:
            transition(order, OrderStatus.EXPIRED, note="holds sweep")
        db.session.commit()
        return "released"
    db.session.rollback()
    return "kept"
