"""Progress voice notes: her recording goes through the voice stories' checks (transcoded, stripped), the
buyer hears it on her own page (preload="none") and is emailed; only she or a coordinator may post one;
hostile audio is refused with nothing kept."""
import os
import time

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.media.audio import AUDIO_SUBDIR, audio_path, prune_unused_audio
from storefront.media.storage import public_dir
from storefront.models import CommissionPost, OutboxEmail
from tests.commissions.test_journey import csrf, current, login, request_one
from tests.commissions.test_when_it_goes_wrong import paid_commission
from tests.sounds import encoded, wav


def post_voice(live, browser, commission_id, recording, note="", name="nota.m4a", mime="audio/mp4"):
    studio = f"{live.base_url}/studio/commissions/{commission_id}"
    return browser.post(f"{studio}/progress", data={"note": note, "csrf_token": csrf(browser, studio)},
                        files={"voice": (name, recording, mime)}, allow_redirects=False, timeout=60)


def posts(commission_id):
    db.session.rollback()
    return db.session.scalars(select(CommissionPost)
                              .where(CommissionPost.commission_id == commission_id)).all()


def stored_recordings():
    folder = public_dir() / AUDIO_SUBDIR
    return sorted(p.name for p in folder.glob("*.webm")) if folder.exists() else []


def test_her_voice_note_reaches_the_buyer_stripped_and_emailed(live, weaver):
    buyer, maria, commission_id, token = paid_commission(live, weaver)
    response = post_voice(live, maria, commission_id, encoded(2.0, title="Samsung SM-A105 at 16.73,-92.63"))
    assert response.status_code == 303
    [post] = posts(commission_id)
    assert post.voice_hash and 1500 <= post.voice_duration_ms <= 2500 and post.note == ""
    kept = audio_path(post.voice_hash).read_bytes()
    assert kept[:4] == b"\x1a\x45\xdf\xa3" and b"Samsung" not in kept and b"16.73" not in kept

    page = buyer.get(f"{live.base_url}/commissions/{token}", timeout=30).text
    assert f"/media/audio/{post.voice_hash}.webm" in page and 'preload="none"' in page
    assert buyer.get(f"{live.base_url}/media/audio/{post.voice_hash}.webm").headers["Content-Type"] \
        == "audio/webm"
    db.session.rollback()
    key = f"commission:{commission_id}:progress:{post.id}"
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.key == key))
    assert mail.recipient == "ada@example.com" and "voice note" in mail.message

    # Another buyer's page (another commission of hers) does not carry it.
    other_buyer, other_id, other_token = request_one(live, weaver)
    assert post.voice_hash not in other_buyer.get(f"{live.base_url}/commissions/{other_token}").text

    # A coordinator may post for her; the media prune keeps a recording a post uses.
    coord = login(live, "coord")
    assert post_voice(live, coord, commission_id, wav(1.5)).status_code == 303
    assert len(posts(commission_id)) == 2
    old = time.time() - 3 * 24 * 3600
    os.utime(audio_path(post.voice_hash), (old, old))
    prune_unused_audio(older_than_seconds=3600)
    assert audio_path(post.voice_hash).exists()
    assert current(commission_id).status == "in_progress"


def test_only_she_or_a_coordinator_may_post_a_voice_note(live, weaver):
    _buyer, _maria, commission_id, token = paid_commission(live, weaver)
    before = stored_recordings()
    rosa = login(live, "rosa")                      # another artisan: the commission does not exist for her
    studio = f"{live.base_url}/studio/commissions/{commission_id}"
    assert rosa.get(studio).status_code == 404
    token_of_rosa = csrf(rosa, f"{live.base_url}/studio/commissions")
    refused = rosa.post(f"{studio}/progress", data={"csrf_token": token_of_rosa},
                        files={"voice": ("n.wav", wav(1.5), "audio/wav")}, allow_redirects=False)
    assert refused.status_code == 404
    anonymous = live.browser()
    response = anonymous.post(f"{studio}/progress", files={"voice": ("n.wav", wav(1.5), "audio/wav")},
                              allow_redirects=False)
    assert response.status_code in (302, 400, 403) and "/studio" not in response.headers.get("Location", "")
    assert posts(commission_id) == [] and stored_recordings() == before


@pytest.mark.parametrize("recording, name, message", [
    (b"#EXTM3U\n#EXTINF:1,x\nfile:///etc/passwd\n", "list.m3u", "not a recording we can play"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt garbage that is not a wave file at all", "bad.wav",
     "not a recording we can play"),
    (b"", "empty.m4a", None),                       # an empty file part: no recording, no note
    ("short", "short.wav", "too short"),
    ("huge", "huge.wav", "too big"),
])
def test_hostile_audio_is_refused_with_nothing_kept(live, weaver, recording, name, message):
    _buyer, maria, commission_id, _token = paid_commission(live, weaver)
    if recording == "short":
        recording = wav(0.3)
    elif recording == "huge":
        recording = b"RIFF" + b"\x00" * (12 * 1024 * 1024 + 16)
    before = stored_recordings()
    response = post_voice(live, maria, commission_id, recording, name=name)
    assert response.status_code == 303
    page = maria.get(live.base_url + response.headers["Location"]).text
    assert (message or "Write a note, or add a photo or a voice note") in page
    assert posts(commission_id) == [] and stored_recordings() == before
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.template == "commission_progress")) == 0


def test_a_voice_note_only_while_she_is_making_it(live, weaver):
    _buyer, commission_id, _token = request_one(live, weaver)
    maria = login(live, weaver.slug)
    before = stored_recordings()
    response = post_voice(live, maria, commission_id, wav(1.5))
    page = maria.get(live.base_url + response.headers["Location"]).text
    assert "This commission is not in progress" in page
    assert posts(commission_id) == [] and stored_recordings() == before
