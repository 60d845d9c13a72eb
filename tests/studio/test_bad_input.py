"""Hostile and mistaken input on the garment form: a plain message, nothing stored, nothing typed lost."""
import io
import re

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import AuditEntry, Product, ProductImage
from tests import photos
from tests.studio.test_garments import NEW, garment_data, post_garment


def nothing_stored(app, media_files):
    with app.app_context():
        for model in (Product, ProductImage):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action.not_like("login.%"))) == 0  # logins are recorded
    assert media_files() == []


BAD_FILES = {
    "not-an-image.jpg": (b"hello, this is a text file" * 40, "This file is not a photo"),
    "truncated.jpg": (photos.truncated_jpeg(), "arrived incomplete"),
    "bomb.png": (photos.png_bomb(), "too many pixels"),
    "document.jpg": (photos.PDF, "This file is not a photo"),
    "page.jpg": (photos.HTML, "This file is not a photo"),
    "empty.jpg": (b"", "This file is empty"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_refused_plainly_and_leaves_nothing(app, client, people, login, media_files, name):
    content, message = BAD_FILES[name]
    login("rosa")
    response = post_garment(client, files=[(name, content)], title="Mi rebozo azul", story="Hecho en Chilil")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and name in html
    # Everything she typed is still there.
    assert 'value="Mi rebozo azul"' in html and "Hecho en Chilil" in html and 'value="2500"' in html
    nothing_stored(app, media_files)


@pytest.mark.spanish_interface
def test_the_messages_are_spanish_for_a_spanish_speaker(app, client, people, login, media_files):
    """The studio is Spanish-first: the error next to the field comes from the Spanish catalogue."""
    login("rosa")
    response = post_garment(client, files=[("x.jpg", b"")], title="")
    html = response.get_data(as_text=True)
    assert '<html lang="es">' in html and 'class="error"' in html
    with app.test_request_context():
        from flask_babel import force_locale, gettext
        with force_locale("es"):
            expected = gettext("Write a name for the garment.")
    assert expected != "Write a name for the garment." and expected in html
    nothing_stored(app, media_files)


def test_a_50_mb_photo_is_refused_beside_the_form_she_filled_in(app, client, people, login, media_files):
    """Sent without the upload script, a photo far over the limit comes back as a message beside the
    form, with what she typed; the server kept at most 20 MB of it while it arrived, then nothing."""
    login("rosa")
    data = garment_data(client, files=[("huge.jpg", b"\xff\xd8" + b"\x00" * (50 * 1024 * 1024))],
                        title="Mi rebozo azul", story="Hecho en Chilil")
    response = client.post(NEW, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "too big" in html and "huge.jpg" in html
    assert 'value="Mi rebozo azul"' in html and "Hecho en Chilil" in html
    nothing_stored(app, media_files)


def test_a_body_over_the_limit_elsewhere_is_still_413(client, people, login):
    login("rosa")
    response = client.post("/studio/uploads", data={"size": "1", "junk": "x" * (25 * 1024 * 1024)})
    assert response.status_code == 413


def test_a_photo_over_20_mb_within_the_request_limit_is_refused_as_too_big(app, client, people, login,
                                                                           media_files):
    login("rosa")
    response = post_garment(client, files=[("big.jpg", photos.jpeg() + b"\x00" * (21 * 1024 * 1024))])
    assert response.status_code == 422
    assert "too big" in response.get_data(as_text=True)
    nothing_stored(app, media_files)


def test_200_photos_at_once_are_refused_before_any_is_processed(app, client, people, login, media_files):
    login("rosa")
    one = photos.jpeg(64, 48)
    response = post_garment(client, files=[(f"p{n}.jpg", one) for n in range(200)])
    assert response.status_code == 422
    assert "8 photos at most" in response.get_data(as_text=True)
    nothing_stored(app, media_files)


def test_a_10000_character_title_is_refused_next_to_the_field(app, client, people, login, media_files):
    login("rosa")
    response = post_garment(client, title="a" * 10_000)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="title-error">The name is too long', html)
    nothing_stored(app, media_files)


@pytest.mark.parametrize("field,value,message", [
    ("price", "-100", "between 1 and 500,000 pesos"),
    ("price", "99999999999", "between 1 and 500,000 pesos"),
    ("price", "0", "between 1 and 500,000 pesos"),
    ("price", "NaN", "Write a number"),
    ("price", "mil pesos", "Write a number"),
    ("hours_of_work", "-5", "between 0 and 2,000"),
    ("hours_of_work", "1000000", "between 0 and 2,000"),
    ("hours_of_work", "4.5e3", "Write a whole number"),
    ("materials_cost", "-1", "between 0 and 100,000"),
    ("stock", "-1", "between 0 and 100"),
    ("weight_grams", "999999", "between 1 and 20,000"),
])
def test_negative_or_absurd_numbers_are_refused(app, client, people, login, media_files, field, value,
                                                message):
    login("rosa")
    response = post_garment(client, **{field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert error and message in error.group(1)
    nothing_stored(app, media_files)


def test_html_in_a_story_is_stored_as_text_and_escaped_on_output(app, client, people, login):
    story = '<script>alert("x")</script><b onmouseover="steal()">bonito</b>'
    login("rosa")
    response = post_garment(client, files=[("uno.jpg", photos.jpeg())], story=story, action="draft")
    assert response.status_code == 302
    with app.app_context():
        product = db.session.execute(select(Product)).scalar_one()
        assert product.translations[0].story == story
        product_id = product.id
    html = client.get(f"/studio/garments/{product_id}/edit").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_a_failed_submit_keeps_her_accepted_photos_as_pending(app, client, people, login, media_files):
    """She sends two photos with a mistake in the price: the photos wait in the form, not sent twice."""
    login("rosa")
    response = post_garment(client, files=[("uno.jpg", photos.jpeg(color=(1, 100, 1))),
                                           ("malo.jpg", photos.PDF)], price="-5", story="Con flores")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    tokens = re.findall(r'name="pending" value="([^"]+)"', html)
    assert len(tokens) == 1 and "malo.jpg" in html and "Con flores" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Product)) == 0
    kept = len(media_files())
    assert kept == 7  # the accepted 800 px photo: private original + 160/320/640 in WebP and JPEG; no PDF
    # She fixes the price and submits again without choosing the photo again.
    data = garment_data(client, price="500", story="Con flores",
                        pending=tokens[0], **{"pending_alt-0": "Blusa"})
    response = client.post(NEW, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        product = db.session.execute(select(Product)).scalar_one()
        assert [(i.alt_text, i.width) for i in product.images] == [("Blusa", 800)]
    assert len(media_files()) == kept


def test_a_pending_token_of_another_user_or_forged_is_ignored(app, client, people, login, auth):
    login("rosa")
    response = post_garment(client, files=[("uno.jpg", photos.jpeg())], price="-5")
    token = re.findall(r'name="pending" value="([^"]+)"', response.get_data(as_text=True))[0]
    auth.logout()
    client.get("/?lang=en")  # logging out forgets the language; these asserts read English
    login("maria")
    for forged in (token, token[:-3] + "abc", "nonsense"):
        response = post_garment(client, pending=forged)
        assert response.status_code == 422
        assert "Add at least one photo" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_calculate_button_shows_take_home_without_saving(app, client, people, login):
    login("rosa")
    response = post_garment(client, action="calculate", materials_cost="300",
                            hours_of_work="40", price="2500")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Suggested price" in html and "you take home" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_end_to_end_garment_appears_in_the_public_catalog(app, client, people, login):
    login("rosa")
    post_garment(client, files=[("uno.jpg", photos.jpeg()), ("dos.jpg", photos.jpeg(color=(0, 0, 90)))],
                 title="Rebozo de la montaña")
    with app.app_context():
        product = db.session.execute(select(Product)).scalar_one()
        assert product.status == "published" and len(product.images) == 2
    if "catalog.products" in app.view_functions:
        page = client.get("/products/?lang=es")
    else:
        page = client.get("/?lang=es")
    assert page.status_code == 200
    assert "Rebozo de la montaña" in page.get_data(as_text=True)


def test_upload_file_objects_are_read_not_trusted_by_name(app, client, people, login, media_files):
    """A real PNG named .pdf is accepted: what counts is the bytes, not the name."""
    login("rosa")
    response = post_garment(client, files=[("foto.pdf", photos.png())])
    assert response.status_code == 302
    assert any(p.name.endswith("-320.webp") for p in media_files())
    assert io  # keeps the import honest for readers: files are sent as BytesIO
