"""The cooperative's settings row and the fee policy built from it."""
from collections import namedtuple

from flask import g, has_app_context
from sqlalchemy import select

from storefront.extensions import db
from storefront.kept import kept
from storefront.models import CooperativeSettings
from storefront.money import FeePolicy

SETTINGS_VERSION = select(CooperativeSettings.updated_at).where(CooperativeSettings.id == 1)
SettingsValues = namedtuple("SettingsValues",
                            [column.key for column in CooperativeSettings.__table__.columns])


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


def _load_settings_values() -> SettingsValues:
    row = db.session.execute(select(CooperativeSettings.__table__).where(CooperativeSettings.id == 1)).first()
    if row is None:
        raise RuntimeError("cooperative_settings row missing: run `flask db upgrade`")
    return SettingsValues(**row._mapping)


def settings_values() -> SettingsValues:
    """The settings as frozen values for reading, kept in memory until any process changes them
    (storefront.kept). To change a setting, edit get_settings()'s row."""
    return kept("cooperative_settings", SETTINGS_VERSION, _load_settings_values)


def fee_policy() -> FeePolicy:
    return FeePolicy.from_settings(settings_values())
