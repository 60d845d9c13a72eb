"""The phone's offline queue (static/js/offline.js) sends a draft prepared without signal: a fresh CSRF
token asked for at sending time, JSON answers it can read, one garment however often it is sent."""
import io

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Product, User
from tests import photos
from tests.studio.test_garments import NEW, garment_data

JSON = {"Accept": "application/json"}
KEY = "offline-draft-key-0123456789"


def queued_draft(token, **overrides):
    """What the queue posts: the fields kept on the phone, the photo as a file, a token asked just now."""
    data = {"csrf_token": token, "draft_key": KEY, "title": "Huipil sin señal", "technique": "backstrap_loom",
            "category": "huipil", "hours_of_work": "40", "price": "2500", "stock": "1", "action": "publish",
            "photos": [(io.BytesIO(photos.jpeg()), "photo.jpg")]}
    data.update(overrides)
    return data


def fresh_token(client):
    response = client.get("/studio/offline/token", headers=JSON)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def garments_made(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Product))


def test_a_draft_sent_again_after_an_interrupted_send_arrives_once(app, client, people, login):
    login("rosa")
    token = fresh_token(client)["csrf_token"]
    first = client.post(NEW, data=queued_draft(token), headers=JSON, content_type="multipart/form-data")
    assert first.status_code == 201
    assert first.get_json()["arrived"] is True and first.get_json()["repeated"] is False
    # The answer never reached the phone: it sends the same draft again, with a token asked again.
    again = client.post(NEW, data=queued_draft(fresh_token(client)["csrf_token"]), headers=JSON,
                        content_type="multipart/form-data")
    assert again.status_code == 200
    assert again.get_json() == {**first.get_json(), "repeated": True}
    assert again.get_json()["url"] == f"/studio/garments/{first.get_json()['id']}/edit"
    assert garments_made(app) == 1


def test_the_token_is_asked_for_when_sending_not_kept_from_when_she_prepared_it(
        app, client, auth, people, login):
    login("rosa")
    token_of_the_day_she_prepared_it = fresh_token(client)["csrf_token"]
    auth.logout()
    login("rosa")  # days later: a new session
    stale = client.post(NEW, data=queued_draft(token_of_the_day_she_prepared_it), headers=JSON,
                        content_type="multipart/form-data")
    assert stale.status_code == 400 and stale.get_json()["error"]  # "the form expired", as JSON
    answer = fresh_token(client)
    with app.app_context():
        assert answer["user"] == db.session.scalar(select(User.id).where(User.username == "rosa"))
    sent = client.post(NEW, data=queued_draft(answer["csrf_token"]), headers=JSON,
                       content_type="multipart/form-data")
    assert sent.status_code == 201 and garments_made(app) == 1


def test_logged_out_the_queue_is_not_given_a_token(client, people):
    response = client.get("/studio/offline/token", headers=JSON)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_draft_the_form_refuses_gets_its_messages_and_makes_nothing(app, client, people, login):
    login("rosa")
    token = fresh_token(client)["csrf_token"]
    response = client.post(NEW, data=queued_draft(token, price="", photos=[]), headers=JSON,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json() == {"arrived": False,
                                   "errors": ["Write the price in pesos."]}
    no_photo = client.post(NEW, data=queued_draft(token, photos=[]), headers=JSON,
                           content_type="multipart/form-data")
    assert no_photo.get_json()["errors"] == ["Add at least one photo of the garment."]
    assert garments_made(app) == 0


def test_the_form_without_javascript_still_answers_with_pages(app, client, people, login):
    login("rosa")
    response = client.post(NEW, data=garment_data(client, files=[("a.jpg", photos.jpeg())]),
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].startswith("/studio/")


def test_the_service_worker_is_served_for_the_studio_only_and_always_asked_afresh(client, people, login):
    assert client.get("/studio/sw.js").status_code == 302  # like every studio view: not for anonymous
    login("rosa")
    response = client.get("/studio/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert "/static/vendor/workbox/" in body and "storage.googleapis.com" not in body


def test_the_vendored_libraries_are_the_versions_package_json_pins():
    """`make vendor` copies what package.json pins; the service worker imports that Workbox, from here."""
    import json
    import re

    from storefront.config import REPO_ROOT
    pinned = json.loads((REPO_ROOT / "package.json").read_text())["devDependencies"]
    vendored = dict(line.split() for line in (REPO_ROOT / "static/vendor/VERSIONS").read_text().splitlines())
    assert vendored == {name: pinned[name] for name in vendored}
    worker = (REPO_ROOT / "templates/studio/sw.js").read_text()
    assert re.search(r'var WORKBOX = "([^"]+)"', worker).group(1) == pinned["workbox-sw"]
    for module in ("workbox-core", "workbox-routing", "workbox-strategies"):
        assert (REPO_ROOT / f"static/vendor/workbox/{module}.prod.js").exists()
    for licence in ("idb/LICENSE", "workbox/LICENSE"):
        assert (REPO_ROOT / "static/vendor" / licence).exists()


def test_buyer_pages_load_nothing_of_the_offline_studio(client, people, garment, login):
    """The queue, idb and the service worker are the studio's: a buyer's page never pays for them."""
    garment(people.a)
    login("rosa")
    studio = client.get("/studio/").get_data(as_text=True)
    assert "js/offline.js" in studio and "js/queue.js" in studio and "vendor/idb/umd.js" in studio
    for path in ("/", "/products/", "/artisans/"):
        page = client.get(path).get_data(as_text=True)
        assert "offline.js" not in page and "queue.js" not in page and "/static/vendor/" not in page, path
        assert "sw.js" not in page, path
