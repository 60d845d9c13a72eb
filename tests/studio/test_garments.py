"""An artisan adds, edits, publishes and retires her garments; a coordinator does it for her."""
import io
import re
from datetime import datetime, timedelta

import pytest

from sqlalchemy import event, func, select

from storefront.extensions import db
from storefront.models import AuditEntry, Product, ProductImage
from tests import photos
from tests.conftest import csrf_token

NEW = "/studio/garments/new"


def garment_data(client, path=NEW, files=(), **overrides):
    data = {"csrf_token": csrf_token(client, path), "title": "Huipil de flores",
            "story": "Lo tejí en tres meses.", "technique": "backstrap_loom", "category": "huipil",
            "materials": "Algodón", "materials_cost": "300",
            "hours_of_work": "40", "sizes": "Unitalla", "weight_grams": "450", "price": "2500", "stock": "1",
            "action": "publish"}
    data.update(overrides)
    if files:
        data["photos"] = [(io.BytesIO(content), name) for name, content in files]
    return data


def post_garment(client, path=NEW, files=(), **overrides):
    return client.post(path, data=garment_data(client, path, files, **overrides),
                       content_type="multipart/form-data")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def only_product():
    return db.session.execute(select(Product)).scalar_one()


def actions():
    """What the audit log recorded about garments (logins are recorded too, and left out here)."""
    return db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.not_like("login.%"))
                              .order_by(AuditEntry.id)).all()


def test_artisan_adds_a_garment_with_two_photos_and_publishes_it(app, client, people, login):
    login("rosa")
    response = post_garment(client, files=[("uno.jpg", photos.jpeg(color=(200, 10, 10))),
                                           ("dos.jpg", photos.jpeg(color=(10, 10, 200)))])
    assert response.status_code == 302
    with app.app_context():
        product = only_product()
        assert product.artisan_id == people.a
        assert product.status == "published" and product.published_at is not None
        assert product.price_amount == 250000 and product.materials_cost_amount == 30000
        assert product.hours_of_work == 40 and product.stock == 1 and product.weight_grams == 450
        assert product.slug == f"huipil-de-flores-{product.id}"
        assert [image.alt_text for image in product.images] == ["Huipil de flores", "Huipil de flores"]
        assert len({image.content_hash for image in product.images}) == 2
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "product.create")).scalar_one()
        assert entry.artisan_id == people.a and entry.changes["price_amount"] == [None, 250000]
    assert "Huipil de flores" in client.get("/studio/").get_data(as_text=True)


def test_draft_keeps_it_off_sale_and_status_actions_are_audited(app, client, people, login):
    login("rosa")
    post_garment(client, files=[("uno.jpg", photos.jpeg())], action="draft")
    with app.app_context():
        product = only_product()
        assert product.status == "draft" and product.published_at is None
        product_id = product.id
    for action, status in (("publish", "published"), ("sold_out", "sold_out"), ("archive", "archived")):
        response = client.post(f"/studio/garments/{product_id}/status",
                               data={"csrf_token": csrf_token(client, "/studio/"), "action": action})
        assert response.status_code == 302
        with app.app_context():
            assert only_product().status == status
    with app.app_context():
        assert only_product().stock == 0  # marked sold out
        assert actions() == ["product.create", "product.publish", "product.sold_out", "product.archive"]


def test_publishing_without_stock_is_refused_with_a_message(app, client, people, login, garment):
    product_id = garment(people.a, status="sold_out", stock=0)
    login("rosa")
    response = client.post(f"/studio/garments/{product_id}/status",
                           data={"csrf_token": csrf_token(client, "/studio/"), "action": "publish"},
                           follow_redirects=True)
    assert "at least 1" in response.get_data(as_text=True)
    with app.app_context():
        assert only_product().status == "sold_out"


def test_edit_changes_price_and_alt_text_and_audits_the_price_change(app, client, people, login):
    login("rosa")
    post_garment(client, files=[("uno.jpg", photos.jpeg())])
    with app.app_context():
        product = only_product()
        product_id, image_id = product.id, product.images[0].id
    path = f"/studio/garments/{product_id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert 'value="2500.00"' in page and "Huipil de flores" in page
    response = post_garment(client, path, price="2800", action="save",
                            **{f"image_alt-{image_id}": "Huipil rojo con flores bordadas"})
    assert response.status_code == 302
    with app.app_context():
        product = only_product()
        assert product.price_amount == 280000
        assert product.images[0].alt_text == "Huipil rojo con flores bordadas"
        price_change = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "product.price_change")).scalar_one()
        assert price_change.changes == {"price_amount": [250000, 280000]}
        assert price_change.actor.username == "rosa"
        update = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "product.update")).scalar_one()
        assert set(update.changes) == {"price_amount"}  # alt text is not a garment field


def test_edit_removes_and_adds_photos_but_never_leaves_none(app, client, people, login):
    login("rosa")
    post_garment(client, files=[("uno.jpg", photos.jpeg())])
    with app.app_context():
        product = only_product()
        product_id, first_id, first_hash = product.id, product.images[0].id, product.images[0].content_hash
    path = f"/studio/garments/{product_id}/edit"
    response = post_garment(client, path, action="save", remove_image=str(first_id))
    assert response.status_code == 422
    assert "at least one photo" in response.get_data(as_text=True)
    with app.app_context():
        assert [i.id for i in only_product().images] == [first_id]
    response = post_garment(client, path, files=[("nueva.jpg", photos.jpeg(color=(1, 2, 3)))], action="save",
                            remove_image=str(first_id))
    assert response.status_code == 302
    with app.app_context():
        assert [i.content_hash for i in only_product().images] != [first_hash]
        assert count(ProductImage) == 1


def test_coordinator_adds_a_garment_for_an_artisan_with_an_english_title(app, client, people, login):
    login("coord")
    page = client.get(NEW).get_data(as_text=True)
    assert "María Díaz" in page and "Rosa Pérez" in page
    response = post_garment(client, files=[("uno.jpg", photos.jpeg())], artisan_id=str(people.b),
                            title_en="Flower huipil", story_en="Woven over three months.")
    assert response.status_code == 302
    with app.app_context():
        product = only_product()
        assert product.artisan_id == people.b
        assert {t.locale: t.title for t in product.translations} == {"es": "Huipil de flores",
                                                                     "en": "Flower huipil"}
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "product.create")).scalar_one()
        assert entry.actor.username == "coord" and entry.artisan_id == people.b


def test_an_artisan_cannot_post_for_another_or_add_english_fields(app, client, people, login):
    login("rosa")
    post_garment(client, files=[("uno.jpg", photos.jpeg())], artisan_id=str(people.b), title_en="Sneaky")
    with app.app_context():
        product = only_product()
        assert product.artisan_id == people.a
        assert [t.locale for t in product.translations] == ["es"]


def test_slugs_stay_unique_for_the_same_title(app, client, people, login):
    login("rosa")
    post_garment(client, files=[("uno.jpg", photos.jpeg())], title="Bolsa ñandú")
    post_garment(client, files=[("dos.jpg", photos.jpeg(color=(9, 9, 9)))], title="Bolsa ñandú")
    with app.app_context():
        slugs = db.session.scalars(select(Product.slug).order_by(Product.id)).all()
    assert len(set(slugs)) == 2 and all(s.startswith("bolsa-nandu-") for s in slugs)


def test_artisan_b_gets_404_for_artisan_a_garments(app, client, people, login, garment):
    product_id = garment(people.a)
    login("maria")
    assert client.get(f"/studio/garments/{product_id}/edit").status_code == 404
    token = csrf_token(client, "/studio/")
    assert client.post(f"/studio/garments/{product_id}/status",
                       data={"csrf_token": token, "action": "archive"}).status_code == 404
    assert client.post(f"/studio/garments/{product_id}/edit",
                       data={"csrf_token": token, "title": "Mío"}).status_code == 404
    assert "Huipil de rombos" not in client.get("/studio/").get_data(as_text=True)
    assert client.get(f"/studio/garments/{product_id + 999}/edit").status_code == 404
    with app.app_context():
        assert only_product().status == "published"
        assert actions() == []


def test_studio_list_query_count_does_not_grow_with_garments(app, client, people, login, garment):
    login("coord")

    def queries_for_list():
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get("/studio/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    garment(people.a)
    few = queries_for_list()
    for n in range(6):
        garment(people.b if n % 2 else people.a, title=f"Rebozo {n}")
    assert queries_for_list() == few


@pytest.mark.spanish_interface
def test_the_studio_speaks_spanish_by_default(client, people, login):
    login("rosa")
    html = client.get("/studio/").get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Mis prendas" in html or "Mi taller" in html, "the Spanish catalogue is compiled and used"


def test_her_garments_come_a_page_at_a_time_and_an_edit_returns_to_its_page(app, client, people, login,
                                                                            garment):
    """24 a page, newest first; only hers; after changing one on page 2 she is back on page 2 beside it."""
    base = datetime(2026, 1, 1)
    ids = [garment(people.a, title=f"Huipil {n}", published_at=base + timedelta(days=n)) for n in range(30)]
    garment(people.b, title="Rebozo de María")
    with app.app_context():  # created in this order: make the newest-first order explicit
        for n, product_id in enumerate(ids):
            db.session.get(Product, product_id).created_at = base + timedelta(days=n)
        db.session.commit()
    login("rosa")
    first = client.get("/studio/").get_data(as_text=True)
    second = client.get("/studio/?page=2").get_data(as_text=True)
    assert [f"garment-{i}" for i in reversed(ids[6:])] == re.findall(r'id="(garment-\d+)"', first)
    assert [f"garment-{i}" for i in reversed(ids[:6])] == re.findall(r'id="(garment-\d+)"', second)
    assert "Page 1 of 2" in first and 'rel="next"' in first and "Rebozo de María" not in first + second
    assert client.get("/studio/?page=9").get_data(as_text=True).count('class="card garment"') == 6

    response = client.post(f"/studio/garments/{ids[2]}/status",
                           data={"action": "sold_out", "csrf_token": csrf_token(client, "/studio/?page=2")})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/studio/?page=2#garment-{ids[2]}")
    response = client.post(f"/studio/garments/{ids[-1]}/status",
                           data={"action": "sold_out", "csrf_token": csrf_token(client, "/studio/")})
    assert response.headers["Location"].endswith(f"/studio/#garment-{ids[-1]}")  # page 1 needs no number
