"""/coop/rates: the cooperative admin records exchange rates (history kept, newest one used)."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront.accounts.permissions import ADMIN, allow
from storefront.accounts.services import audit
from storefront.catalog import bp
from storefront.catalog.forms import RateForm
from storefront.extensions import db
from storefront.models import ExchangeRate
from storefront.pricing import latest_rates, parse_rate, set_rate


def record_rate(currency, text, user):
    """Audit and save a new rate in one commit; returns the new row."""
    previous = latest_rates().get(currency)
    rate = parse_rate(text.replace(",", "."))
    audit("exchange_rate.set", "exchange_rate", note=currency, actor=user,
          changes={"rate": [str(previous.rate) if previous else None, str(rate)]})
    return set_rate(currency, rate, user=user)


def rate_history(limit=30):
    return db.session.execute(select(ExchangeRate).order_by(ExchangeRate.set_at.desc(), ExchangeRate.id.desc())
                              .limit(limit)).scalars().all()


@bp.route("/coop/rates", methods=["GET", "POST"])
@allow(ADMIN)
def rates():
    form = RateForm()
    if form.validate_on_submit():
        row = record_rate(form.currency.data, form.rate.data, current_user)
        flash(_("Saved: 1 MXN = %(rate)s %(currency)s.", rate=row.rate.normalize(), currency=row.currency), "success")
        return redirect(url_for("catalog.rates"))
    return render_template("catalog/rates.html", form=form, current=sorted(latest_rates().items()),
                           history=rate_history())
