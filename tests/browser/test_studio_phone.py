"""An artisan on a 360x740 phone logs in, adds a garment with two photos and publishes it.

The photos go through static/js/upload.js (downsized on the phone, sent in chunks with a progress
bar); the garment then appears in the public catalog. Every studio page passes axe and the CSP.
"""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Artisan, Product
from tests.browser.journeys import ADMIN_LOGIN, log_in


def photo(path, color):
    image = Image.new("RGB", (3000, 2250), color)
    for x in range(0, 3000, 120):
        image.paste((240, 220, 200), (x, 0, x + 30, 2250))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_artisan_adds_two_photos_and_publishes_from_her_phone(visit, live_server, tmp_path, viewport):
    slug = live_server.query(lambda: db.session.scalars(select(Artisan.slug).order_by(Artisan.id)).first())
    v = visit(locale="es-MX")
    page = v.page
    v.goto("/login")
    page.fill("input[name=login]", slug)
    page.fill("input[name=password]", "demo-artisan")
    page.click("main input[type=submit]")
    page.wait_for_url(re.compile(r"/studio/"))
    v.check("studio list")
    v.goto("/studio/garments/new")
    v.check("garment form")
    page.fill("input[name=title]", "Blusa de la milpa")
    page.set_input_files("#photos", [photo(tmp_path / "uno.jpg", (150, 30, 40)),
                                     photo(tmp_path / "dos.jpg", (30, 40, 150))])
    page.locator("input[name=pending]").nth(1).wait_for(state="attached", timeout=30000)
    assert page.locator("input[name=pending]").count() == 2
    page.fill("textarea[name=story]", "La bordé pensando en la milpa de mi abuela.")
    page.select_option("select[name=technique]", "hand_embroidery")
    page.select_option("select[name=category]", "blouse")
    page.fill("input[name=materials]", "Manta y estambre")
    page.fill("input[name=materials_cost]", "250")
    page.fill("input[name=hours_of_work]", "30")
    page.fill("input[name=price]", "1900")
    v.check("garment form with photos")
    # Pressed from the keyboard: a pointer click's coordinates can go stale after the full-page
    # screenshot above resizes the viewport.
    publish = page.locator("button[value=publish]")
    publish.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/studio/(#.*)?$"))
    assert page.locator(".error").all_inner_texts() == []
    v.check("published")

    def saved():
        product = db.session.execute(select(Product).where(
            Product.slug.like("blusa-de-la-milpa-%"))).scalar_one()
        return product.slug, product.status, [image.width for image in product.images]
    slug, status, widths = live_server.query(saved)
    assert status == "published" and len(widths) == 2
    # Downsized on the phone before sending: the stored originals are at most 2048 px wide.
    assert all(width <= 2048 for width in widths)
    v.goto("/products/?lang=es")
    assert page.locator("text=Blusa de la milpa").count() >= 1
    v.goto(f"/products/{slug}?lang=es")
    assert page.locator("h1", has_text="Blusa de la milpa").count() == 1


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_calculator_and_people_pages_pass_axe_on_a_phone(visit, live_server, viewport):
    v = visit(locale="es-MX")
    log_in(v, *ADMIN_LOGIN, check=False)  # sets up her login codes on a first login
    for path in ("/studio/price?materials_cost=300&hours=40&price=2500", "/coop/people", "/coop/settings",
                 "/coop/audit", "/studio/", "/coop/people/artisans/new", "/coop/people/login-blocks",
                 "/account/two-factor"):
        v.goto(path)
        v.check(path)
