"""The cooperative's shipping zones and bands (/coop/shipping): where parcels go and what they cost."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from storefront.accounts.permissions import ADMIN, allow
from storefront.accounts.services import audit
from storefront.checkout import bp, shipping
from storefront.extensions import db
from storefront.models import ShippingRate, ShippingZone
from storefront import formatting
from storefront.web_ids import parse_id


@bp.route("/coop/shipping", methods=["GET", "POST"])
@allow(ADMIN)
def shipping_zones():
    if request.method == "POST":
        error = _save_shipping(request.form)
        if error:
            flash(error, "error")
        else:
            flash(_("Shipping saved."), "success")
        return redirect(url_for("checkout.shipping_zones"), 303)
    return render_template("orders/shipping.html", zones=shipping.zones(), money=formatting.money_for(),
                           zone_name=shipping.zone_name, band_text=shipping.band_text)


def _save_shipping(form):
    """Edit a zone's countries, add a band, or delete a band; returns an error sentence or None."""
    what = form.get("what")
    zone_id, rate_id = parse_id(form.get("zone_id")), parse_id(form.get("rate_id"))
    zone = db.session.get(ShippingZone, zone_id) if zone_id else None
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
        rate = db.session.get(ShippingRate, rate_id) if rate_id else None
        if rate is None or rate.zone_id != zone.id:
            return _("Unknown shipping rate.")
        audit("shipping.rate_deleted", "shipping_rate", rate.id, changes={"amount": [rate.amount, None]})
        db.session.delete(rate)
    else:
        return _("Unknown shipping change.")
    db.session.commit()
    return None
