"""Resumable uploads for a slow 3G link: chunks, a dropped connection, resume, and a bad file."""
import json

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Product
from tests import photos
from tests.conftest import csrf_token
from tests.studio.test_garments import NEW, garment_data

CHUNK = 64 * 1024


def start(client, size, token):
    return client.post("/studio/uploads", data={"size": str(size)}, headers={"X-CSRFToken": token,
                                                                             "Accept": "application/json"})


def put(client, upload_id, offset, body, token):
    return client.put(f"/studio/uploads/{upload_id}?offset={offset}", data=body,
                      headers={"X-CSRFToken": token, "Content-Type": "application/octet-stream"})


def test_a_photo_arrives_in_chunks_survives_a_dropped_chunk_and_joins_the_garment(app, client, people, login,
                                                                                  media_files):
    login("rosa")
    token = csrf_token(client, NEW)
    photo = photos.jpeg(2000, 1500, quality=95)
    assert len(photo) > 3 * CHUNK
    response = start(client, len(photo), token)
    assert response.status_code == 201
    upload_id = response.get_json()["id"]
    offset = 0
    # First chunk arrives.
    response = put(client, upload_id, 0, photo[:CHUNK], token)
    assert response.get_json()["received"] == CHUNK
    # The connection drops after the server got the second chunk but before the phone heard back:
    put(client, upload_id, CHUNK, photo[CHUNK:2 * CHUNK], token)
    # The phone sends the second chunk again; the server says where it stands instead of doubling it.
    response = put(client, upload_id, CHUNK, photo[CHUNK:2 * CHUNK], token)
    assert response.status_code == 409 and response.get_json()["received"] == 2 * CHUNK
    status = client.get(f"/studio/uploads/{upload_id}").get_json()
    assert status == {"id": upload_id, "received": 2 * CHUNK, "size": len(photo)}
    offset = status["received"]
    while True:
        response = put(client, upload_id, offset, photo[offset:offset + CHUNK], token)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        if body.get("done"):
            break
        offset = body["received"]
    assert client.get(body["thumbnail"]).status_code == 200
    assert not any("incoming" in str(p) for p in media_files())  # the staging file is gone
    # The form sends the token, not the photo.
    data = garment_data(client, pending=body["token"], **{"pending_alt-0": "Huipil al sol"})
    assert client.post(NEW, data=data, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        product = db.session.execute(select(Product)).scalar_one()
        assert [(i.alt_text, i.content_hash) for i in product.images] == [("Huipil al sol", body["hash"])]


def test_a_bad_file_sent_in_chunks_is_refused_and_leaves_nothing(client, people, login, media_files):
    login("rosa")
    token = csrf_token(client, NEW)
    bad = photos.truncated_jpeg()
    upload_id = start(client, len(bad), token).get_json()["id"]
    response = put(client, upload_id, 0, bad, token)
    assert response.status_code == 422
    assert response.get_json()["message"] == "This photo arrived incomplete. Send it again."
    assert media_files() == []


def test_too_big_or_empty_uploads_are_refused_before_any_byte_is_sent(client, people, login, media_files):
    login("rosa")
    token = csrf_token(client, NEW)
    response = start(client, 30 * 1024 * 1024, token)
    assert response.status_code == 413 and "too big" in response.get_json()["message"]
    assert start(client, 0, token).status_code == 422
    assert media_files() == []


def test_more_bytes_than_announced_are_refused_and_the_upload_discarded(client, people, login, media_files):
    login("rosa")
    token = csrf_token(client, NEW)
    upload_id = start(client, 100, token).get_json()["id"]
    response = put(client, upload_id, 0, b"x" * 200, token)
    assert response.status_code == 422
    assert media_files() == []


def test_another_user_cannot_see_or_continue_her_upload(app, client, people, login, auth):
    login("rosa")
    token = csrf_token(client, NEW)
    upload_id = start(client, 1000, token).get_json()["id"]
    auth.logout()
    login("maria")
    token = csrf_token(client, NEW)
    assert client.get(f"/studio/uploads/{upload_id}").status_code == 404
    assert put(client, upload_id, 0, b"x" * 10, token).status_code == 404
    assert client.get("/studio/uploads/not-an-id").status_code == 404
    assert json.loads(client.get(f"/studio/uploads/{'f' * 32}", headers={"Accept": "application/json"})
                      .get_data(as_text=True))["error"]


def test_the_form_loads_the_deferred_upload_script_and_works_without_it(client, people, login):
    login("rosa")
    html = client.get(NEW).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'accept="image/*"' in html
    assert '<script src="/static/js/upload.js?v=' in html and "defer" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_prune_removes_old_unused_photos_and_abandoned_uploads_only(app, client, people, login, runner,
                                                                    media_files):
    import os
    import time

    from tests.studio.test_garments import post_garment
    login("rosa")
    token = csrf_token(client, NEW)
    start(client, 1000, token)  # abandoned upload
    response = post_garment(
        client, files=[("p.jpg", photos.jpeg(color=(3, 3, 3)))], price="-1")  # pending only
    assert response.status_code == 422
    post_garment(client, files=[("s.jpg", photos.jpeg(color=(200, 200, 3)))])  # saved with a garment
    before = media_files()
    assert runner.invoke(args=["media", "prune"]).output.startswith("removed 0 abandoned upload files, 0")
    old = time.time() - 2 * 24 * 3600
    for path in before:
        os.utime(path, (old, old))
    result = runner.invoke(args=["media", "prune"])
    assert result.exit_code == 0
    assert "removed 2 abandoned upload files, 1 unused photos and 0 unused recordings" in result.output
    with app.app_context():
        saved = db.session.execute(select(Product)).scalar_one().images[0].content_hash
    assert media_files() and all(saved in p.name for p in media_files())
