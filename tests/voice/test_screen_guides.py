"""Listen instead of read: staff record a spoken explanation per screen and language; the studio plays
the one in her interface language, else the Spanish one."""
import io

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import ScreenGuide
from tests import sounds
from tests.conftest import csrf_token


def _record(client, screen, language, data):
    token = csrf_token(client, "/coop/languages/guides")
    return client.post("/coop/languages/guides", data={
        "csrf_token": token, "screen": screen, "language": language, "action": "save",
        "voice": (io.BytesIO(data), "guide.m4a")}, content_type="multipart/form-data")


def test_the_guide_follows_her_language_and_falls_back_to_spanish(app, client, auth, people, login):
    login("coord")
    assert _record(client, "garments", "tzo", sounds.encoded(2)).status_code == 302
    auth.logout()
    login("rosa")
    tsotsil = client.get("/studio/?lang=tzo").get_data(as_text=True)
    assert 'id="screen-guide"' in tsotsil and 'lang="tzo"' in tsotsil
    assert 'id="screen-guide"' not in client.get("/studio/?lang=es").get_data(as_text=True)
    assert 'id="screen-guide"' not in client.get("/studio/price?lang=tzo").get_data(as_text=True)
    auth.logout()
    login("coord")
    assert _record(client, "garments", "es", sounds.wav(2)).status_code == 302
    auth.logout()
    login("rosa")
    tseltal = client.get("/studio/?lang=tzh").get_data(as_text=True)
    assert 'id="screen-guide"' in tseltal and '<audio controls preload="none" lang="es"' in tseltal


@pytest.mark.parametrize("data", [b"", b"GIF89a not a recording"])
def test_a_bad_guide_is_refused_and_nothing_is_stored(app, client, people, login, media_files, data):
    login("coord")
    response = _record(client, "garments", "tzo", data)
    assert response.status_code == 422
    assert media_files() == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScreenGuide)) == 0


def test_artisans_cannot_record_guides(client, people, login):
    login("rosa")
    assert client.get("/coop/languages/guides").status_code in (403, 404)
