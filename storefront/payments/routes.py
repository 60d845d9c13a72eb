"""POST /stripe/webhook (verify the signed raw body, then hand the event to the adapter) and the staff's
refund button, which asks Stripe for the refund (the lifecycle applies it when Stripe confirms)."""
from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from storefront.accounts.permissions import ADMIN, PUBLIC, allow
from storefront.extensions import csrf, db
from storefront.orders.routes import order_or_404
from storefront.payments import bp
from storefront.payments.client import StripeError, WebhookRefused, verify_webhook
from storefront.payments.fulfilment import handle_event
from storefront.payments.refunds import RefundRefused, request_refund


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
        event = verify_webhook(payload, request.headers.get("Stripe-Signature", ""), secret)
    except WebhookRefused as refused:
        return {"error": str(refused)}, 400
    outcome = handle_event(event)
    return {"received": True, "outcome": outcome}, 200


@bp.route("/coop/orders/<int:order_id>/refund", methods=["POST"])
@allow(ADMIN)
def order_refund(order_id):
    order = order_or_404(order_id)
    line_id = request.form.get("line_id", "")
    quantity = request.form.get("quantity", "")
    try:
        request_refund(order, current_user, line_id=int(line_id) if line_id.isdigit() else None,
                       quantity=int(quantity) if quantity.isdigit() else None,
                       restock=request.form.get("restock") == "1")
    except RefundRefused:
        db.session.rollback()
        flash(_("This refund is not possible (already refunded, or the amount is not right)."), "error")
    except StripeError as error:
        db.session.rollback()
        flash(_("Stripe refused the refund: %(message)s", message=error.user_message or str(error)), "error")
    else:
        flash(_("Refund sent to Stripe. The artisan's ledger is updated when Stripe confirms it."), "success")
    return redirect(url_for("orders.order_detail", order_id=order.id), 303)
