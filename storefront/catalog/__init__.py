"""Public pages: home, garments, artisans, search, feeds, sitemap."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)

from storefront.catalog import rates_admin, routes  # noqa: E402,F401
