from flask import render_template

from storefront.accounts.permissions import STAFF, allow
from storefront.earnings import bp


@bp.route("/coop/earnings")
@allow(*STAFF)
def coop_earnings():
    return render_template("earnings/coop_earnings.html")
