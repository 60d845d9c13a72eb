from flask import render_template

from storefront.accounts.permissions import EVERYONE_LOGGED_IN, allow
from storefront.studio import bp


@bp.route("/")
@allow(*EVERYONE_LOGGED_IN)
def index():
    return render_template("studio/index.html")
