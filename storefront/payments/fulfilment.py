"""The Stripe adapter: a verified event (or a session reconcile found) becomes one lifecycle action.

For each event: record its id once (unique WebhookEvent row, committed with the action's effects, so a
redelivery is a no-op), find the order it speaks of and check the event really belongs to it, ask
Stripe what the event leaves out (the balance transaction's fee, the charge's refunds) BEFORE any
order row is locked, then call `storefront.orders.lifecycle`, which locks, changes and commits.
Event objects are read defensively: a signed event of an unexpected shape is ignored, never a 500.
"""
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storefront.extensions import db
from storefront.models import Commission, Order, OrderRefund, RefundStatus, WebhookEvent, now_utc
from storefront.orders import commissions, lifecycle
from storefront.orders.lifecycle import PaymentFacts, RefundFacts
from storefront.payments.client import plain, stripe_client


def _value(obj, key, default=None):
    """Field of a Stripe object or plain dict; `default` when missing, null or `obj` is not a dict."""
    if not isinstance(obj, dict):
        return default
    value = obj.get(key)
    return default if value is None else value


def _text(obj, key):
    value = _value(obj, key)
    return value if isinstance(value, str) and value else None


def _number(obj, key):
    value = _value(obj, key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def handle_event(event: dict) -> str:
    """Process one verified, well-formed event exactly once: 'duplicate', 'ignored' or the outcome."""
    handler = HANDLERS.get(event["type"])
    try:
        db.session.add(WebhookEvent(stripe_event_id=event["id"], type=event["type"], processed_at=now_utc()))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    try:
        outcome = handler(event["data"]["object"]) if handler else "ignored"
        db.session.commit()   # the event row, when the handler's action did not commit it already
    except IntegrityError:
        # The same event processed concurrently by another worker, or a ledger key already taken.
        db.session.rollback()
        return "duplicate"
    except Exception:
        db.session.rollback()
        raise
    return outcome


def _order_id_for(metadata, session_id=None, payment_intent=None):
    """The id of the order an object names (metadata, then session, then payment intent); no lock."""
    order_id = str(_value(metadata, "order_id", "")).strip()
    if order_id.isdigit() and len(order_id) < 18:
        found = db.session.scalar(select(Order.id).where(Order.id == int(order_id)))
        if found:
            return found
    if session_id:
        found = db.session.scalar(select(Order.id).where(Order.stripe_checkout_session_id == session_id))
        if found:
            return found
    if payment_intent:
        return db.session.scalar(select(Order.id).where(Order.stripe_payment_intent_id == payment_intent))
    return None


def _session_order(session):
    """(order id, order status) for a Checkout Session, or (None, None) if it is not one of ours.

    One query, no lock: the lifecycle locks the row when it changes it.
    """
    session_id = _text(session, "id")
    order_id = str(_value(_value(session, "metadata"), "order_id", "")).strip()
    columns = select(Order.id, Order.stripe_checkout_session_id, Order.status)
    row = None
    if order_id.isdigit() and len(order_id) < 18:
        row = db.session.execute(columns.where(Order.id == int(order_id))).one_or_none()
    if row is None and session_id:
        row = db.session.execute(columns.where(Order.stripe_checkout_session_id == session_id)).one_or_none()
    if row is None:
        return None, None
    order_id, known_session, status = row
    if session_id and known_session not in (None, session_id):
        current_app.logger.warning("session %s does not belong to order %s", session_id, order_id)
        return None, None
    return order_id, status


def _balance_facts(intent_id):
    """(charge id, fee, net, settlement currency, exchange rate) from Stripe's balance transaction."""
    intent = plain(stripe_client().v1.payment_intents.retrieve(
        intent_id, params={"expand": ["latest_charge.balance_transaction"]}))
    charge = _value(intent, "latest_charge")
    charge_id = charge if isinstance(charge, str) else _text(charge, "id")
    txn = _value(charge, "balance_transaction")
    if not isinstance(txn, dict):
        return charge_id, None, None, None, None
    rate = _value(txn, "exchange_rate")
    try:
        rate = Decimal(str(rate)) if rate is not None else None
    except InvalidOperation:
        rate = None
    return (charge_id, int(_value(txn, "fee", 0)), int(_value(txn, "net", 0)),
            str(_value(txn, "currency", "")).upper() or None, rate)


def payment_facts(session, fetch_balance=True) -> PaymentFacts:
    """A Checkout Session as lifecycle facts; the fee is fetched from Stripe when the session is paid."""
    details = _value(session, "customer_details", {})
    shipping = _value(_value(session, "collected_information", {}), "shipping_details") \
        or _value(session, "shipping_details")
    address = _value(shipping, "address") or _value(details, "address")
    paid = _value(session, "payment_status") in ("paid", "no_payment_required")
    intent_id = _text(session, "payment_intent")
    fields = ("line1", "line2", "city", "postal_code", "state", "country")
    facts = PaymentFacts(
        checkout_session_id=_text(session, "id"), amount=_number(session, "amount_total") or 0,
        currency=str(_value(session, "currency", "")).upper(), paid=paid, payment_intent_id=intent_id,
        buyer_email=_text(details, "email"), buyer_name=_text(shipping, "name") or _text(details, "name"),
        shipping_address={k: _text(address, k) for k in fields} if isinstance(address, dict) else None)
    if paid and intent_id and fetch_balance:
        (facts.charge_id, facts.fee_amount, facts.net_amount, facts.settlement_currency,
         facts.settlement_exchange_rate) = _balance_facts(intent_id)
    return facts


def fulfil_session(session, source="webhook") -> str:
    """A completed Checkout Session: the order paid (or processing), whatever calls it and how often."""
    if _value(session, "status") != "complete":
        return "not_complete"
    if _value(_value(session, "metadata"), "commission_id"):
        return fulfil_commission_session(session, source)
    order_id, status = _session_order(session)
    if order_id is None:
        return "unknown_order"
    if status not in lifecycle.UNPAID_STATES:
        return "already_fulfilled"     # answered without asking Stripe anything
    facts = payment_facts(session)     # the network, before the lifecycle locks the order
    return lifecycle.record_payment(order_id, facts, source)


def fulfil_commission_session(session, source="webhook") -> str:
    """A commission's deposit (the commission's own action) or balance (its order, through the lifecycle)."""
    metadata = _value(session, "metadata", {})
    commission_id, part = str(_value(metadata, "commission_id", "")), _value(metadata, "part")
    if not commission_id.isdigit() or len(commission_id) > 17:
        return "unknown_commission"
    if part == "deposit":
        return commissions.deposit_paid(int(commission_id), session, source)
    if part != "balance":
        return "ignored"
    order_id, status = _session_order(session)
    if order_id is None:
        return "unknown_order"
    if status not in lifecycle.UNPAID_STATES:
        return "already_fulfilled"
    facts = payment_facts(session)     # the network, before the commission and its order are locked
    return commissions.balance_paid(int(commission_id), order_id, facts, source)


def on_completed(session):
    return fulfil_session(session, "checkout.session.completed")


def on_async_succeeded(session):
    return fulfil_session(session, "checkout.session.async_payment_succeeded")


def on_async_failed(session):
    order_id, _status = _session_order(session)
    if order_id is None:
        return "ignored"
    return lifecycle.record_payment_failed(order_id, "checkout.session.async_payment_failed")


def on_expired(session, source="checkout.session.expired"):
    order_id, _status = _session_order(session)
    if order_id is None:
        return "ignored"
    return lifecycle.expire(order_id, source)


def _session_for_intent(intent_id, order_id):
    """The order's Checkout Session whose payment intent is `intent_id`, checked field by field."""
    sessions = plain(stripe_client().v1.checkout.sessions.list(
        params={"payment_intent": intent_id, "limit": 10}))
    known = db.session.scalar(select(Order.stripe_checkout_session_id).where(Order.id == order_id))
    for session in _value(sessions, "data", []):
        if _text(session, "payment_intent") != intent_id:
            continue
        if known and _text(session, "id") != known:
            continue
        if str(_value(_value(session, "metadata"), "order_id", "")) not in ("", str(order_id)):
            continue
        return session
    return None


def _refund_facts(refund, charge):
    metadata = _value(refund, "metadata", {})
    line_id = str(_value(metadata, "line_id", ""))
    quantity = str(_value(metadata, "quantity", ""))
    return RefundFacts(refund_id=_text(refund, "id"), amount=_number(refund, "amount") or 0,
                       currency=str(_value(refund, "currency", "")).upper(), charge_id=_text(charge, "id"),
                       charge_amount_refunded=_number(charge, "amount_refunded"),
                       line_id=int(line_id) if line_id.isdigit() and len(line_id) < 18 else None,
                       quantity=int(quantity) if quantity.isdigit() and len(quantity) < 9 else None,
                       restock=str(_value(metadata, "restock", "0")) == "1", metadata=dict(metadata))


def _succeeded_refunds(charge, skip=()):
    """Every succeeded refund of `charge` that Stripe lists now, oldest first, as lifecycle facts (the
    network: asked before any row is locked). Listing, not the event's copy, makes a replayed or late
    event see today's truth."""
    charge_id = _text(charge, "id")
    refunds = plain(stripe_client().v1.refunds.list(params={"charge": charge_id, "limit": 100}))
    return [_refund_facts(refund, charge)
            for refund in sorted(_value(refunds, "data", []), key=lambda r: (_value(r, "created", 0),
                                                                             str(_value(r, "id", ""))))
            if _value(refund, "status") == "succeeded" and _text(refund, "id")
            and _value(refund, "charge") == charge_id and _text(refund, "id") not in skip]


def on_charge_refunded(charge):
    """Every succeeded refund of the charge, matched to the order by payment intent AND charge (or to the
    commission whose deposit it paid)."""
    intent_id, charge_id = _text(charge, "payment_intent"), _text(charge, "id")
    if not intent_id or not charge_id:
        return "ignored"
    commission_id = _deposit_commission(charge, intent_id)
    if commission_id is not None:
        return refund_deposit(commission_id, charge, intent_id)
    order_id = _order_id_for({}, payment_intent=intent_id)
    session = None
    if order_id is None:
        # The refund overtook the payment's own webhook: the order is named only by metadata, so the
        # Checkout Session must confirm that this payment intent is really its payment.
        order_id = _order_id_for(_value(charge, "metadata"))
        session = _session_for_intent(intent_id, order_id) if order_id else None
        if session is None:
            return "unknown_order"
    known_charge, known_intent = db.session.execute(
        select(Order.stripe_charge_id, Order.stripe_payment_intent_id).where(Order.id == order_id)).one()
    if known_charge not in (None, charge_id) or known_intent not in (None, intent_id):
        current_app.logger.warning("charge %s does not belong to order %s", charge_id, order_id)
        return "unknown_order"
    applied = set(db.session.scalars(select(OrderRefund.stripe_refund_id).where(
        OrderRefund.order_id == order_id, OrderRefund.status == RefundStatus.APPLIED.value)))
    facts = _succeeded_refunds(charge, skip=applied)
    outcomes = lifecycle.record_refunds(order_id, facts, "charge.refunded") if facts else []
    if session is not None and _value(session, "status") == "complete":
        # Stripe's record says the payment succeeded: record it now; the kept refunds follow it.
        fulfil_session(session, "charge.refunded (late completion)")
    balance_of = db.session.scalar(select(Commission.id).where(Commission.order_id == order_id))
    if balance_of is not None:
        # A commission's balance order: its own refund went through the lifecycle above, like any order's
        # (her rest of share taken back); the commission settles her advance if the deposit went back too.
        commissions.balance_refunded(balance_of, "charge.refunded")
    return f"refunds_applied:{outcomes.count('refund_applied')}" if "refund_kept" not in outcomes \
        else f"refunds_kept:{outcomes.count('refund_kept')}"


def _deposit_commission(charge, intent_id):
    """The commission whose deposit this payment intent paid: known from the deposit, else named by the
    charge's metadata (a refund overtaking the deposit's webhook; `refund_deposit` checks it). No lock."""
    found = db.session.scalar(select(Commission.id).where(Commission.deposit_payment_intent_id == intent_id))
    if found is not None:
        return found
    metadata = _value(charge, "metadata", {})
    commission_id = str(_value(metadata, "commission_id", ""))
    if _value(metadata, "part") != "deposit" or not commission_id.isdigit() or len(commission_id) > 17:
        return None
    return db.session.scalar(select(Commission.id).where(Commission.id == int(commission_id),
                                                         Commission.deposit_payment_intent_id.is_(None)))


def _deposit_session_for_intent(intent_id, commission_id):
    """The commission's deposit Checkout Session whose payment intent is `intent_id`, checked field by
    field (never a session of another commission, or another session than the one it opened)."""
    known = db.session.scalar(select(Commission.deposit_session_id).where(Commission.id == commission_id))
    sessions = plain(stripe_client().v1.checkout.sessions.list(
        params={"payment_intent": intent_id, "limit": 10}))
    for session in _value(sessions, "data", []):
        metadata = _value(session, "metadata", {})
        if (_text(session, "payment_intent") == intent_id and (not known or _text(session, "id") == known)
                and str(_value(metadata, "commission_id", "")) == str(commission_id)
                and _value(metadata, "part") == "deposit"):
            return session
    return None


def refund_deposit(commission_id, charge, intent_id, source="charge.refunded"):
    """Refunds of a commission's deposit: the same listing as an order's, then the commission's action.

    A refund that overtook the deposit's own webhook first records the deposit from Stripe's session
    (quietly: nobody is told work starts), so the refund applies to a recorded payment."""
    if db.session.scalar(select(Commission.deposit_payment_intent_id)
                         .where(Commission.id == commission_id)) is None:
        session = _deposit_session_for_intent(intent_id, commission_id)
        if session is None or _value(session, "status") != "complete":
            current_app.logger.warning("charge %s: no paid deposit of commission %s", _text(charge, "id"),
                                       commission_id)
            return "unknown_commission"
        commissions.deposit_paid(commission_id, session, f"{source} (late completion)", announce=False)
    return commissions.deposit_refunds(commission_id, _succeeded_refunds(charge), source)


def on_refund_event(refund):
    """refund.created / refund.updated / charge.refund.updated: the charge it belongs to, asked of Stripe,
    then exactly what charge.refunded does (only succeeded refunds count, each once)."""
    charge_id = _text(refund, "charge")
    if not charge_id:
        return "ignored"
    charge = plain(stripe_client().v1.charges.retrieve(charge_id))
    return on_charge_refunded(charge)


HANDLERS = {
    "checkout.session.completed": on_completed,
    "checkout.session.async_payment_succeeded": on_async_succeeded,
    "checkout.session.async_payment_failed": on_async_failed,
    "checkout.session.expired": on_expired,
    "charge.refunded": on_charge_refunded,
    "refund.created": on_refund_event,
    "refund.updated": on_refund_event,
    "charge.refund.updated": on_refund_event,
}
