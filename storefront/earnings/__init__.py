"""Ledger, baselines, payouts, indicators, charts and exports (/coop/earnings, /studio/earnings).

Routes by audience: routes.py (coordinators and admins), artisan_routes.py (the artisan's own page),
export_routes.py (spreadsheets).
"""
from flask import Blueprint

bp = Blueprint("earnings", __name__)

from storefront.earnings import artisan_routes, export_routes, impact_routes, present, routes  # noqa: E402,F401,E501
