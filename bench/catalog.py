"""Catalog server time with 10,000 garments and 1,000 artisans, on SQLite and PostgreSQL (when it answers).

    .venv/bin/python -m bench.catalog
    BENCH_DATABASE_URL=postgresql+psycopg://user@host/some_scratch_db .venv/bin/python -m bench.catalog

The PostgreSQL database named by BENCH_DATABASE_URL (else TEST_DATABASE_URL, else a database of its
own, `telar_bench_catalog` on postgres@127.0.0.1, when that server answers) is WIPED and rebuilt.
Times are measured in-process around the WSGI call (Flask test client): server time, no network.
Then search: five common and five rare words (typed without accents), p50/p99 of the ranked search
query alone (search_products: ids, then the page of garments) and of the whole page, on each engine.
Every request is rendered (PAGE_CACHE_SECONDS=0): this is the cost of a page the cache does not hold,
a buyer with a cart or a search nobody made seconds before; bench.load measures the cached pages.
"""
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

from PIL import Image
from sqlalchemy import insert, text

from bench._postgres import answers, create_database_if_missing, reset_schema

ARTISANS = 1_000
PRODUCTS = 10_000
RUNS = 40
CATEGORIES = ("huipil", "blouse", "rebozo", "shawl", "bag", "table_linen", "skirt")
TECHNIQUES = ("backstrap_loom", "hand_embroidery", "brocade", "wool_weaving", "cross_stitch")
COMMUNITIES = ("Chilil", "Romerillo", "Navenchauc", "Yashanal", "Mesbiljá", "Bayalemó", "Yabteclum",
               "Los Pozos",
               "Las Ollas", "Tzajalchén")
WORDS = ("rombos", "flores", "añil", "lana", "algodón", "mariposa", "sapo", "milpa", "estrellas", "montaña")
# Each in the story of a few garments only (RARE_EVERY apart): searched without their accents.
RARE_WORDS = ("quetzal", "jaguar", "colibrí", "obsidiana", "tortuga")
RARE_EVERY = 997
# Searched as a buyer types them: common words (in 10–40 % of garments), rare ones (a handful).
SEARCH_COMMON = ("huipil", "rebozo", "flores", "algodon", "anil")
SEARCH_RARE = ("quetzal", "jaguar", "colibri", "obsidiana", "tortuga")
SEARCH_RUNS = 30
OWN_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/telar_bench_catalog"
URLS = [
    "/products/",
    "/products/?page=417",
    "/products/?q=huipil",
    "/products/?q=mariposa+lana",
    "/products/?q=Artesana+77",
    "/products/?category=bag&sort=price_asc",
    "/products/?technique=brocade&community=Chilil&available=1",
    "/products/?currency=USD&min_price=50&max_price=100&sort=price_desc",
    "/products/?artisan=artesana-500",
]


def _image(seed):
    buffer = io.BytesIO()
    Image.effect_noise((400, 500), 40 + seed).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()


def build(app):
    """Migrate, then bulk-insert the artisans, garments, translations, photos and rates."""
    from flask_migrate import upgrade

    from storefront.extensions import db
    from storefront.media.pipeline import store_image
    from storefront.models import (Artisan, ArtisanTranslation, ExchangeRate, Product, ProductImage,
                                   ProductTranslation)
    rng = random.Random(42)
    with app.app_context():
        upgrade()
        stored = [store_image(_image(n)) for n in range(5)]
        session = db.session
        session.execute(insert(Artisan), [
            {"id": n, "slug": f"artesana-{n}", "display_name": f"Artesana {n}",
             "community": COMMUNITIES[n % 10],
             "municipality": "Huixtán", "languages": "tzo,es", "joined_on": date(2025, 1, 1), "active": True,
             "created_at": datetime(2025, 1, 1)} for n in range(1, ARTISANS + 1)])
        session.execute(insert(ArtisanTranslation), [
            {"artisan_id": n, "locale": "es", "story": f"Tejo {rng.choice(WORDS)} desde niña."}
            for n in range(1, ARTISANS + 1)])
        start = datetime(2024, 1, 1)
        products, translations, images = [], [], []
        for n in range(1, PRODUCTS + 1):
            category, technique = rng.choice(CATEGORIES), rng.choice(TECHNIQUES)
            sold = rng.random() < 0.3
            products.append({
                "id": n, "artisan_id": rng.randint(1, ARTISANS), "slug": f"prenda-{n}", "category": category,
                "technique": technique, "sizes": "Unitalla", "hours_of_work": rng.randint(5, 200),
                "price_amount": rng.randint(45, 600) * 1000, "price_currency": "MXN",
                "stock": 0 if sold else 1,
                "status": "sold_out" if sold else "published", "created_at": start, "updated_at": start,
                "published_at": start + timedelta(hours=n)})
            words = " ".join(rng.sample(WORDS, 3))
            rare = (f" Bordé un {RARE_WORDS[(n // RARE_EVERY) % len(RARE_WORDS)]}."
                    if n % RARE_EVERY == 0 else "")
            translations.append({"product_id": n, "locale": "es", "title": f"{category.title()} de {words}",
                                 "story": f"Hecho a mano con {words}. Me llevó muchas horas.{rare}",
                                 "materials": "Algodón"})
            translations.append({"product_id": n, "locale": "en", "title": f"{category.title()} {n}",
                                 "story": f"Handmade with {words}.", "materials": "Cotton"})
            image = stored[n % len(stored)]
            images.append({"product_id": n, "position": 0, "alt_text": "front",
                           "original_path": image.original_path,
                           "content_hash": image.content_hash, "width": image.width, "height": image.height,
                           "created_at": start})
        session.execute(insert(Product), products)
        session.execute(insert(ProductTranslation), translations)
        session.execute(insert(ProductImage), images)
        for currency, rate in {"USD": "0.0550", "EUR": "0.0505", "GBP": "0.0430", "CAD": "0.0760",
                               "JPY": "8.2"}.items():
            session.add(ExchangeRate(currency=currency, rate=Decimal(rate), set_at=datetime(2026, 1, 1)))
        session.commit()
        if db.engine.dialect.name == "postgresql":
            # VACUUM as autovacuum would have by now, so the figures are those of a settled database.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))


def logged_in_clients(app):
    """Test clients of artisan 1 (about ten garments) and of a coordinator, logged in through
    Flask-Login's own FlaskLoginClient (the pages, not the login form, are measured)."""
    from flask_login import FlaskLoginClient

    from storefront.accounts.passwords import hash_password
    from storefront.extensions import db
    from storefront.models import Role, User
    with app.app_context():
        artisan = User(username="bench-artisan", password_hash=hash_password("x" * 12),
                       role=Role.ARTISAN.value, artisan_id=1)
        coordinator = User(username="bench-coordinator", password_hash=hash_password("x" * 12),
                           role=Role.COORDINATOR.value)
        db.session.add_all([artisan, coordinator])
        db.session.commit()
        app.test_client_class = FlaskLoginClient
        try:
            return {"/studio/": app.test_client(user=artisan), "/coop/": app.test_client(user=coordinator)}
        finally:
            app.test_client_class = None


def _timed(client, url):
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(app):
    """p50/p99 server milliseconds over every catalog URL (and per URL), then the studio's and the
    cooperative's home pages."""
    client = app.test_client()
    per_url, everything = {}, []
    for url in URLS + ["/products/prenda-5000", "/"]:
        times = _timed(client, url)
        per_url[url] = _percentiles(times)
        if url.startswith("/products/?") or url == "/products/":
            everything.extend(times)
    for url, logged_in in logged_in_clients(app).items():
        per_url[url] = _percentiles(_timed(logged_in, url))
    everything.sort()
    # A reference measured in the same run: the machine's noise shows here too (BROWSER.md, "Load").
    reference = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get("/healthz")
        reference.append((time.perf_counter() - started) * 1000)
    return {"reference_healthz_p50_ms": round(statistics.median(reference), 1),
            "p50_ms": round(statistics.median(everything), 1),
            "p99_ms": round(everything[min(len(everything) - 1, int(len(everything) * 0.99))], 1),
            "per_url_ms": per_url}


def _percentiles(times):
    times = sorted(times)
    return round(statistics.median(times), 1), round(times[min(len(times) - 1, int(len(times) * 0.99))], 1)


def measure_search(app):
    """Per word: p50/p99 of the search query alone (ids, ranked) and of the whole catalog page."""
    from storefront.catalog import queries
    from storefront.catalog.filters import parse_filters
    from storefront.extensions import db
    client = app.test_client()
    figures = {}
    for kind, words in (("common", SEARCH_COMMON), ("rare", SEARCH_RARE)):
        query_times, page_times, found = [], [], {}
        for word in words:
            with app.test_request_context(f"/products/?q={word}"):
                filters = parse_filters({"q": word}, "MXN")
                found[word] = queries.search_products(filters).total
                for _ in range(SEARCH_RUNS):
                    started = time.perf_counter()
                    queries.search_products(filters)
                    query_times.append((time.perf_counter() - started) * 1000)
                db.session.remove()
            client.get(f"/products/?q={word}")
            for _ in range(SEARCH_RUNS // 3):
                started = time.perf_counter()
                client.get(f"/products/?q={word}")
                page_times.append((time.perf_counter() - started) * 1000)
        figures[kind] = {"query": _percentiles(query_times), "page": _percentiles(page_times), "found": found}
    return figures


def postgres_url():
    """The PostgreSQL database to wipe and fill, or None when there is none to use."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if url:
        return url if url.startswith("postgresql") else None
    if not answers(OWN_DATABASE):
        return None
    create_database_if_missing(OWN_DATABASE)
    return OWN_DATABASE


def run_engine(name, url, media_root):
    from storefront import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": media_root, "SECRET_KEY": "b" * 40,
                      "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://",
                      "LOG_REQUESTS": False, "PAGE_CACHE_SECONDS": 0})
    started = time.perf_counter()
    build(app)
    built = time.perf_counter() - started
    figures = measure(app)
    figures["build_s"] = round(built, 1)
    print(f"{name}: catalog server time p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms "
          f"({PRODUCTS} garments, {ARTISANS} artisans; data built in {figures['build_s']} s; "
          f"reference /healthz p50 {figures['reference_healthz_p50_ms']} ms; "
          f"load average {os.getloadavg()[0]:.1f})")
    for url, (p50, p99) in figures["per_url_ms"].items():
        print(f"    p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  {url}")
        if not url.startswith("/products/?"):
            figures[f"{url} p50_ms"], figures[f"{url} p99_ms"] = p50, p99
    searches = measure_search(app)
    for kind, result in searches.items():
        (q50, q99), (p50, p99) = result["query"], result["page"]
        figures[f"search_{kind}_p50_ms"], figures[f"search_{kind}_p99_ms"] = q50, q99
        print(f"{name}: search, {kind} words: query p50 {q50} ms, p99 {q99} ms; whole page p50 {p50} ms, "
              f"p99 {p99} ms; found {result['found']}")
    with app.app_context():
        from storefront.extensions import db
        db.engine.dispose()
    return figures


def main():
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run_engine("sqlite", f"sqlite:///{tmp}/bench.sqlite3", f"{tmp}/media")
        pg_url = postgres_url()
        if pg_url:
            reset_schema(pg_url)
            results["postgresql"] = run_engine("postgresql", pg_url, f"{tmp}/media")
            reset_schema(pg_url)
        else:
            print("postgresql: skipped (no server on 127.0.0.1, and no BENCH_DATABASE_URL)")
    return {f"catalog_{engine}_{k}": v for engine, figures in results.items() for k, v in figures.items()
            if k.endswith(("p50_ms", "p99_ms"))}


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
