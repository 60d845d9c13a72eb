"""News from her loom: dated updates on her page, newest first, and an Atom feed per artisan."""
import io
import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import ArtisanUpdate
from tests import photos, sounds
from tests.conftest import csrf_token

ATOM = "{http://www.w3.org/2005/Atom}"


def _post(client, body="", photo=None, voice=None):
    data = {"csrf_token": csrf_token(client, "/studio/news"), "body": body, "action": "post"}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "p.jpg")
    if voice is not None:
        data["voice"] = (io.BytesIO(voice), "v.m4a")
    return client.post("/studio/news", data=data, content_type="multipart/form-data")


def test_her_news_shows_newest_first_with_a_feed(app, client, people, login):
    login("rosa")
    assert _post(client, "Estoy tejiendo un huipil nuevo.").status_code == 302
    assert _post(client, "Ya casi termino <b>el huipil</b>.", photo=photos.jpeg(),
                 voice=sounds.encoded(2)).status_code == 302
    page = client.get("/artisans/rosa").get_data(as_text=True)
    assert page.index("Ya casi termino") < page.index("Estoy tejiendo")
    assert "&lt;b&gt;el huipil&lt;/b&gt;" in page and 'preload="none"' in page
    feed = client.get("/artisans/rosa/updates.atom")
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]
    assert titles[0].startswith("Ya casi termino") and titles[1].startswith("Estoy tejiendo")
    assert root.find(f"{ATOM}entry/{ATOM}link[@rel='enclosure']").get("type") == "audio/webm"


def test_an_empty_or_hostile_update_is_refused_and_leaves_nothing(app, client, people, login, media_files):
    login("rosa")
    assert _post(client, "   ").status_code == 422
    response = _post(client, "Hola", voice=b"not audio at all, just words")
    assert response.status_code == 422 and "not a recording we can play" in response.get_data(as_text=True)
    response = _post(client, "Hola", photo=b"not a photo", voice=sounds.encoded(2))
    assert response.status_code == 422
    assert media_files() == []  # the accepted recording went away with the refused photo
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ArtisanUpdate)) == 0
    assert client.get("/artisans/nobody/updates.atom").status_code == 404
