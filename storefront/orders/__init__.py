"""The order state machine and the cooperative's order pages (/coop/orders)."""
from flask import Blueprint

bp = Blueprint("orders", __name__)

from storefront.orders import routes  # noqa: E402,F401
