"""Being found and shared: canonical URLs, hreflang alternates, JSON-LD and the merchant feed rows."""
import csv
import io

from flask import request, url_for

from storefront.catalog.present import excerpt
from storefront.i18n import LOCALES

AVAILABILITY_SCHEMA = {"available": "https://schema.org/InStock", "reserved": "https://schema.org/LimitedAvailability",
                       "sold": "https://schema.org/SoldOut"}
AVAILABILITY_FEED = {"available": "in stock", "reserved": "out of stock", "sold": "out of stock"}
# Google's taxonomy ids (Apparel & Accessories…), used by Google Merchant and Meta catalogues alike.
GOOGLE_CATEGORY = {
    "huipil": "212",        # Apparel & Accessories > Clothing > Shirts & Tops
    "blouse": "212",
    "rebozo": "177",        # Apparel & Accessories > Clothing Accessories > Scarves & Shawls
    "shawl": "177",
    "bag": "6551",          # Apparel & Accessories > Handbags, Wallets & Cases > Handbags
    "table_linen": "4143",  # Home & Garden > Linens & Bedding > Table Linens
    "skirt": "1581",        # Apparel & Accessories > Clothing > Skirts
}
FEED_COLUMNS = ("id", "title", "description", "availability", "condition", "price", "link", "image_link",
                "additional_image_link", "brand", "google_product_category", "product_type", "identifier_exists",
                "item_group_id", "material", "gender", "age_group")


def page_url(locale=None, **args):
    """This page's absolute URL with `args` and `lang` (stable per language)."""
    values = dict(request.view_args or {})
    values.update({k: v for k, v in args.items() if v not in (None, "")})
    if locale:
        values["lang"] = locale
    return url_for(request.endpoint, _external=True, **values)


def canonical_url(**args):
    """The page itself: with `lang` when the visitor asked for one, else the x-default URL.

    Pointing an un-prefixed URL at its `?lang=` twin would make search engines (and Lighthouse) see
    a canonical that is another hreflang alternate.
    """
    lang = request.args.get("lang")
    return page_url(lang if lang in LOCALES else None, **args)


def alternates(**args):
    """(hreflang, url) for every interface language plus x-default."""
    links = [(code, page_url(code, **args)) for code in LOCALES]
    links.append(("x-default", page_url(None, **args)))
    return links


def product_jsonld(card, content, artisan, canonical, image_urls, brand):
    """schema.org Product/Offer; rendered with |tojson, which escapes <, > and & inside the script."""
    return {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": content.title,
        "description": excerpt(content.story, 500),
        "sku": str(card.product.id),
        "image": image_urls,
        "category": card.category,
        "material": content.materials,
        "brand": {"@type": "Brand", "name": brand},
        "manufacturer": {"@type": "Person", "name": artisan.display_name},
        "url": canonical,
        "offers": {
            "@type": "Offer",
            "url": canonical,
            "priceCurrency": card.price.currency,
            "price": price_number(card.price),
            "availability": AVAILABILITY_SCHEMA[card.availability],
            "itemCondition": "https://schema.org/NewCondition",
        },
    }


def price_number(price):
    """"123.45" for USD, "1234" for JPY: the major amount as the feeds and schema.org want it."""
    from storefront.money import to_major
    return str(to_major(price.amount, price.currency))


def feed_row(card, link, image_links, brand):
    """One Google Merchant / Meta catalogue row for a product card."""
    content = card.content
    return {
        "id": str(card.product.id),
        "title": content.title[:150],
        "description": (content.story or content.title)[:5000],
        "availability": AVAILABILITY_FEED[card.availability],
        "condition": "new",
        "price": f"{price_number(card.price)} {card.price.currency}",
        "link": link,
        "image_link": image_links[0] if image_links else "",
        "additional_image_link": ",".join(image_links[1:10]),
        "brand": brand,
        "google_product_category": GOOGLE_CATEGORY.get(card.product.category, ""),
        "product_type": card.category,
        "identifier_exists": "no",
        "item_group_id": "",
        "material": content.materials[:200],
        "gender": "female" if card.product.category in ("huipil", "blouse", "skirt") else "unisex",
        "age_group": "adult",
    }


def csv_text(rows):
    """CSV with a header; values that a spreadsheet would run as formulas are neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FEED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _safe_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _safe_cell(value):
    value = " ".join(str(value).split())
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
