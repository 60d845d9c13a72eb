"""The cooperative's order pages (/coop/orders) and shipping zones (/coop/shipping)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storefront.accounts.permissions import ADMIN, STAFF, allow
from storefront.accounts.services import audit
from storefront.checkout import shipping
from storefront import formatting
from storefront.extensions import db
from storefront.models import Order, OrderLine, ShippingRate, ShippingZone
from storefront.models.orders import ORDER_STATUSES
from storefront.orders import actions, bp
from storefront.payments.client import StripeError
from storefront.payments.refunds import RefundRefused, request_refund

PAGE_SIZE = 50


def _order_or_404(order_id):
    order = db.session.execute(select(Order).where(Order.id == order_id).options(
        selectinload(Order.lines).selectinload(OrderLine.artisan))).scalar_one_or_none()
    if order is None:
        abort(404)
    return order


@bp.route("/coop/orders")
@allow(*STAFF)
def order_list():
    status = request.args.get("status", "")
    status = status if status in ORDER_STATUSES else ""
    query = (select(Order).options(selectinload(Order.lines))
             .order_by(Order.created_at.desc(), Order.id.desc()))
    if status:
        query = query.where(Order.status == status)
    orders = db.session.execute(query.limit(PAGE_SIZE)).scalars().all()
    counts = dict(db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all())
    return render_template("orders/list.html", orders=orders, status=status, statuses=ORDER_STATUSES,
                           counts=counts, money=formatting.money_for())


@bp.route("/coop/orders/<int:order_id>")
@allow(*STAFF)
def order_detail(order_id):
    order = _order_or_404(order_id)
    return render_template("orders/detail.html", order=order, money=formatting.money_for(),
                           can=lambda status: actions.can_transition(order, status),
                           refundable=(order.status in actions.REFUNDABLE_STATES
                                       and order.stripe_payment_intent_id))


@bp.route("/coop/orders/<int:order_id>/slip")
@allow(*STAFF)
def packing_slip(order_id):
    return render_template("orders/slip.html", order=_order_or_404(order_id))


@bp.route("/coop/orders/<int:order_id>/<action>", methods=["POST"])
@allow(*STAFF)
def order_action(order_id, action):
    order = _order_or_404(order_id)
    try:
        if action == "pack":
            actions.mark_packed(order, current_user)
        elif action == "ship":
            actions.mark_shipped(order, current_user, request.form.get("carrier"),
                                 request.form.get("tracking_number"))
        elif action == "deliver":
            actions.mark_delivered(order, current_user)
        else:
            abort(404)
    except actions.TransitionRefused:
        db.session.rollback()
        flash(_("This order cannot do that from its current status."), "error")
    except ValueError:
        db.session.rollback()
        flash(_("Please give the carrier and the tracking number."), "error")
    else:
        flash(_("Order updated."), "success")
    return redirect(url_for("orders.order_detail", order_id=order.id), 303)


@bp.route("/coop/orders/<int:order_id>/refund", methods=["POST"])
@allow(ADMIN)
def order_refund(order_id):
    order = _order_or_404(order_id)
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


@bp.route("/coop/shipping", methods=["GET", "POST"])
@allow(ADMIN)
def shipping_zones():
    if request.method == "POST":
        error = _save_shipping(request.form)
        if error:
            flash(error, "error")
        else:
            flash(_("Shipping saved."), "success")
        return redirect(url_for("orders.shipping_zones"), 303)
    return render_template("orders/shipping.html", zones=shipping.zones(), money=formatting.money_for(),
                           zone_name=shipping.zone_name, band_text=shipping.band_text)


def _save_shipping(form):
    """Edit a zone's countries, add a band, or delete a band; returns an error sentence or None."""
    what = form.get("what")
    zone_id, rate_id = str(form.get("zone_id", "")), str(form.get("rate_id", ""))
    zone = db.session.get(ShippingZone, int(zone_id)) if zone_id.isdigit() else None
    if zone is None:
        return _("Unknown shipping zone.")
    if what == "countries":
        codes = sorted({c.strip().upper() for c in form.get("countries", "").split(",") if c.strip()})
        known = shipping.all_countries()
        if any(code != shipping.REST_OF_WORLD and code not in known for code in codes) or not codes:
            return _("Use two-letter country codes separated by commas, e.g. US, CA.")
        audit("shipping.zone_changed", "shipping_zone", zone.id,
              changes={"countries": [zone.countries, ",".join(codes)]})
        zone.countries = ",".join(codes)
    elif what == "add_rate":
        try:
            rate = shipping.parse_band(form.get("name"), form.get("basis"), form.get("min_value"),
                                       form.get("max_value"), form.get("amount"), form.get("days_min"),
                                       form.get("days_max"))
        except ValueError:
            return _("Check the band: a name, a basis, from ≤ to, and a price in pesos.")
        zone.rates.append(rate)
        db.session.flush()
        audit("shipping.rate_added", "shipping_rate", rate.id, changes={"amount": [None, rate.amount]})
    elif what == "delete_rate":
        rate = db.session.get(ShippingRate, int(rate_id)) if rate_id.isdigit() else None
        if rate is None or rate.zone_id != zone.id:
            return _("Unknown shipping rate.")
        audit("shipping.rate_deleted", "shipping_rate", rate.id, changes={"amount": [rate.amount, None]})
        db.session.delete(rate)
    else:
        return _("Unknown shipping change.")
    db.session.commit()
    return None
