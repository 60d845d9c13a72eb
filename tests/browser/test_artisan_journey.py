"""Artisan: logs in, adds a garment with two photos (progress bar shown), publishes it, finds it in
the public catalog, and, once a buyer abroad has paid for it, sees the sale on her earnings page."""
import uuid

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Product, ProductTranslation
from tests.browser.journeys import ARTISAN_LOGIN, buy, log_in, normal_network, photo_files, slow_network

WATCH_PROGRESS = """() => {
    window.__progressSeen = 0;
    new MutationObserver(records => {
        for (const r of records) for (const n of r.addedNodes)
            if (n.nodeType === 1 && (n.matches('progress') || n.querySelector('progress')))
                window.__progressSeen++;
    }).observe(document.getElementById('upload-progress'), {childList: true, subtree: true});
}"""


def test_artisan_adds_two_photos_publishes_and_finds_her_garment(visit, live_server, viewport, tmp_path):
    v = visit("artisan", locale="es-MX")
    title = f"Blusa de flores {viewport} {uuid.uuid4().hex[:6]}"

    landed = log_in(v, *ARTISAN_LOGIN)
    assert "/studio" in landed
    v.check("her studio")

    v.page.locator("a[href*='/studio/garments/new']").first.click()
    v.page.wait_for_url("**/studio/garments/new**")
    v.check("garment form")

    # Two photos over a slow link: the script sends them in chunks and shows a progress bar.
    link = slow_network(v)
    v.page.evaluate(WATCH_PROGRESS)
    v.page.set_input_files("#photos", photo_files(tmp_path, 2, seed=hash(viewport) % 1000))
    v.page.locator("#upload-progress progress").first.wait_for(state="visible", timeout=15_000)
    v.screenshot("photos uploading with progress bar")
    v.page.locator("#photo-list li.photo.pending").nth(1).wait_for(state="attached", timeout=60_000)
    assert v.page.evaluate("window.__progressSeen") >= 2, "each photo shows its progress bar"
    assert v.page.locator("#photo-list li.photo.pending").count() == 2
    assert v.page.locator("#upload-progress .error").count() == 0
    normal_network(link)

    v.page.fill("#title", title)
    v.page.fill("#story", "Bordé estas flores en las tardes de lluvia, pensando en mi mamá.")
    v.page.select_option("#technique", index=1)
    v.page.select_option("#category", index=1)
    v.page.fill("#materials", "Algodón, hilo de seda")
    v.page.fill("#hours_of_work", "30")
    v.page.fill("#price", "1450")
    v.page.fill("#stock", "1")
    v.check("garment form filled")
    with v.page.expect_navigation():
        v.page.locator("button[name=action][value=publish]").click()
    assert "/studio/" in v.page.url and "/garments/new" not in v.page.url, v.page.content()[:2000]
    garment = v.page.locator("li.garment", has_text=title)
    assert garment.locator(".status-published").count() == 1
    v.check("published")

    def saved():
        product = db.session.execute(select(Product).join(ProductTranslation)
                                     .where(ProductTranslation.title == title)).scalar_one()
        return product.slug, product.status, len(product.images), product.price_amount
    slug, status, images, price = live_server.query(saved)
    assert (status, images, price) == ("published", 2, 145_000)

    # The public catalog, as a buyer sees it (a fresh browser, not logged in).
    buyer = visit("buyer", locale="en-US")
    buyer.goto(f"/products/?q={title.split()[-1]}")
    card = buyer.page.locator(f"a[href='/products/{slug}']").first
    card.wait_for(state="visible")
    buyer.check("her garment in the catalog")
    with buyer.page.expect_navigation():
        card.click()
    assert buyer.page.locator("h1").inner_text() == title
    assert buyer.page.locator(".gallery img").count() == 2
    buyer.check("her garment's page")

    # Later, someone abroad buys it; the sale shows on her earnings page.
    buy(buyer, live_server, f"/products/{slug}")
    v.goto("/studio/earnings")
    sales = v.page.locator("table", has_text=title)
    assert sales.count() == 1, v.page.locator("main").inner_text()
    v.check("her earnings with the sale")
