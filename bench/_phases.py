import time, statistics
from bench.load import DATABASE_URL, SECRET, WORKDIR
from storefront import create_app
from storefront.catalog import queries, filters as cf, present
from storefront.i18n import current_currency, current_locale
from flask import render_template
app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET, "LOG_REQUESTS": False,
                  "MEDIA_ROOT": str(WORKDIR / "media"), "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"})
def t(f, n=200):
    ts=[]
    for _ in range(n):
        s=time.perf_counter(); f(); ts.append((time.perf_counter()-s)*1000)
    return statistics.median(ts)
with app.test_request_context("/products/"):
    app.preprocess_request()
    chosen = cf.parse_filters({}, "MXN")
    print("search_products", t(lambda: queries.search_products(chosen)))
    ids = [p.id for p in queries.search_products(chosen).products]
    print("listed", t(lambda: queries.listed(ids)))
    print("reserved", t(lambda: queries.reserved_product_ids(ids)))
    from storefront.extensions import db
    from sqlalchemy import text
    print("select 1", t(lambda: db.session.execute(text("select 1")).all()))
    r = queries.search_products(chosen)
    print("cards", t(lambda: [present.listed_card(i, current_locale(), current_currency(), r.reserved_ids) for i in r.products]))
    print("communities", t(lambda: queries.communities()))
