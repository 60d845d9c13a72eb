"""Cart, checkout, success, cancel and the buyer's order page: thin views over cart and services."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.accounts.permissions import PUBLIC, allow, private
from storefront.checkout import bp, cart, services, shipping
from storefront import formatting
from storefront.extensions import csrf, db
from storefront.i18n import LOCALES, current_currency, current_locale
from storefront.models import Order, OrderLine, Product
from storefront.web import cross_site_request
from storefront.web_ids import parse_id

REFUSALS = {
    "empty_cart": lambda t: _("Your cart is empty."),
    "unknown_country": lambda t: _("Please choose the country we should ship to."),
    "no_shipping_rate": lambda t: _("We cannot ship this parcel to that country yet. Please write to us."),
    "just_sold": lambda t: (_("Sorry: “%(title)s” was just sold to another buyer (or someone is paying "
                              "for it right now). It is no longer in your order.", title=t) if t else
                            _("Sorry: a garment in your cart was just sold to another buyer.")),
    "payments_unavailable": lambda t: _("Card payments are not available at the moment. Nothing was charged; "
                                        "please try again in a few minutes."),
}


def _product_or_404(value):
    product_id = parse_id(value)
    product = db.session.get(Product, product_id) if product_id is not None else None
    if not cart.buyable(product):
        abort(404)
    return product


def _country():
    country = (request.values.get("country") or session.get("ship_country") or "").strip().upper()[:2]
    return country if country in shipping.all_countries() else ""


@bp.route("/cart", endpoint="cart")
@allow(PUBLIC)
@private
def cart_view():
    locale, currency = current_locale(), current_currency()
    lines = cart.lines(currency, locale)
    country = _country()
    if request.args.get("country") and country:
        session["ship_country"] = country
    quote, refusal = None, None
    if lines and country:
        try:
            quote = services.quote_shipping(lines, country)
        except services.CheckoutRefused as refused:
            refusal = REFUSALS[refused.code](None)
    subtotal = sum(line.line_amount for line in lines)
    return render_template("checkout/cart.html", lines=lines, country=country, quote=quote, refusal=refusal,
                           countries=formatting.country_names(locale, shipping.all_countries(locale)),
                           subtotal=subtotal, currency=lines[0].unit.currency if lines else currency,
                           money=formatting.money_for(locale), max_quantity=cart.MAX_QUANTITY)


@bp.route("/cart/add", methods=["POST"])
@allow(PUBLIC)
@csrf.exempt  # no token on the public pages, so any cache may share them: see web.cross_site_request
def cart_add():
    if cross_site_request():
        abort(400)
    product = _product_or_404(request.form.get("product_id"))
    quantity = cart.parse_quantity(request.form.get("quantity"), default=1)
    if not quantity:
        flash(_("Please choose how many (1 to %(max)d).", max=cart.MAX_QUANTITY), "error")
        return redirect(url_for("checkout.cart"), 303)
    if product.stock <= 0:
        flash(_("Sorry: this garment was just sold, or someone is paying for it right now."), "error")
        return redirect(url_for("checkout.cart"), 303)
    if cart.add(product, quantity) == 0:
        flash(_("Your cart is full."), "error")
    else:
        flash(_("Added to your cart."), "success")
    return redirect(url_for("checkout.cart"), 303)


@bp.route("/cart/update", methods=["POST"])
@allow(PUBLIC)
def cart_update():
    product_id = parse_id(request.form.get("product_id"))
    product = db.session.get(Product, product_id) if product_id is not None else None
    if product is None:
        abort(404)
    quantity = cart.parse_quantity(request.form.get("quantity"))
    if quantity is None:
        flash(_("Please choose how many (1 to %(max)d).", max=cart.MAX_QUANTITY), "error")
    elif quantity > product.stock:
        cart.set_quantity(product.id, product.stock, product.stock)
        flash(ngettext_stock(product.stock), "error")
    else:
        cart.set_quantity(product.id, quantity, product.stock)
    return redirect(url_for("checkout.cart"), 303)


def ngettext_stock(stock):
    from flask_babel import ngettext
    if stock <= 0:
        return _("Sorry: this garment was just sold, or someone is paying for it right now.")
    return ngettext("Only %(num)d is available.", "Only %(num)d are available.", stock)


@bp.route("/cart/remove", methods=["POST"])
@allow(PUBLIC)
def cart_remove():
    product_id = parse_id(request.form.get("product_id"))
    if product_id is not None:
        cart.remove(product_id)
    flash(_("Removed from your cart."), "success")
    return redirect(url_for("checkout.cart"), 303)


@bp.route("/checkout", methods=["POST"])
@allow(PUBLIC)
def checkout():
    """Prices, currency and stock come from the server; the form only says where to ship."""
    locale = current_locale()
    lines = cart.lines(current_currency(), locale)
    country = _country()
    email = (request.form.get("email") or "").strip()[:254]
    if email and ("@" not in email or " " in email):
        flash(_("That email address does not look right."), "error")
        return redirect(url_for("checkout.cart"), 303)
    if not country:
        flash(REFUSALS["unknown_country"](None), "error")
        return redirect(url_for("checkout.cart"), 303)
    session["ship_country"] = country
    try:
        order, checkout_url = services.start_checkout(lines, country, email, locale)
    except services.CheckoutRefused as refused:
        if refused.code == "just_sold":
            for line in lines:
                if line.title == refused.product_title:
                    cart.remove(line.product.id)
        flash(REFUSALS[refused.code](refused.product_title), "error")
        return redirect(url_for("checkout.cart"), 303)
    session["pending_order"] = order.public_token
    return redirect(checkout_url, 303)


def _order_page(order, status_code=200):
    """Her order, in the language she placed it in (as her emails are), whatever her browser says now."""
    locale = order.locale if order.locale in LOCALES else current_locale()
    with force_locale(locale):
        return render_template("checkout/order.html", order=order, money=formatting.money_for(locale)), \
            status_code


def _order_by(column, value):
    return db.session.execute(select(Order).where(column == value).options(
        selectinload(Order.lines).selectinload(OrderLine.artisan))).scalar_one_or_none()


@bp.route("/checkout/success")
@allow(PUBLIC)
@private
def success():
    session_id = (request.args.get("session_id") or "").strip()[:255]
    order = _order_by(Order.stripe_checkout_session_id, session_id) if session_id else None
    if order is None:
        abort(404)
    if order.status not in ("pending", "expired", "payment_failed"):
        cart.clear()
    session.pop("pending_order", None)
    return _order_page(order)


@bp.route("/checkout/cancel")
@allow(PUBLIC)
@private
def cancel():
    token = (request.args.get("order") or "").strip()[:64]
    order = _order_by(Order.public_token, token) if token else None
    if order is not None and order.status == "pending":
        if services.abandon(order.id, note="buyer cancelled"):
            services.close_session(order.stripe_checkout_session_id)
        flash(_("Payment cancelled. Your garments are in your cart."), "info")
    return redirect(url_for("checkout.cart"), 303)


@bp.route("/orders/<token>")
@allow(PUBLIC)
@private
def order_status(token):
    order = _order_by(Order.public_token, token[:64])
    if order is None:
        abort(404)
    return _order_page(order)
