"""Without signal: an artisan prepares a garment with the phone offline, closes the page, opens the studio
again (still offline, from what the service worker kept), and the garment arrives — once — when the
signal returns. Then the phone, as if it had never heard the answer, sends the same draft again: the
draft key makes it the same garment.

Chromium at 360x740; the context is put offline and online with Playwright (`context.set_offline`), and
the page is closed and a new one opened in the same context, since IndexedDB and the service worker
live in the context.
"""
import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Product, ProductTranslation, VoiceStory
from tests import sounds
from tests.browser.journeys import ARTISAN_LOGIN, log_in, photo_files

TITLE = "Huipil preparado sin señal"


def until(v, script, arg=None, tries=300):
    """Evaluate `script` (which may return a promise) until it is truthy; fail with the last value."""
    value = None
    for _ in range(tries):
        value = v.page.evaluate(script, arg)
        if value:
            return value
        v.page.wait_for_timeout(100)
    pytest.fail(f"never true: {script} (last: {value!r})")


KEPT = """async (urls) => {
    const missing = [];
    for (const url of urls) { if (!(await caches.match(url))) missing.push(url); }
    return missing.length === 0 && navigator.serviceWorker.controller !== null;
}"""

STORED = """async () => {
    const db = await idb.openDB('telar-offline', 1);
    return (await db.getAll('drafts')).map(d => ({state: d.state, title: d.title, url: d.url || null,
        photos: (d.entries || []).filter(e => e.name === 'photos' && e.blob).map(e => e.blob.size),
        voice: (d.entries || []).filter(e => e.name === 'voice' && e.blob).length}));
}"""


COPY = """async () => {
    const copy = await idb.openDB('test-copy', 1, {
        upgrade(db) { db.createObjectStore('drafts', {keyPath: 'key'}); }});
    const drafts = await (await idb.openDB('telar-offline', 1)).getAll('drafts');
    for (const draft of drafts) await copy.put('drafts', draft);
}"""

PUT_BACK = """async () => {
    const drafts = await (await idb.openDB('test-copy', 1)).getAll('drafts');
    const db = await idb.openDB('telar-offline', 1);
    for (const draft of drafts) await db.put('drafts', Object.assign(draft, {state: 'sending'}));
}"""


def reopen(v, path):
    """Close the page (its tab) and open the studio again in the same browser (same context)."""
    v.page.close()
    v.page = v.context.new_page()
    v.page.on("console", v._on_console)
    v.page.on("pageerror", lambda error: v.console_errors.append(f"page error: {error}"))
    v.goto(path)


def open_studio_kept(v):
    """Her studio, once the service worker controls it and has kept its pages and files."""
    v.goto("/studio/")
    until(v, KEPT, v.page.locator("#offline-queue").get_attribute("data-keep").split())


def prepare_offline(v, tmp_path, title, photos=1, voice=False):
    """With the phone offline, the garment form (from what the phone kept) filled and published."""
    v.context.set_offline(True)
    v.goto("/studio/garments/new")
    assert v.page.locator("#offline-banner").is_visible()
    v.page.fill("input[name=title]", title)
    v.page.set_input_files("#photos", photo_files(tmp_path, photos, seed=300))
    v.page.locator("li.photo.kept img").nth(photos - 1).wait_for(timeout=30000)  # downsized and kept
    if voice:
        story = tmp_path / "historia.m4a"
        story.write_bytes(sounds.encoded(seconds=2.0))
        v.page.set_input_files("#voice", str(story))
    v.page.fill("textarea[name=story]", "Lo tejí en el telar de cintura, sin señal en la casa.")
    v.page.select_option("select[name=technique]", "backstrap_loom")
    v.page.select_option("select[name=category]", "huipil")
    v.page.fill("input[name=hours_of_work]", "35")
    v.page.fill("input[name=price]", "2100")
    v.check("offline form filled")
    publish = v.page.locator("button[value=publish]")
    publish.focus()
    v.page.keyboard.press("Enter")
    v.page.locator("#offline-queue li.queued-waiting").wait_for()
    assert "Esperando señal" in v.page.locator("#offline-queue").inner_text()
    assert "se guarda en este teléfono" in v.page.locator("#offline-status").inner_text()
    assert v.page.locator("input[name=title]").input_value() == ""  # the form is ready for the next one
    v.check("kept on the phone")


def her_phone_with_a_draft(visit, tmp_path, title):
    """She logs in on her phone (Spanish), the studio is kept, and a garment is prepared offline."""
    v = visit(locale="es-MX")
    log_in(v, *ARTISAN_LOGIN, check=False)
    open_studio_kept(v)
    prepare_offline(v, tmp_path, title)
    return v


def garments_titled(title):
    return db.session.scalars(select(Product).join(ProductTranslation)
                              .where(ProductTranslation.title == title)).all()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_garment_prepared_offline_arrives_once_when_the_signal_returns(
        visit, live_server, tmp_path, viewport):
    v = visit(locale="es-MX")
    log_in(v, *ARTISAN_LOGIN, check=False)
    open_studio_kept(v)
    assert v.page.locator("#offline-queue").is_hidden()  # nothing waits: no queue shown

    # No signal. The garment form opens from what the phone kept.
    prepare_offline(v, tmp_path, TITLE, photos=2, voice=True)
    [draft] = v.page.evaluate(STORED)
    assert draft["state"] == "waiting" and draft["title"] == TITLE and draft["voice"] == 1
    assert len(draft["photos"]) == 2 and all(0 < size < 1_000_000 for size in draft["photos"])
    assert live_server.query(lambda: garments_titled(TITLE)) == []

    # She closes the page; later she opens the studio, still without signal: the garment still waits.
    reopen(v, "/studio/")
    v.page.locator("#offline-queue li.queued-waiting").wait_for()
    assert TITLE in v.page.locator("#offline-queue").inner_text()
    v.check("studio reopened offline")

    v.page.evaluate(COPY)  # (for the test: a copy of the draft as it was before sending)

    # The signal returns: it is sent by itself and arrives, with a link to it.
    v.context.set_offline(False)
    arrived = v.page.locator("#offline-queue li.queued-arrived")
    arrived.wait_for(timeout=60000)
    assert "Ya llegó" in arrived.inner_text()
    v.check("arrived")
    [draft] = v.page.evaluate(STORED)
    # The fields, photos and voice are gone from the phone; a line saying it arrived stays.
    assert draft["state"] == "arrived" and draft["photos"] == [] and draft["voice"] == 0

    def made():
        [garment] = garments_titled(TITLE)
        story = db.session.scalar(select(VoiceStory).where(VoiceStory.product_id == garment.id))
        return garment.id, garment.status, len(garment.images), garment.draft_key, story is not None
    garment_id, status, photos, draft_key, has_story = live_server.query(made)
    assert (status, photos, has_story) == ("published", 2, True) and draft_key
    assert arrived.locator("a").get_attribute("href") == f"/studio/garments/{garment_id}/edit"

    # The phone never heard the answer (the page closed mid-send): the same draft, with the same key,
    # goes again. It is answered "already arrived"; there is still one garment.
    v.page.evaluate(PUT_BACK)
    reopen(v, "/studio/")
    v.page.locator("#offline-queue li.queued-arrived").wait_for(timeout=60000)
    assert v.page.evaluate(STORED)[0]["state"] == "arrived"
    assert len(live_server.query(lambda: garments_titled(TITLE))) == 1


DAMAGED_AND_OVERSIZED = """async (user) => {
    const db = await idb.openDB('telar-offline', 1, {
        upgrade(db) { db.createObjectStore('drafts', {keyPath: 'key'}); }});
    await db.put('drafts', {key: 'not a key!', entries: 'garbage'});
    const huge = new Blob([new Uint8Array(25 * 1024 * 1024)], {type: 'image/jpeg'});
    await db.put('drafts', {key: 'oversized-draft-0123456789', user: user, title: 'Enorme', state: 'waiting',
                            created: 1, entries: [{name: 'title', value: 'Enorme'},
                                                  {name: 'photos', blob: huge, filename: 'a.jpg'}]});
}"""
COUNT = "async () => (await (await idb.openDB('telar-offline', 1)).getAll('drafts')).length"


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_damaged_or_oversized_draft_gets_a_message_not_an_endless_loop(visit, live_server, viewport):
    v = visit(locale="es-MX")
    log_in(v, *ARTISAN_LOGIN, check=False)
    v.goto("/studio/")
    v.page.wait_for_function("() => typeof idb === 'object'")
    v.page.evaluate(DAMAGED_AND_OVERSIZED, int(v.page.locator("#offline-queue").get_attribute("data-user")))
    sent = []  # the queue asks for a token only when it has something to send, then posts it
    v.page.on("request", lambda request: sent.append(request.url)
              if request.method == "POST" or "/offline/token" in request.url else None)
    v.page.reload()
    broken = v.page.locator("#offline-queue li.queued-broken")
    too_big = v.page.locator("#offline-queue li.queued-too_big")
    broken.wait_for()
    too_big.wait_for()
    assert "se dañó" in broken.inner_text() and "demasiado grande" in too_big.inner_text()
    v.check("damaged and oversized drafts")
    v.page.evaluate("() => window.dispatchEvent(new Event('online'))")  # a send round finds nothing to send
    v.page.wait_for_load_state("networkidle")
    assert sent == []
    broken.locator("button").click()
    too_big.locator("button").click()
    v.page.locator("#offline-queue").wait_for(state="hidden")
    assert v.page.evaluate(COUNT) == 0
    assert live_server.query(lambda: garments_titled("Enorme")) == []


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_logged_out_when_the_signal_returns_the_draft_waits_for_her_to_log_in(
        visit, live_server, tmp_path, viewport):
    title = "Blusa que esperó su sesión"
    v = her_phone_with_a_draft(visit, tmp_path, title)
    v.context.clear_cookies()  # days later her session has ended
    reopen(v, "/studio/")  # still offline: the kept page
    v.context.set_offline(False)
    waiting = v.page.locator("#offline-queue li.queued-login")
    waiting.wait_for(timeout=60000)
    assert "entra para enviarla" in waiting.inner_text()
    v.check("log in to send")
    assert live_server.query(lambda: garments_titled(title)) == []
    with v.page.expect_navigation():
        waiting.locator("a").click()
    assert "/login" in v.page.url
    v.page.fill("input[name=login]", ARTISAN_LOGIN[0])
    v.page.fill("input[name=password]", ARTISAN_LOGIN[1])
    with v.page.expect_navigation():
        v.page.locator("form:has(input[name=password]) [type=submit]").click()
    v.page.locator("#offline-queue li.queued-arrived").wait_for(timeout=60000)
    assert len(live_server.query(lambda: garments_titled(title))) == 1


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_send_cut_after_the_server_saved_it_is_sent_again_and_stays_one_garment(
        visit, live_server, tmp_path, viewport):
    title = "Rebozo de la señal que se fue"
    v = her_phone_with_a_draft(visit, tmp_path, title)
    cut, posts = [], []

    def cut_the_first_answer(route):
        """The post reaches the server, which saves the garment; its answer never reaches the phone."""
        if route.request.method == "POST":
            posts.append(route.request.url)
        if route.request.method == "POST" and not cut:
            route.fetch()
            cut.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()
    v.context.route("**/studio/garments/new", cut_the_first_answer)
    v.context.set_offline(False)
    v.page.locator("#offline-queue li.queued-arrived").wait_for(timeout=60000)
    assert cut, "the first send was not cut"
    assert len(posts) == 2  # sent twice (the second time with a fresh token and the same draft key)...
    assert len(live_server.query(lambda: garments_titled(title))) == 1  # ...arrived once


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_with_no_studio_page_open_the_service_worker_sends_it_when_the_signal_returns(
        visit, live_server, tmp_path, viewport):
    """Background Sync: the browser tells the worker the signal is back (here through DevTools, as the
    test cannot switch a real radio); the worker sends the draft by itself, no studio page open."""
    title = "Faja enviada con el teléfono guardado"
    v = her_phone_with_a_draft(visit, tmp_path, title)
    v.page.close()
    v.page = v.context.new_page()  # only a blank tab: no studio page, no offline.js
    v.context.set_offline(False)
    devtools = v.context.new_cdp_session(v.page)
    registrations = []
    devtools.on("ServiceWorker.workerRegistrationUpdated",
                lambda event: registrations.extend(event["registrations"]))
    devtools.send("ServiceWorker.enable")
    for _ in range(100):
        studio = [r for r in registrations if r["scopeURL"] == live_server("/studio/") and not r["isDeleted"]]
        if studio:
            break
        v.page.wait_for_timeout(100)
    assert studio, registrations
    # Chromium may already have fired the sync itself when the signal came back (the real thing);
    # otherwise DevTools fires it. Either way only the worker can send it: no studio page is open.
    if not live_server.query(lambda: garments_titled(title)):
        devtools.send("ServiceWorker.dispatchSyncEvent", {"origin": live_server.url, "lastChance": False,
                                                          "registrationId": studio[0]["registrationId"],
                                                          "tag": "telar-queue"})
    for _ in range(300):
        if live_server.query(lambda: garments_titled(title)):
            break
        v.page.wait_for_timeout(100)
    assert len(live_server.query(lambda: garments_titled(title))) == 1
    v.goto("/studio/")
    v.page.locator("#offline-queue li.queued-arrived").wait_for()
    assert title in v.page.locator("#offline-queue li.queued-arrived").inner_text()
