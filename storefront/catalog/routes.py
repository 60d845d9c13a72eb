from flask import render_template

from storefront.accounts.permissions import PUBLIC, allow
from storefront.catalog import bp, queries


@bp.route("/")
@allow(PUBLIC)
def home():
    return render_template("catalog/home.html", artisans=queries.active_artisans(),
                           products=queries.featured_products())
