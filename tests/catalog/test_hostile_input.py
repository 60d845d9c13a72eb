"""Absurd query strings and hostile content: a normal page or a 400, never a 500; user content escaped."""
import json
import re

import pytest

from storefront.extensions import db
from storefront.models import ArtisanTranslation, ProductTranslation

HOSTILE_QUERIES = [
    "page=1000000000000", "page=-1", "page=abc", "page=" + "9" * 400, "min_price=-10", "max_price=abc",
    "min_price=1e999", "min_price=NaN&max_price=Infinity", "sort=%27%3Bdrop+table", "category=../../etc",
    "technique=%00", "community=" + "x" * 5000, "artisan=%25", "unknown=1&foo[]=2", "q=" + "a" * 10_240,
    "q=%25%25%25_", "q=%00%01", "lang=xx", "lang=" + "e" * 300, "currency=ZZZ", "currency=usd", "available=%FF",
    "q=%E2%80%AE%F0%9F%A7%B5", "min_price=5&min_price=6",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_catalog_queries_give_a_normal_page(client, data, query):
    data.garment()
    response = client.get("/products/?" + query)
    assert response.status_code in (200, 400), query
    if response.status_code == 200:
        assert "Garments" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/?lang=zz&currency=QQQ", "/artisans/?page=x", "/about?lang=%00",
                                  "/feeds/products.csv?currency=" + "X" * 300, "/sitemap.xml?lang=xx"])
def test_hostile_queries_on_other_pages(client, data, path):
    assert client.get(path).status_code in (200, 400)


@pytest.mark.parametrize("path", ["/products/no-such-garment", "/artisans/nobody", "/products/" + "x" * 5000,
                                  "/products/%00evil", "/artisans/%00",
                                  "/nowhere"])
def test_unknown_slugs_are_404_in_the_visitors_language(client, data, path):
    response = client.get(path + "?lang=fr")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html and "<h1>" in html and 'href="/products/"' in html


def test_server_errors_are_a_friendly_page_in_the_visitors_language(app, app_config):
    from storefront.accounts.permissions import PUBLIC, allow

    @allow(PUBLIC)
    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/broken-for-test?lang=de")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html and "boom" not in html and "Traceback" not in html


SCRIPT = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'


def test_stories_and_titles_are_escaped_everywhere(client, data, make):
    artisan = make.artisan(name='Ana "<b>"', story=SCRIPT)
    product = data.garment(artisan=artisan, title=SCRIPT)
    product.translations.append(ProductTranslation(locale="en", title=SCRIPT, story=SCRIPT, materials=SCRIPT))
    artisan.translations.append(ArtisanTranslation(locale="en", story=SCRIPT))
    db.session.commit()
    for path in (f"/products/{product.slug}?lang=en", f"/artisans/{artisan.slug}?lang=en", "/products/?lang=en",
                 "/?lang=en", "/artisans/", f"/products/?q={SCRIPT}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert "<b>" not in html, path
        # The only script elements are JSON-LD blocks.
        assert re.findall(r"<script(?![^>]*application/ld\+json)", html) == [], path
    html = client.get(f"/products/{product.slug}?lang=en").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "</script" not in block and "<" not in block
    assert json.loads(block)["name"] == SCRIPT  # escaped, not mangled
    meta = re.search(r'<meta property="og:description" content="([^"]*)">', html).group(1)
    assert "<" not in meta and "&lt;" in meta
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "<script" not in sitemap
