"""Cart, stock holds, the Checkout Session, success and cancel pages."""
from flask import Blueprint

bp = Blueprint("checkout", __name__)

from storefront.checkout import routes  # noqa: E402,F401
