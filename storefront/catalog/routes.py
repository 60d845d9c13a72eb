"""Public pages: read the request, call the queries and presenters, render."""
from flask import Response, current_app, abort, render_template, request, url_for
from flask_babel import gettext as _

from storefront.accounts.permissions import PUBLIC, allow
from storefront.catalog import bp, filters as catalog_filters, present, queries, seo
from storefront.catalog.vocabulary import CATEGORIES, TECHNIQUES
from storefront.cooperative import fee_policy
from storefront.i18n import current_currency, current_locale
from storefront import formatting
from storefront.money import allocate, price_breakdown
from storefront.pagecache import cacheable
from storefront.pricing import price_in
from storefront.voice import news, stories

BRAND = "Telar"


def _cards(listed):
    """Cards of garments listed by the queries (queries.Listed, each knowing whether it is held)."""
    locale, currency, reserved_ids = current_locale(), current_currency(), queries.reserved_of(listed)
    return [present.listed_card(item, locale, currency, reserved_ids) for item in listed]


@bp.route("/")
@allow(PUBLIC)
@cacheable
def home():
    impact = queries.impact()
    return render_template(
        "catalog/home.html", cards=_cards(queries.featured_products()), impact=impact,
        paid_to_artisans=present.money(impact.paid_to_artisans_mxn, current_currency(), current_locale()),
        artisans=queries.artisan_links(12), alternates=seo.alternates(),
        canonical=seo.canonical_url())


@bp.route("/products/")
@allow(PUBLIC)
@cacheable
def products():
    shown_currency = price_in(0, current_currency()).currency
    chosen = catalog_filters.parse_filters(request.args, shown_currency)
    result = queries.search_products(chosen)
    args = catalog_filters.shareable_args(request.args)
    return render_template(
        "catalog/products.html", filters=chosen, result=result,
        cards=_cards(result.products),
        args=args, shown_currency=shown_currency, categories=CATEGORIES, techniques=TECHNIQUES,
        communities=queries.communities(),
        artisan_name=queries.artisan_name(chosen.artisan) if chosen.artisan else None,
        page_link=lambda page: url_for("catalog.products",
                                       **catalog_filters.shareable_args(request.args, page=page)),
        alternates=seo.alternates(**args), canonical=seo.canonical_url(**args))


@bp.route("/products/<slug>")
@allow(PUBLIC)
@cacheable
def product(slug):
    found = queries.product_by_slug(catalog_filters.clean_text(slug, 200))
    if found is None:
        abort(404)
    locale, currency = current_locale(), current_currency()
    card = present.product_card(found, locale, currency, queries.reserved_ids_of(found))
    split = price_breakdown(found.price_amount, fee_policy())
    # Shown in the buyer's currency, the parts are the displayed price split in the same proportions,
    # so they add up exactly to what she pays.
    parts = allocate(card.price.amount, [split.artisan_share, split.commission, split.payment_fee])
    labels = (_("Goes to the artisan"), _("Cooperative commission (workshops, photos, shipping help)"),
              _("Card payment fee (estimated)"))
    breakdown = [(label, formatting.money(amount, card.price.currency, locale),
                  round(100 * amount / card.price.amount) if card.price.amount else 0)
                 for label, amount in zip(labels, parts)]
    canonical = seo.canonical_url()
    pictures = [present.picture(image, card.content.title) for image in found.images]
    image_urls = [p.absolute(1280) for p in pictures]
    return render_template(
        "catalog/product.html", card=card, product=found, artisan=found.artisan, pictures=pictures,
        artisan_story=present.artisan_story(found.artisan, locale), portrait=present.portrait(found.artisan),
        breakdown=breakdown, more=_cards(queries.more_by_artisan(found)),
        voice=_voice(found.artisan_id, found.id, locale),
        jsonld=seo.product_jsonld(card, card.content, found.artisan, canonical, image_urls, BRAND),
        og_image=image_urls[0] if image_urls else None, canonical=canonical, alternates=seo.alternates(),
        can_add_to_cart="checkout.cart_add" in current_app.view_functions)


def _voice(artisan_id, product_id, locale):
    """Her recorded story for the page's player: (story, transcript, translation), or None."""
    story = stories.public_story_of(artisan_id, product_id)
    return (story, *stories.text_for_reader(story, locale)) if story is not None else None


@bp.route("/artisans/")
@allow(PUBLIC)
@cacheable
def artisans():
    locale = current_locale()
    people = [(a, present.artisan_story(a, locale), present.portrait(a)) for a in queries.active_artisans()]
    return render_template("catalog/artisans.html", people=people, alternates=seo.alternates(),
                           canonical=seo.canonical_url())


@bp.route("/artisans/<slug>")
@allow(PUBLIC)
@cacheable
def artisan(slug):
    found = queries.artisan_by_slug(catalog_filters.clean_text(slug, 200))
    if found is None:
        abort(404)
    locale = current_locale()
    products = queries.artisan_products(found)
    portrait = present.portrait(found)
    return render_template(
        "catalog/artisan.html", artisan=found, story=present.artisan_story(found, locale), portrait=portrait,
        languages=present.artisan_languages(found), voice=_voice(found.id, None, locale),
        updates=news.updates_of(found.id),
        cards=_cards(products),
        og_image=portrait.absolute(640)
        if portrait else None,
        alternates=seo.alternates(), canonical=seo.canonical_url())


@bp.route("/artisans/<slug>/updates.atom")
@allow(PUBLIC)
def artisan_updates_feed(slug):
    """An Atom feed of her news, for buyers who follow her."""
    found = queries.artisan_by_slug(catalog_filters.clean_text(slug, 200))
    if found is None:
        abort(404)
    base = (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")
    body = render_template("catalog/updates.atom", artisan=found, updates=news.updates_of(found.id, 30),
                           base=base, page_url=base + url_for("catalog.artisan", slug=found.slug))
    return Response(body, mimetype="application/atom+xml")


@bp.route("/about")
@allow(PUBLIC)
@cacheable
def about():
    impact = queries.impact()
    return render_template(
        "catalog/about.html", impact=impact, policy=fee_policy(),
        paid_to_artisans=present.money(impact.paid_to_artisans_mxn, current_currency(), current_locale()),
        alternates=seo.alternates(), canonical=seo.canonical_url())


@bp.route("/robots.txt")
@allow(PUBLIC)
def robots():
    lines = ["User-agent: *", "Disallow: /studio", "Disallow: /coop", "Disallow: /checkout",
             "Disallow: /cart",
             "Disallow: /orders", "Disallow: /login", "Allow: /",
             f"Sitemap: {url_for('catalog.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.route("/sitemap.xml")
@allow(PUBLIC)
def sitemap():
    products, artisans = queries.sitemap_entries()
    pages = [(url_for(endpoint, _external=True), None)
             for endpoint in ("catalog.home", "catalog.products", "catalog.artisans", "catalog.about")]
    pages += [(url_for("catalog.product", slug=slug, _external=True), updated) for slug, updated in products]
    pages += [(url_for("catalog.artisan", slug=slug, _external=True), updated) for slug, updated in artisans]
    xml = render_template("catalog/sitemap.xml", pages=pages, locales=seo.LOCALES)
    return Response(xml, mimetype="application/xml")


@bp.route("/feeds/products.csv")
@allow(PUBLIC)
def feed():
    """Google Merchant / Meta catalogue feed, in the currency asked for (`?currency=`), English by default."""
    locale, currency = current_locale(), current_currency()
    rows = []
    for product in queries.feed_products():
        card = present.product_card(product, locale, currency)
        pictures = [present.picture(image, card.content.title) for image in card.product.images]
        images = [p.absolute(1280)
                  for p in pictures]
        link = url_for("catalog.product", slug=card.product.slug, lang=locale, currency=currency,
                       _external=True)
        rows.append(seo.feed_row(card, link, images, BRAND))
    response = Response(seo.csv_text(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = "inline; filename=products.csv"
    return response


@bp.app_template_global()
def language_name(code):
    """The name of a content language in the visitor's language ("Spanish", "espagnol"…)."""
    return present.language_name(code, current_locale())


bp.add_app_template_global(present.availability_badges, "availability_badges")
