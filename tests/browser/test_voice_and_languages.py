"""At 360x740: the studio in Tsotsil falls back to Spanish; a story recorded from the microphone
(Chromium's fake audio device) is played on her public page, fetched only when the buyer presses play."""
import re

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Artisan, VoiceStory
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Visit

FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                   "--autoplay-policy=no-user-gesture-required"]


def _login(v, slug):
    page = v.page
    v.goto("/login?lang=tzo")
    page.fill("input[name=login]", slug)
    page.fill("input[name=password]", "demo-artisan")
    page.click("main input[type=submit]")
    page.wait_for_url(re.compile(r"/studio/"))


def _first_artisan(live_server):
    return live_server.query(lambda: db.session.scalars(select(Artisan.slug).order_by(Artisan.id)).first())


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_studio_in_tsotsil_shows_spanish_where_nothing_is_translated(visit, live_server, viewport):
    v = visit(locale="es-MX")
    _login(v, _first_artisan(live_server))
    v.goto("/studio/")
    page = v.page
    assert page.get_attribute("html", "lang") == "tzo"
    assert page.locator("#switch-lang").input_value() == "tzo"
    # "My garments" has no Tsotsil translation in the shipped catalogue: it shows in Spanish.
    assert page.locator("nav.subnav a", has_text="Mis prendas").is_visible()
    assert page.locator("text=My garments").count() == 0
    box = page.locator("nav.subnav a").first.bounding_box()
    assert box["height"] >= 48  # touch target
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    v.check("studio in tsotsil")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_she_records_her_story_and_a_buyer_plays_it(browser_type, live_server, viewport, request):
    browser = browser_type.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + FAKE_MICROPHONE)
    try:
        slug = _first_artisan(live_server)
        v = Visit(browser, live_server, viewport, "voice-artisan", locale="es-MX", permissions=["microphone"])
        _login(v, slug)
        v.goto("/studio/profile")
        page = v.page
        v.check("profile recorder")
        ready = page.get_attribute("#voice", "data-label-ready")
        page.click("#voice-record")
        page.locator("#voice-status").filter(has_text=re.compile(".+")).wait_for()
        # The fake device beeps; a story must last at least a second, and recording takes real time
        # (the page's CSP refuses the eval that wait_for_function would need).
        page.wait_for_timeout(2500)
        page.click("#voice-record")
        page.locator("#voice-status", has_text=ready).wait_for()
        assert page.evaluate("document.getElementById('voice').files.length") == 1
        with page.expect_navigation():
            page.click("button[name=action][value=save]")
        assert page.locator(".error").count() == 0
        story = live_server.query(lambda: db.session.scalars(select(VoiceStory)).one())
        assert story.duration_ms >= 1000 and story.size_bytes < 250_000
        v.close()

        buyer = Visit(browser, live_server, viewport, "voice-buyer", locale="en-US")
        audio_requests = []
        buyer.page.on("request", lambda r: audio_requests.append(r.url) if "/media/audio/" in r.url else None)
        buyer.goto(f"/artisans/{slug}")
        player = buyer.page.locator(".voice-story audio")
        assert player.get_attribute("preload") == "none"
        buyer.check("artisan page with her voice")
        assert audio_requests == []  # nothing fetched before play
        played = player.evaluate("""audio => new Promise((resolve, reject) => {
            audio.addEventListener("timeupdate", () => {
                if (audio.currentTime > 0.2) resolve(audio.currentTime);
            });
            audio.addEventListener("error", () => reject(new Error("cannot play: " + audio.error.code)));
            audio.play().catch(reject);
        })""")
        assert played > 0.2 and audio_requests
        buyer.close()
    finally:
        browser.close()
