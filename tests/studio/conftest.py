"""Studio fixtures: artisans with logins, a coordinator and an admin, and a way to list media files.

Requests run outside any app context held by the test (a held context would share `g`, and so the
CSRF token and cached settings, between requests); tests open `with app.app_context()` to look at rows.
"""
from pathlib import Path
from types import SimpleNamespace

import pytest

from storefront.extensions import db
from storefront.models import Artisan
from tests.factories import PASSWORD


@pytest.fixture
def people(app, make):
    """Ids of two artisans with logins (a = rosa, b = maria), a coordinator and an admin."""
    with app.app_context():
        a = make.artisan(name="Rosa Pérez", slug="rosa", with_login=True)
        b = make.artisan(name="María Díaz", slug="maria", with_login=True)
        coordinator = make.user(username="coord", role="coordinator")
        admin = make.user(username="boss", role="admin")
        return SimpleNamespace(a=a.id, b=b.id, coordinator=coordinator.id, admin=admin.id)


@pytest.fixture
def garment(app, make):
    """Make a published garment for an artisan id; returns its id."""
    def build(artisan_id, **options):
        with app.app_context():
            return make.product(artisan=db.session.get(Artisan, artisan_id), **options).id
    return build


@pytest.fixture
def login(client, auth):
    def login_as(username):
        response = auth.login(username, PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return login_as


@pytest.fixture
def media_files(app):
    """Every file under MEDIA_ROOT (originals, derivatives, incoming uploads)."""
    def files():
        root = Path(app.config["MEDIA_ROOT"])
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    return files


@pytest.fixture(autouse=True)
def _english_interface(english_interface):
    """See tests/conftest.py: these tests read English messages unless marked spanish_interface."""
