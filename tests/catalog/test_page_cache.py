"""Public pages any HTTP cache may share (storefront.pagecache), and the in-process cache that does so.

"Served from memory" is measured as zero SQL statements for the request; every test also checks what
the visitor sees, so a cache that served the wrong page would fail here.
"""
import gzip
import json
import logging
import re

import pytest

from storefront import pagecache
from storefront.logging import LOGGER_NAME
from tests.factories import PASSWORD


@pytest.fixture
def get(client, count_queries):
    """GET that also says whether the page came from memory (no SQL at all)."""
    def get(path, client=client, method="GET", **kwargs):
        with count_queries() as counter:
            response = client.open(path, method=method, **kwargs)
        return response, counter.count == 0
    return get


@pytest.fixture
def cache(app):
    assert isinstance(app.wsgi_app, pagecache.PageCache)
    return app.wsgi_app


@pytest.fixture
def garment(data, make):
    make.rate("USD", "0.05")
    make.rate("EUR", "0.05")
    return data.garment(title_en="Diamond huipil")


def test_second_anonymous_visit_is_answered_from_memory(get, garment):
    first, first_cached = get("/")
    second, second_cached = get("/")
    assert (first_cached, second_cached) == (False, True)
    assert second.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert second.status_code == 200 and second.data == first.data
    assert "Diamond huipil" in second.get_data(as_text=True)
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["X-Content-Type-Options"] == "nosniff"
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert int(second.headers["Content-Length"]) == len(second.data)


PUBLIC_PAGES = ("/", "/products/", "/artisans/", "/about", "/products/?category=huipil&sort=price_asc",
                "/products/?q=huipil")


def test_each_public_page_kind_is_the_same_for_every_visitor_and_shareable(app, get, garment):
    paths = PUBLIC_PAGES + (f"/products/{garment.slug}", f"/artisans/{garment.artisan.slug}")
    for path in paths:
        first = app.test_client().get(path)
        response, cached = get(path)
        assert response.status_code == 200 and cached, path
        assert response.data == first.data, path                       # identical for every visitor
        assert "Set-Cookie" not in first.headers and "csrf_token" not in first.get_data(as_text=True), path
        assert first.headers["Cache-Control"] == "public, max-age=5, stale-while-revalidate=5", path
        varies = set(first.headers["Vary"].split(", "))
        assert {"Accept-Language", "Cookie", "Accept-Encoding"} <= varies, path
        assert first.headers["ETag"], path
        unchanged = app.test_client().get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert unchanged.status_code == 304 and unchanged.data == b"", path


def test_private_pages_and_her_own_pages_are_never_shared(app, client, auth, make, garment):
    visitor = app.test_client()
    for path in ("/cart", "/login", "/healthz"):
        assert "public" not in visitor.get(path).headers.get("Cache-Control", ""), path
    visitor.get("/?lang=fr")  # her language, in her session cookie
    for path in PUBLIC_PAGES:
        response = visitor.get(path)
        assert response.headers["Cache-Control"] == "private, no-cache", path
    artisan = make.artisan(with_login=True)
    auth.login(artisan.slug, PASSWORD)
    for path in ("/", "/products/", "/studio/"):
        assert "public" not in client.get(path).headers.get("Cache-Control", ""), path


def test_pages_that_are_not_public_listings_are_never_kept(get, cache, garment):
    for path in ("/products/no-such-garment", "/cart", "/sitemap.xml", "/healthz", "/login"):
        get(path)
        get(path)
    assert cache.entries == {}
    _, cached = get("/products/no-such-garment")
    assert not cached


def test_language_and_currency_are_part_of_the_key(app, get, garment):
    french, _ = get("/products/", headers={"Accept-Language": "fr"})
    english, cached = get("/products/", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert not cached
    assert 'lang="fr"' in french.get_data(as_text=True) and 'lang="en"' in english.get_data(as_text=True)
    again, cached = get("/products/", headers={"Accept-Language": "fr-FR"})
    assert cached and again.data == french.data
    british, cached = get("/products/", headers={"Accept-Language": "en-GB,en;q=0.8"})  # same words, pounds
    assert not cached and '<option value="GBP" selected' in british.get_data(as_text=True)
    assert '<option value="USD" selected' in english.get_data(as_text=True)

    euro_visitor = app.test_client()
    get("/products/?currency=EUR", client=euro_visitor)  # her choice goes into her session
    euros, cached = get("/products/", client=euro_visitor)
    assert not cached and "€" in euros.get_data(as_text=True)
    dollars, _ = get("/products/")
    assert "€" not in dollars.get_data(as_text=True)
    euros_again, cached = get("/products/", client=euro_visitor)
    assert not cached and "€" in euros_again.get_data(as_text=True)  # her cookie: rendered for her


def test_switching_language_is_never_answered_from_memory(client, get, garment):
    get("/")
    response, cached = get("/?lang=fr")
    assert not cached and 'lang="fr"' in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["lang"] == "fr"


def test_a_write_committed_here_empties_the_cache_at_once(get, data, garment):
    get(f"/products/{garment.slug}")
    _, cached = get(f"/products/{garment.slug}")
    assert cached
    data.sale(garment, share_mxn=1000)  # paid: the webhook path commits exactly like this
    page, cached = get(f"/products/{garment.slug}")
    assert not cached
    assert "found its home" in page.get_data(as_text=True)


def test_logged_in_people_and_buyers_with_a_cart_are_never_served_from_memory(app, auth, get, make, garment):
    get("/")
    get("/")
    artisan = make.artisan(with_login=True)
    auth.login(artisan.slug, PASSWORD)
    for _ in range(2):
        page, cached = get("/")
        assert not cached and "Log out" in page.get_data(as_text=True)

    buyer = app.test_client()
    get(f"/products/{garment.slug}", client=buyer)
    assert buyer.post("/cart/add", data={"product_id": garment.id, "quantity": 1}).status_code == 303
    for _ in range(2):
        _, cached = get(f"/products/{garment.slug}", client=buyer)
        assert not cached


def test_a_remember_me_cookie_skips_the_cache(app, get, garment):
    get("/")
    returning = app.test_client()
    returning.set_cookie("remember_token", "anything")
    _, cached = get("/", client=returning)
    assert not cached


def test_add_to_cart_from_a_shared_page_works_without_a_token(app, get, garment):
    get(f"/products/{garment.slug}")
    page, cached = get(f"/products/{garment.slug}", client=app.test_client())
    assert cached and "Add to cart" in page.get_data(as_text=True)
    newcomer = app.test_client()
    ours = "http://localhost"
    added = newcomer.post("/cart/add", data={"product_id": garment.id, "quantity": 1},
                          headers={"Origin": ours, "Sec-Fetch-Site": "same-origin"})
    assert added.status_code == 303 and "session=" in added.headers["Set-Cookie"]
    assert "SameSite=Lax" in added.headers["Set-Cookie"] and "HttpOnly" in added.headers["Set-Cookie"]
    assert garment.translations[0].title in newcomer.get("/cart").get_data(as_text=True)


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/shop.html"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://localhost.evil.example", "Referer": "http://localhost/products/"},
])
def test_add_to_cart_from_another_site_is_refused(app, garment, headers):
    victim = app.test_client()
    victim.post("/cart/add", data={"product_id": garment.id, "quantity": 1})
    refused = victim.post("/cart/add", data={"product_id": garment.id, "quantity": 1}, headers=headers)
    assert refused.status_code == 400


def test_other_forms_still_need_their_csrf_token(app, garment):
    buyer = app.test_client()
    buyer.post("/cart/add", data={"product_id": garment.id, "quantity": 1})
    assert buyer.post("/cart/update", data={"product_id": garment.id, "quantity": 1}).status_code == 400


def test_a_change_by_staff_is_fresh_within_the_promised_seconds(app, get, cache, garment, database_url):
    """Another instance (or a script) changes the price: this process learns nothing of it, yet every
    cache, this one included, shows the new price once the promised seconds have passed."""
    from sqlalchemy import create_engine, text

    promised = pagecache.freshness_seconds(app)
    now = [1000.0]
    cache.clock = lambda: now[0]
    path = f"/products/{garment.slug}"
    first, _ = get(path)
    control = first.headers["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", control).group(1))
    stale = int(re.search(r"stale-while-revalidate=(\d+)", control).group(1))
    assert max_age + stale <= promised
    assert "$60.00" in first.get_data(as_text=True)

    other_instance = create_engine(database_url)  # not this process's engine: no local invalidation
    with other_instance.begin() as connection:
        connection.execute(text("UPDATE products SET price_amount = 300000 WHERE id = :id"),
                           {"id": garment.id})
    other_instance.dispose()

    now[0] += promised + 0.1
    fresh, cached = get(path)
    assert not cached and "$150.00" in fresh.get_data(as_text=True)
    revalidated = app.test_client().get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 200  # a shared cache revalidating its copy gets the new page


def test_gzip_etag_and_head_on_a_hit(get, garment):
    plain, _ = get("/about")
    get("/about", headers={"Accept-Encoding": "gzip, br"})
    zipped, cached = get("/about", headers={"Accept-Encoding": "gzip, br"})
    assert cached and zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"].strip('"').endswith("-gz")
    assert "Accept-Encoding" in zipped.headers["Vary"]

    unchanged, cached = get("/about", headers={"Accept-Encoding": "gzip",
                                               "If-None-Match": zipped.headers["ETag"]})
    assert cached and unchanged.status_code == 304 and unchanged.data == b""

    get("/about")
    head, cached = get("/about", method="HEAD")
    assert cached and head.data == b""
    assert int(head.headers["Content-Length"]) == len(plain.data)


def test_the_host_is_part_of_the_key(get, garment):
    get("/", base_url="http://evil.example")
    page, cached = get("/")
    assert not cached and "evil.example" not in page.get_data(as_text=True)


def test_a_hit_writes_one_log_line_with_its_request_id(app, get, garment):
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(json.loads(record.getMessage()))
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    try:
        get("/")
        response, cached = get("/", headers={"X-Request-ID": "proxy-id-123456"})
    finally:
        logger.removeHandler(handler)
    assert cached
    hit = lines[-1]
    assert hit["request_id"] == response.headers["X-Request-ID"] == "proxy-id-123456"
    assert (hit["cache"], hit["path"], hit["endpoint"], hit["status"], hit["user_id"]) == \
        ("hit", "/", pagecache.HIT_ENDPOINT, 200, None)
    assert "cache" not in lines[-2]


def test_expired_page_is_rendered_by_one_request_while_the_others_get_the_copy(get, cache, garment):
    now = [1000.0]
    cache.clock = lambda: now[0]
    get("/")
    key = next(iter(cache.entries))
    assert cache.lookup(key) is not None
    now[0] += cache.seconds + 0.1           # expired
    assert cache.lookup(key) is None        # this one renders again…
    assert cache.lookup(key) is not None    # …the others keep the copy meanwhile
    now[0] += cache.seconds                 # too old even for that
    assert cache.lookup(key) is None
    _, cached = get("/")
    assert not cached
    _, cached = get("/")
    assert cached


@pytest.fixture
def two_pages_at_most(app_config):
    app_config["PAGE_CACHE_MAX_ENTRIES"] = 2


@pytest.fixture
def cache_off(app_config):
    app_config["PAGE_CACHE_SECONDS"] = 0


def test_the_cache_holds_at_most_its_maximum(two_pages_at_most, get, cache, garment):
    for page in range(1, 6):
        get(f"/products/?page={page}&q=x{page}")
    assert len(cache.entries) == 2
    _, cached = get("/products/?page=5&q=x5")
    assert cached


def test_zero_seconds_turns_it_off(cache_off, app, get, garment):
    assert not isinstance(app.wsgi_app, pagecache.PageCache)
    get("/")
    _, cached = get("/")
    assert not cached


def test_any_cookie_means_a_page_rendered_for_her(app, get, garment):
    get(f"/products/{garment.slug}")
    forger = app.test_client()
    forger.set_cookie("session", "eyJjc3JmX3Rva2VuIjoiYWJjIn0.forged.signature")
    page, cached = get(f"/products/{garment.slug}", client=forger)
    assert not cached and page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-cache"


def test_garbage_headers_and_huge_query_strings_do_no_harm(get, cache, garment):
    for headers in ({"Accept-Language": "xx;q=abc,,;;"}, {"Accept-Encoding": "\x00gzip?"},
                    {"Cookie": "session=" + "A" * 5000}, {"If-None-Match": '"unterminated'}):
        get("/", headers=headers)
        page, _ = get("/", headers=headers)
        body = gzip.decompress(page.data) if page.headers.get("Content-Encoding") == "gzip" else page.data
        assert page.status_code == 200 and "Diamond huipil" in body.decode()
    page, _ = get("/products/?q=" + "x" * 20_000)
    assert page.status_code == 200
    assert len(cache.entries) <= cache.max_entries


def test_concurrent_visitors_in_several_languages_each_get_their_own(two_pages_at_most, app, garment):
    from concurrent.futures import ThreadPoolExecutor

    languages = ("en", "fr", "de", "es")
    paths = ("/", "/products/", f"/products/{garment.slug}", "/about")

    def visit(n):
        language, path = languages[n % 4], paths[(n // 4) % 4]
        response = app.test_client().get(path, headers={"Accept-Language": language})
        return response.status_code, f'<html lang="{language}">' in response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(visit, range(240)))
    assert outcomes == [(200, True)] * 240


def test_a_page_that_puts_something_of_hers_in_the_session_is_not_kept(app, get, cache):
    from flask import session

    from storefront.accounts.permissions import PUBLIC, allow

    @app.route("/test-only/remembers-her")
    @allow(PUBLIC)
    @pagecache.cacheable
    def remembers_her():
        session["ship_country"] = "JP"
        return "<p>Shipping to Japan</p>"

    get("/test-only/remembers-her")
    assert cache.entries == {}
