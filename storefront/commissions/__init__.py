"""Made to order: the buyer's request and page, the studio's quotes and progress, the cooperative's list."""
from flask import Blueprint

bp = Blueprint("commissions", __name__)

from storefront.commissions import routes  # noqa: E402,F401
