"""The artisan's pages: her garments, uploads, the fair-price calculator, her earnings."""
from flask import Blueprint

bp = Blueprint("studio", __name__, url_prefix="/studio")

from storefront.studio import offline, routes, voice  # noqa: E402,F401
