"""One person cannot reserve the disk with open uploads; the limit is in the form for the script to check."""
import pytest

from storefront.media.pipeline import MAX_BYTES
from storefront.media.uploads import MAX_OPEN_UPLOADS
from tests.conftest import csrf_token
from tests.media.test_uploads import start
from tests.studio.test_garments import NEW


def test_a_few_open_uploads_then_a_plain_refusal(client, people, login, media_files):
    login("rosa")
    token = csrf_token(client, NEW)
    for _ in range(MAX_OPEN_UPLOADS):
        assert start(client, 1000, token).status_code == 201
    response = start(client, 1000, token)
    assert response.status_code == 429
    assert "still on their way" in response.get_json()["message"]
    assert len([p for p in media_files() if p.suffix == ".part"]) == MAX_OPEN_UPLOADS


def test_the_open_uploads_share_a_size_cap(client, people, login):
    login("rosa")
    token = csrf_token(client, NEW)
    assert start(client, MAX_BYTES, token).status_code == 201
    assert start(client, MAX_BYTES, token).status_code == 201
    response = start(client, 1, token)
    assert response.status_code == 429 and "too big together" in response.get_json()["message"]


def test_another_person_has_her_own_allowance(client, people, login, auth):
    login("rosa")
    token = csrf_token(client, NEW)
    for _ in range(MAX_OPEN_UPLOADS):
        start(client, 1000, token)
    auth.logout()
    login("maria")
    assert start(client, 1000, csrf_token(client, NEW)).status_code == 201


@pytest.mark.spanish_interface
def test_the_refusal_is_in_her_language(client, people, login):
    login("rosa")
    token = csrf_token(client, NEW)
    for _ in range(MAX_OPEN_UPLOADS):
        start(client, 1000, token)
    message = start(client, 1000, token).get_json()["message"]
    assert message.startswith("Varias fotos")


def test_the_form_tells_the_upload_script_the_size_limit(client, people, login):
    login("rosa")
    html = client.get(NEW).get_data(as_text=True)
    assert f'data-max-bytes="{MAX_BYTES}"' in html and "data-label-too-big=" in html
