"""The cooperative's settings row and the fee policy built from it."""
from flask import g, has_app_context

from storefront.extensions import db
from storefront.models import CooperativeSettings
from storefront.money import FeePolicy


def get_settings() -> CooperativeSettings:
    """The single settings row (created by migration 0002)."""
    if has_app_context() and "coop_settings" in g:
        return g.coop_settings
    settings = db.session.get(CooperativeSettings, 1)
    if settings is None:
        raise RuntimeError("cooperative_settings row missing: run `flask db upgrade`")
    if has_app_context():
        g.coop_settings = settings
    return settings


def fee_policy() -> FeePolicy:
    return FeePolicy.from_settings(get_settings())
