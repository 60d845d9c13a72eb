"""Cart, the Checkout Session, success and cancel pages, and the shipping zones the cart quotes from."""
from flask import Blueprint

bp = Blueprint("checkout", __name__)

from storefront.checkout import routes, shipping_admin  # noqa: E402,F401
