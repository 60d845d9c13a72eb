"""The staff home and menu, payouts owed, the translation queue: what a coordinator and an admin live in."""
import re

import pytest
from sqlalchemy import select

from storefront.earnings import ledger
from storefront.extensions import db
from storefront.models import Artisan, AuditEntry, ProductTranslation, User
from tests.conftest import csrf_token

ADMIN_ONLY = ("/coop/rates", "/coop/shipping", "/coop/settings", "/coop/audit")
EVERY_STAFF = ("/coop/", "/coop/orders", "/coop/payouts", "/coop/commissions", "/studio/",
               "/coop/translations", "/coop/earnings", "/coop/impact", "/coop/baselines", "/coop/people",
               "/coop/people/login-blocks", "/coop/languages/", "/account/two-factor")


def menu_links(html):
    nav = re.search(r'<nav class="subnav staff-nav[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no staff menu on the page"
    return re.findall(r'href="([^"]+)"', nav.group(1))


def test_login_lands_staff_on_their_home_and_the_menu_reaches_every_staff_page(client, people, login):
    response = login("boss")
    assert response.headers["Location"].endswith("/coop/")
    links = menu_links(client.get("/coop/").get_data(as_text=True))
    assert set(links) == set(EVERY_STAFF) | set(ADMIN_ONLY)
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert menu_links(page.get_data(as_text=True)) == links, f"{link} lacks the same menu"


def test_a_coordinator_gets_the_staff_menu_without_admin_pages_not_the_artisans(client, people, login):
    login("coord")
    links = menu_links(client.get("/studio/").get_data(as_text=True))
    assert set(links) == set(EVERY_STAFF)
    html = client.get("/studio/").get_data(as_text=True)
    assert "My earnings" not in html and "My garments" not in html
    for path in ADMIN_ONLY:
        assert client.get(path).status_code == 403


def test_artisans_and_strangers_do_not_reach_staff_pages(client, people, login):
    assert client.get("/coop/").status_code == 302
    login("rosa")
    for path in ("/coop/", "/coop/payouts", "/coop/translations",
                 f"/coop/translations/artisans/{people.a}/fr"):
        assert client.get(path).status_code == 403, path


def test_home_puts_what_needs_doing_first_with_payouts_owed(app, client, people, login, garment):
    with app.app_context():
        admin = db.session.get(User, people.admin)
        ledger.record_adjustment(people.a, 56966_6, "Venta en la feria", admin)
    login("coord")
    html = client.get("/coop/").get_data(as_text=True)
    attention = html[html.index("Needs attention"):html.index("Orders by status")]
    assert "0 orders to pack" in attention and "1 artisan is owed money" in attention
    assert "$5,696.66 in all" in attention
    owed = client.get("/coop/payouts").get_data(as_text=True)
    assert "Rosa Pérez" in owed and "$5,696.66" in owed and "569666" not in owed
    assert f"/coop/artisans/{people.a}/payouts/new" in owed


def test_the_translation_queue_lists_what_is_missing_and_staff_fill_it_in(app, client, people, login,
                                                                          garment):
    product_id = garment(people.a, title="Huipil de rombos", title_en="Diamond huipil")
    login("coord")
    html = client.get("/coop/translations").get_data(as_text=True)
    assert "Huipil de rombos" in html and f"/coop/translations/garments/{product_id}/fr" in html
    assert f"/coop/translations/garments/{product_id}/en" not in html
    path = f"/coop/translations/garments/{product_id}/fr"
    form = client.get(path).get_data(as_text=True)
    assert "Hecho a mano." in form  # the Spanish source beside the form
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "title": "Huipil à losanges", "story": "Fait main.",
                                       "materials": "Coton"})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(select(ProductTranslation).where(
            ProductTranslation.product_id == product_id, ProductTranslation.locale == "fr"))
        assert row.title == "Huipil à losanges" and row.updated_at is not None
        last = db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()))
        assert last == "translation.saved"
    html = client.get("/coop/translations").get_data(as_text=True)
    assert f"/coop/translations/garments/{product_id}/fr" not in html
    # The buyer reading French now gets the French garment; only the artisan's story (still in
    # Spanish) carries a "not yet translated" note.
    page = client.get(f"/products/{_slug(app, product_id)}?lang=fr").get_data(as_text=True)
    assert "Huipil à losanges" in page and page.count("pas encore traduit") == 1


def _slug(app, product_id):
    from storefront.models import Product
    with app.app_context():
        return db.session.get(Product, product_id).slug


@pytest.mark.parametrize("locale", ["es", "xx", "tzo"])
def test_only_shop_languages_other_than_the_source_can_be_filled_in(client, people, login, locale):
    login("coord")
    assert client.get(f"/coop/translations/artisans/{people.a}/{locale}").status_code == 404


def test_an_empty_or_oversized_translation_is_refused(app, client, people, login):
    login("coord")
    path = f"/coop/translations/artisans/{people.a}/de"
    for story in ("   ", "x" * 20_001):
        response = client.post(path, data={"csrf_token": csrf_token(client, path), "story": story})
        assert response.status_code == 200
    with app.app_context():
        assert all(t.locale == "es" for t in db.session.get(Artisan, people.a).translations)


def test_lists_say_when_a_text_falls_back_to_another_language(client, people, garment):
    garment(people.a, title="Blusa bordada")
    html = client.get("/products/?lang=de").get_data(as_text=True)
    assert "Blusa bordada" in html and "noch nicht übersetzt" in html
    html = client.get("/artisans/?lang=fr").get_data(as_text=True)
    assert "Tejo en telar." in html and "pas encore traduit" in html


def test_earnings_csv_names_its_charset_once(client, people, login):
    login("boss")
    response = client.get("/coop/earnings.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_the_home_counts_exactly_what_the_translation_queue_lists(app, make):
    """count_to_do (SQL, for the staff home) agrees with the queue page's own reading, row by row."""
    from datetime import datetime

    from storefront.models import ArtisanTranslation
    from storefront.staff import translations
    with app.app_context():
        rosa = make.artisan()
        make.product(rosa, title_en="Diamond huipil")                      # fr, de missing
        make.product(rosa, status="draft")                                 # not on sale: not counted
        outdated = make.product(rosa, title_en="Old title")
        outdated.translations.append(ProductTranslation(locale="fr", title="  ", story=""))  # blank: missing
        outdated.translations.append(ProductTranslation(locale="de", title="Alt", story="Alt."))
        db.session.flush()
        by_locale = {t.locale: t for t in outdated.translations}
        by_locale["es"].updated_at = datetime(2026, 6, 2)
        by_locale["en"].updated_at = by_locale["de"].updated_at = datetime(2026, 6, 1)  # before the source
        silent = make.artisan()
        silent.translations.append(ArtisanTranslation(locale="en", story="   "))  # blank: missing
        db.session.commit()
        expected = sum(len(item.to_do) for item in translations.queue())
        assert expected >= 10
        assert translations.count_to_do() == expected
