"""Fixtures for the interface-language tests: people with logins, and a copy of the catalogues."""
import shutil
from types import SimpleNamespace

import pytest

from storefront.config import REPO_ROOT
from tests.factories import PASSWORD


@pytest.fixture
def catalogues(tmp_path):
    """A copy of translations/ the test may change (an import writes into it)."""
    root = tmp_path / "translations"
    shutil.copytree(REPO_ROOT / "translations", root)
    return root


@pytest.fixture
def people(app, make):
    with app.app_context():
        rosa = make.artisan(name="Rosa Pérez", slug="rosa", with_login=True)
        make.product(artisan=rosa, price_mxn=1234)
        make.user(username="coord", role="coordinator")
        make.user(username="boss", role="admin")
        return SimpleNamespace(rosa=rosa.id)


@pytest.fixture
def login(client, auth):
    def login_as(username):
        response = auth.login(username, PASSWORD)
        assert response.status_code == 302
        return response
    return login_as
