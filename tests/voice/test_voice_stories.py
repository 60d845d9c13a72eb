"""Her story in her voice: recorded in the studio, checked, transcoded small, played on public pages."""
import io
import re

import av
import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.media import audio
from storefront.models import AuditEntry, Product, VoiceStory
from tests import photos, sounds
from tests.conftest import csrf_token
from tests.studio.test_garments import garment_data


def _post_profile(client, data, filename="story.m4a", **extra):
    token = csrf_token(client, "/studio/profile")
    form = {"csrf_token": token, "voice_language": "tzo", "action": "save", **extra}
    if data is not None:
        form["voice"] = (io.BytesIO(data), filename)
    return client.post("/studio/profile", data=form, content_type="multipart/form-data")


def test_a_phone_recording_becomes_a_small_opus_story_without_its_tags(app, client, people, login, ctx):
    stored = audio.store_audio(sounds.encoded(3, title="Casa de Rosa, Chilil"))
    path = audio.audio_path(stored.content_hash)
    with av.open(str(path)) as played:
        assert played.streams.audio[0].codec_context.name == "opus"
        assert "Chilil" not in str(dict(played.metadata)) + path.read_bytes().decode("latin-1")
    assert 2900 <= stored.duration_ms <= 3200
    assert stored.size_bytes < 3 * 250_000 / 60


def test_she_records_her_story_and_buyers_hear_it_on_her_page(app, client, people, login):
    login("rosa")
    response = _post_profile(client, sounds.encoded(2))
    assert response.status_code == 302
    with app.app_context():
        story = db.session.scalars(select(VoiceStory)).one()
        assert (story.artisan_id, story.product_id, story.spoken_language) == (people.a, None, "tzo")
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "voice.record")) == 1
        name = f"{story.content_hash}.webm"
    page = client.get("/artisans/rosa").get_data(as_text=True)
    assert f'preload="none" src="/media/audio/{name}"' in page
    played = client.get(f"/media/audio/{name}", headers={"Range": "bytes=0-99"})
    assert played.status_code == 206 and played.mimetype == "audio/webm" and len(played.data) == 100
    assert "immutable" in played.headers["Cache-Control"]


def test_a_new_recording_replaces_the_old_one_and_its_file(app, client, people, login, media_files):
    login("rosa")
    _post_profile(client, sounds.encoded(2))
    _post_profile(client, sounds.wav(3), filename="story.wav")
    with app.app_context():
        story = db.session.scalars(select(VoiceStory)).one()
        assert 2900 <= story.duration_ms <= 3100
    assert [p.name for p in media_files()] == [f"{story.content_hash}.webm"]


@pytest.mark.parametrize("data, message", [
    (b"", "The recording is empty"),
    (b"%PDF-1.4 not a recording at all" * 10, "not a recording we can play"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 20, "not a recording we can play"),
    (b"#EXTM3U\n#EXT-X-VERSION:3\nfile:///etc/passwd\n", "not a recording we can play"),
    (b"OggS" + b"\x00" * (audio.MAX_AUDIO_BYTES + 10), "too big"),
])
def test_hostile_recordings_are_refused_in_her_language_and_nothing_is_stored(
        app, client, people, login, media_files, data, message):
    login("rosa")
    response = _post_profile(client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert media_files() == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VoiceStory)) == 0


def test_a_recording_longer_than_three_minutes_is_refused(app, client, people, login, media_files):
    login("rosa")
    response = _post_profile(client, sounds.wav(audio.MAX_SECONDS + 5, rate=8000), filename="long.wav")
    assert response.status_code == 422
    assert "longer than 3 minutes" in response.get_data(as_text=True)
    assert media_files() == []


@pytest.mark.spanish_interface
def test_the_refusal_is_in_her_language(client, people, login):
    login("rosa")
    response = _post_profile(client, b"not audio at all")
    assert "Graba otra vez con el teléfono" in response.get_data(as_text=True)


def test_a_garment_carries_its_story_and_a_coordinator_adds_the_texts(app, client, auth, people, login,
                                                                      garment):
    product_id = garment(people.a)
    login("rosa")
    edit = client.get(f"/studio/garments/{product_id}/edit").get_data(as_text=True)
    assert 'accept="audio/*" capture' in edit
    path = f"/studio/garments/{product_id}/edit"
    form = garment_data(client, path, files=[("a.jpg", photos.jpeg())], action="save", voice_language="tzh",
                        voice=(io.BytesIO(sounds.encoded(2)), "story.m4a"))
    response = client.post(path, data=form, content_type="multipart/form-data")
    errors = re.findall(r'class="error[^"]*"[^>]*>([^<]+)', response.get_data(as_text=True))
    assert response.status_code == 302, errors
    with app.app_context():
        story = db.session.scalars(select(VoiceStory)).one()
        assert story.product_id == product_id
        slug = db.session.get(Product, product_id).slug
    auth.logout()
    login("coord")
    token = csrf_token(client, f"/studio/stories/{story.id}/texts")
    client.post(f"/studio/stories/{story.id}/texts", data={
        "csrf_token": token, "spoken_language": "tzh", "text-tzh": "XTEST transcript",
        "text-en": "I wove it in the rainy season."})
    page = client.get(f"/products/{slug}?lang=en").get_data(as_text=True)
    assert 'preload="none"' in page and "XTEST transcript" in page
    assert "I wove it in the rainy season." in page


def test_an_artisan_cannot_write_texts_or_record_for_another(app, client, people, login, ctx):
    with app.app_context():
        from storefront.voice import stories
        stored = audio.store_audio(sounds.wav(2))
        story = stories.record_story(people.b, stored, "es")
        story_id = story.id
    login("rosa")
    assert client.get(f"/studio/stories/{story_id}/texts").status_code in (403, 404)
    assert client.get(f"/studio/profile?artisan={people.b}").status_code == 200  # her own, not María's
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VoiceStory)
                                 .where(VoiceStory.artisan_id == people.a)) == 0
