"""Commissions run against the same real emulator and live server as the payments tests."""
import pytest

from storefront.extensions import db
from storefront.models import Artisan
from tests.payments.conftest import (_english_interface, app_config, app_port, emulator, fresh,  # noqa: F401
                                     live, webhook_secret)


@pytest.fixture
def weaver(app, make):
    """María takes commissions (cap 2), has a sold huipil to copy; EUR at 0.05 per peso; a coordinator."""
    class Data:
        pass
    data = Data()
    with app.app_context():
        make.rate("EUR", "0.0500")
        maria = make.artisan(name="María López", slug="maria", with_login=True)
        maria = db.session.get(Artisan, maria.id)
        maria.accepts_commissions, maria.commission_cap = True, 2
        db.session.commit()
        data.artisan_id, data.slug = maria.id, maria.slug
        sold = make.product(artisan=maria, title="Huipil de rombos", stock=0, status="sold_out")
        data.garment_id, data.garment_slug = sold.id, sold.slug
        data.other_id = make.artisan(name="Rosa", slug="rosa", with_login=True).id
        make.user(username="coord", role="coordinator")
    return data
