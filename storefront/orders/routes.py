"""The cooperative's order pages (/coop/orders); the changes they make go through the lifecycle."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storefront import formatting
from storefront.accounts.permissions import STAFF, allow
from storefront.extensions import db
from storefront.models import Order, OrderLine
from storefront.models.orders import ORDER_STATUSES
from storefront.orders import actions, bp, lifecycle

PAGE_SIZE = 50


def order_or_404(order_id):
    """The order with its lines and their artisans, or 404."""
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
    order = order_or_404(order_id)
    return render_template("orders/detail.html", order=order, money=formatting.money_for(),
                           can=lambda status: actions.can_transition(order, status),
                           refundable=(order.status in actions.REFUNDABLE_STATES
                                       and order.stripe_payment_intent_id))


@bp.route("/coop/orders/<int:order_id>/slip")
@allow(*STAFF)
def packing_slip(order_id):
    return render_template("orders/slip.html", order=order_or_404(order_id))


@bp.route("/coop/orders/<int:order_id>/<action>", methods=["POST"])
@allow(*STAFF)
def order_action(order_id, action):
    order = order_or_404(order_id)
    try:
        if action == "pack":
            lifecycle.mark_packed(order, current_user)
        elif action == "ship":
            lifecycle.mark_shipped(order, current_user, request.form.get("carrier"),
                                   request.form.get("tracking_number"))
        elif action == "deliver":
            lifecycle.mark_delivered(order, current_user)
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
