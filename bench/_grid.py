import time, statistics
from bench.load import DATABASE_URL, SECRET, WORKDIR
from storefront import create_app
from storefront.catalog import queries, filters as cf, present
from storefront.i18n import current_currency, current_locale
from flask import render_template_string
app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET, "LOG_REQUESTS": False,
                  "MEDIA_ROOT": str(WORKDIR / "media"), "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"})
def t(f, n=300):
    ts=[]
    for _ in range(n):
        s=time.perf_counter(); f(); ts.append((time.perf_counter()-s)*1000)
    return statistics.median(ts)
with app.test_request_context("/products/"):
    app.preprocess_request()
    r = queries.search_products(cf.parse_filters({}, "MXN"))
    cards = [present.listed_card(i, current_locale(), current_currency(), r.reserved_ids) for i in r.products]
    tpl = '{% from "catalog/_macros.html" import product_grid %}{{ product_grid(cards) }}'
    print("grid", t(lambda: render_template_string(tpl, cards=cards)))
    print("cards", t(lambda: [present.listed_card(i, current_locale(), current_currency(), r.reserved_ids) for i in r.products]))
    print("pictures", t(lambda: [c.picture.html("x", True) for c in cards]))
    from flask import render_template
    print("whole page render", t(lambda: render_template("catalog/products.html", filters=cf.parse_filters({}, "MXN"), result=r, cards=cards, args={}, shown_currency="MXN", categories=queries.CATEGORIES, techniques=queries.TECHNIQUES, communities=[], artisan_name=None, page_link=lambda p: "/x", alternates=[], canonical="/")))
