"""/coop/: what needs attention first, then every staff page; /coop/payouts: whom the cooperative owes."""
from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from storefront.accounts.permissions import STAFF, allow
from storefront.extensions import db
from storefront.formatting import sorted_by_name
from storefront.models import Artisan
from storefront.models.orders import ORDER_STATUSES
from storefront.staff import bp, menu, words


def _owed_artisans():
    owed = dict(menu.balances_owed())
    artisans = db.session.execute(select(Artisan).where(Artisan.id.in_(owed))).scalars().all() if owed else []
    return [(artisan, owed[artisan.id]) for artisan in sorted_by_name(artisans, key=lambda a: a.display_name)]


@bp.route("/coop/")
@allow(*STAFF)
def home():
    counts = menu.order_counts()
    owed = _owed_artisans()
    return render_template(
        "staff/home.html", counts=counts, statuses=[s for s in ORDER_STATUSES if counts.get(s)],
        to_pack=sum(counts.get(s, 0) for s in menu.TO_PACK),
        to_ship=sum(counts.get(s, 0) for s in menu.TO_SHIP),
        to_review=sum(counts.get(s, 0) for s in menu.TO_REVIEW),
        owed_count=len(owed), owed_total=sum(amount for _a, amount in owed),
        items=menu.menu_for(current_user))


@bp.route("/coop/payouts")
@allow(*STAFF)
def payouts_owed():
    owed = _owed_artisans()
    return render_template("staff/payouts.html", owed=owed, total=sum(amount for _a, amount in owed))


@bp.app_template_global("staff_menu")
def staff_menu():
    return menu.menu_for(current_user) if current_user.is_authenticated and current_user.is_staff else []


@bp.app_template_filter("order_status")
def order_status_filter(code):
    return words.order_status(code)
