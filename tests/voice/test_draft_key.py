"""A garment submit sent twice (a retry on a dropped connection) makes one garment: the draft key."""
import re

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Product
from tests import photos
from tests.studio.test_garments import NEW, garment_data


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Product))


def test_the_same_draft_sent_twice_arrives_once(app, client, people, login):
    login("rosa")
    page = client.get(NEW).get_data(as_text=True)
    key = re.search(r'name="draft_key" value="([^"]+)"', page).group(1)
    for _ in range(2):
        data = garment_data(client, files=[("a.jpg", photos.jpeg())], draft_key=key)
        response = client.post(NEW, data=data, content_type="multipart/form-data")
        assert response.status_code == 302
    assert _count(app) == 1
    assert "already arrived" in client.get("/studio/").get_data(as_text=True)
    data = garment_data(client, files=[("a.jpg", photos.jpeg())], draft_key="x" * 20)
    client.post(NEW, data=data, content_type="multipart/form-data")
    assert _count(app) == 2


def test_another_artisans_key_is_not_hers_to_reuse(app, client, auth, people, login):
    login("rosa")
    data = garment_data(client, files=[("a.jpg", photos.jpeg())], draft_key="k" * 20)
    client.post(NEW, data=data, content_type="multipart/form-data")
    auth.logout()
    login("maria")
    data = garment_data(client, files=[("b.jpg", photos.jpeg(color=(9, 9, 9)))], draft_key="k" * 20)
    assert client.post(NEW, data=data, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        owners = sorted(db.session.scalars(select(Product.artisan_id)))
    assert owners == [people.a, people.b]
