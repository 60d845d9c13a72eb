"""Ledger, baselines, payouts, indicators, charts and exports (/coop/earnings, /studio/earnings)."""
from flask import Blueprint

bp = Blueprint("earnings", __name__)

from storefront.earnings import impact_routes, routes  # noqa: E402,F401
