"""A buyer abroad browses the storefront: home, catalog, a garment, the artisans, the about page."""
import re

from storefront.extensions import db
from storefront.models import ArtisanTranslation


def test_home_shows_story_featured_garments_artisans_and_impact_from_the_database(client, data, make):
    make.rate("USD", "0.0500")
    maria = make.artisan(name="María López", community="Chilil")
    sold = data.garment(artisan=maria, title="Huipil vendido", price_mxn=2000)
    data.sale(sold, share_mxn=150000)
    data.garment(artisan=maria, title="Rebozo de añil", title_en="Indigo rebozo", category="rebozo")
    html = client.get("/?currency=USD&lang=en").get_data(as_text=True)
    assert "cooperative" in html
    assert "Indigo rebozo" in html and "<picture>" in html and 'type="image/webp"' in html
    assert "María López" in html
    # 1 garment sold; 1,500.00 MXN credited to her ledger is 75.00 USD at 0.05.
    assert re.search(r"<strong>1</strong>\s*garment sold abroad", html)
    assert "$75.00" in html
    assert "Huipil vendido" not in html  # sold garments are not featured


def test_product_page_shows_story_facts_gallery_artisan_and_price(client, data, make):
    make.rate("EUR", "0.0500")
    artisan = make.artisan(name="Petrona Gómez", community="Yashanal", municipality="Tenejapa",
                           story="Tejo brocado.")
    product = data.garment(artisan=artisan, title="Huipil de Tenejapa", title_en="Tenejapa huipil",
                           price_mxn=3000, hours=80, technique="brocade")
    data.garment(artisan=artisan, title="Otra", title_en="Another one")
    html = client.get(f"/products/{product.slug}?lang=en&currency=EUR").get_data(as_text=True)
    assert "<h1>Tenejapa huipil</h1>" in html
    assert "Handmade." in html and "Cotton" in html and "80 hours" in html and "Unitalla" in html
    assert "Brocade" in html and "Huipil" in html
    assert "€150.00" in html  # 3,000 MXN at 0.05
    assert "Petrona Gómez" in html and "Yashanal, Tenejapa" in html and f"/artisans/{artisan.slug}" in html
    gallery = html.split('class="gallery"')[1].split("</div>")[0]
    assert 'type="image/webp"' in gallery and "-320.webp 320w" in gallery and "-640.jpg 640w" in gallery
    assert 'width="800" height="1000"' in gallery
    assert 'loading="lazy"' not in gallery  # the first photo is the page's main content
    assert 'loading="lazy"' in html.split("More by")[1]  # cards below the fold wait
    assert "Available" in html


def test_where_the_money_goes_adds_up_to_the_price_shown(client, data, make):
    make.rate("USD", "0.0550")
    product = data.garment(price_mxn=1234)
    html = client.get(f"/products/{product.slug}?lang=en&currency=USD").get_data(as_text=True)
    section = html.split('id="money-title"')[1].split("</section>")[0]
    amounts = [float(a.replace(",", "")) for a in re.findall(r"<strong>\$([\d,.]+)</strong>", section)]
    assert len(amounts) == 3
    assert round(sum(amounts), 2) == 67.87  # 1,234 MXN × 0.055 = 67.87 USD
    assert "Goes to the artisan" in section and "commission" in section
    assert amounts[0] > amounts[1] > amounts[2]


def test_reserved_and_sold_garments_say_so_and_offer_no_cart(client, data):
    held = data.garment(title="Apartado")
    data.hold(held)
    sold = data.garment(title="Vendido")
    data.sale(sold, share_mxn=100)
    held_html = client.get(f"/products/{held.slug}").get_data(as_text=True)
    assert "Reserved" in held_html and "Add to cart" not in held_html
    sold_html = client.get(f"/products/{sold.slug}").get_data(as_text=True)
    assert "Sold" in sold_html and "Add to cart" not in sold_html
    listing = client.get("/products/").get_data(as_text=True)
    assert "Reserved" in listing and "Sold" in listing


def test_add_to_cart_posts_to_the_checkout_when_it_exists(app, data):
    from storefront.accounts.permissions import PUBLIC, allow
    if "checkout.cart_add" not in app.view_functions:  # this branch built without the checkout
        app.add_url_rule("/cart/add-for-test", "checkout.cart_add", allow(PUBLIC)(lambda: ("", 204)),
                         methods=["POST"])
    product = data.garment()
    html = app.test_client().get(f"/products/{product.slug}").get_data(as_text=True)
    form = html.split('class="add-to-cart"')[0].rsplit("<form", 1)[1] + html.split('class="add-to-cart"')[1]
    form = form.split("</form>")[0]
    from flask import url_for
    with app.test_request_context():
        action = url_for("checkout.cart_add")
    assert f'method="post" action="{action}"' in form
    assert f'name="product_id" value="{product.id}"' in form
    assert 'name="csrf_token"' not in form  # the same page for every visitor: web.cross_site_request
    assert "Add to cart" in form


def test_drafts_and_archived_garments_are_not_public(client, data):
    draft = data.garment(status="draft", title="Borrador secreto")
    archived = data.garment(status="archived", title="Archivada secreta")
    assert client.get(f"/products/{draft.slug}").status_code == 404
    assert client.get(f"/products/{archived.slug}").status_code == 404
    listing = client.get("/products/?q=secret").get_data(as_text=True)
    assert "Borrador" not in listing and "Archivada" not in listing


def test_artisans_list_and_profile_with_her_languages_and_garments(client, data, make):
    ana = make.artisan(name="Ana Jiménez", community="Las Ollas", municipality="San Juan Chamula",
                       story="Hilo la lana yo misma.")
    data.garment(artisan=ana, title="Chal de lana", title_en="Wool shawl", category="shawl")
    listing = client.get("/artisans/?lang=en").get_data(as_text=True)
    assert "Ana Jiménez" in listing and "Las Ollas" in listing
    profile = client.get(f"/artisans/{ana.slug}?lang=en").get_data(as_text=True)
    assert "Hilo la lana yo misma." in profile
    assert "Tsotsil" in profile and "Spanish" in profile
    assert "Wool shawl" in profile


def test_inactive_artisans_are_hidden(client, data, make):
    gone = make.artisan(name="Ya no está")
    gone.active = False
    product = data.garment(artisan=gone)
    db.session.commit()
    assert client.get(f"/artisans/{gone.slug}").status_code == 404
    assert client.get(f"/products/{product.slug}").status_code == 404
    assert "Ya no está" not in client.get("/artisans/").get_data(as_text=True)


def test_about_page_explains_the_commission(client, data):
    html = client.get("/about?lang=en").get_data(as_text=True)
    assert "About the cooperative" in html and "%" in html


def test_every_public_page_is_open_to_anonymous_visitors(client, data, make):
    artisan = make.artisan()
    product = data.garment(artisan=artisan)
    for path in ("/", "/products/", f"/products/{product.slug}", "/artisans/", f"/artisans/{artisan.slug}",
                 "/about", "/sitemap.xml", "/robots.txt", "/feeds/products.csv"):
        assert client.get(path).status_code == 200, path


def test_artisan_story_translation_is_preferred_when_present(client, data, make):
    artisan = make.artisan(story="Historia en español.")
    artisan.translations.append(ArtisanTranslation(locale="en", story="Story in English."))
    db.session.commit()
    html = client.get(f"/artisans/{artisan.slug}?lang=en").get_data(as_text=True)
    assert "Story in English." in html and "Historia en español." not in html
    assert "not yet translated" not in html
