"""Everything that speaks to Stripe: client, webhooks, fulfilment, reconcile.

Only this package imports `stripe`.
"""
from flask import Blueprint

bp = Blueprint("payments", __name__)

from storefront.payments import routes  # noqa: E402,F401
