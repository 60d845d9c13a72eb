"""The staff menu: every staff page, by role, in the order a working day needs them."""
from dataclasses import dataclass

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from storefront.accounts.permissions import ADMIN, STAFF
from storefront.extensions import db
from storefront.kept import SALES, kept_while
from storefront.models import LedgerEntry, Order


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: object
    roles: tuple
    icon: str = ""


# What needs doing first (orders, payouts), then the figures, then the people and the settings.
MENU = (
    MenuItem("staff.home", _l("Today"), STAFF, "🏠"),
    MenuItem("orders.order_list", _l("Orders"), STAFF, "📦"),
    MenuItem("staff.payouts_owed", _l("Payouts owed"), STAFF, "💵"),
    MenuItem("commissions.coop_list", _l("Commissions"), STAFF, "🪡"),
    MenuItem("studio.index", _l("Garments"), STAFF, "🧵"),
    MenuItem("staff.translation_queue", _l("Translations"), STAFF, "🌐"),
    MenuItem("earnings.coop_earnings", _l("Earnings"), STAFF, "📊"),
    MenuItem("earnings.coop_impact", _l("Impact report"), STAFF, "🌱"),
    MenuItem("earnings.baselines", _l("Baselines"), STAFF, "📋"),
    MenuItem("accounts.people_list", _l("People"), STAFF, "👥"),
    MenuItem("accounts.login_blocks", _l("Blocked logins"), STAFF, "🔒"),
    MenuItem("languages.overview", _l("Languages"), STAFF, "🗣"),
    MenuItem("accounts.two_factor_setup", _l("Login codes"), STAFF, "🔐"),
    MenuItem("catalog.rates", _l("Exchange rates"), (ADMIN,), "💱"),
    MenuItem("checkout.shipping_zones", _l("Shipping"), (ADMIN,), "🚚"),
    MenuItem("accounts.cooperative_settings", _l("Settings"), (ADMIN,), "⚙️"),
    MenuItem("staff.audit_log", _l("Audit log"), (ADMIN,), "📜"),
)

# Orders the cooperative must act on: paid ones to pack, packed ones to ship, mismatches to review.
TO_PACK = ("paid",)
TO_SHIP = ("packed",)
TO_REVIEW = ("needs_review",)


def menu_for(user):
    """(url, label, icon, current) for each page this user may open."""
    endpoint = request.endpoint if request else None
    return [(url_for(item.endpoint), item.label, item.icon, item.endpoint == endpoint)
            for item in MENU if user.role in item.roles]


def order_counts() -> dict:
    """{status: number of orders}: one query, kept in memory until an order changes (storefront.kept)."""
    return kept_while(SALES, "order_counts", lambda: dict(
        db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all()))


def owed_summary() -> tuple[int, int]:
    """(how many artisans the cooperative owes, how much in all), for the staff home; kept like the
    counts. The payouts page itself reads the balances afresh (balances_owed)."""
    return kept_while(SALES, "owed_summary", lambda: (
        len(owed := balances_owed()), sum(amount for _artisan, amount in owed)))


def balances_owed():
    """[(artisan_id, balance)] for every artisan the cooperative owes money to, largest first; one query."""
    total = func.sum(LedgerEntry.amount)
    rows = db.session.execute(select(LedgerEntry.artisan_id, total).group_by(LedgerEntry.artisan_id)
                              .having(total > 0).order_by(total.desc())).all()
    return [(artisan_id, int(amount)) for artisan_id, amount in rows]
