"""What templates show of a product or an artisan: content in the buyer's language, prices in her currency.

Plain functions over loaded rows; no queries here.
"""
from dataclasses import dataclass
from urllib.parse import quote

from babel import Locale
from flask import g, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from storefront.catalog.content import pick_translation
from storefront.catalog.queries import availability
from storefront.catalog.vocabulary import category_label, language_label, technique_label
from storefront.media.urls import image_src, image_srcset
from storefront.media.pipeline import derivative_name, derivative_widths
from storefront import formatting
from storefront.pricing import price_in


@dataclass(frozen=True)
class Picture:
    content_hash: str
    width: int
    height: int
    alt: str

    @property
    def webp_srcset(self):
        return image_srcset(self.content_hash, self.width, "webp")

    @property
    def jpg_srcset(self):
        return image_srcset(self.content_hash, self.width, "jpg")

    def best_width(self, wanted):
        widths = derivative_widths(self.width)
        return ([w for w in widths if w <= wanted] or widths[:1])[-1]

    def src(self, wanted=640, ext="jpg"):
        """The largest derivative not wider than `wanted` (for <img src>)."""
        return image_src(self.content_hash, self.best_width(wanted), ext)

    def absolute(self, wanted=1280, ext="jpg"):
        """Absolute URL for og:image, JSON-LD and feeds."""
        name = derivative_name(self.content_hash, self.best_width(wanted), ext)
        return url_for("media.derivative", name=name,
                       _external=True)

    def scaled_height(self, width):
        return max(1, round(self.height * width / self.width))

    def html(self, sizes, lazy=True, priority=False):
        """<picture>: WebP and JPEG at every width the pipeline made. Built here rather than in a Jinja
        macro because a catalog page shows 24 of them and a macro call costs as much as the string."""
        attributes = ' loading="lazy"' if lazy else ""
        if priority:
            attributes += ' fetchpriority="high"'
        sizes = escape(sizes)
        return Markup(
            f'<picture>\n<source type="image/webp" srcset="{self.webp_srcset}" sizes="{sizes}">\n'
            f'<img src="{self.src(640)}" srcset="{self.jpg_srcset}" sizes="{sizes}" width="{self.width}" '
            f'height="{self.height}" alt="{escape(self.alt)}"{attributes} decoding="async">\n</picture>')


@dataclass(frozen=True)
class Content:
    """A translated text block and the language it is really in."""
    title: str
    story: str
    materials: str
    locale: str
    is_fallback: bool


def language_name(code, in_locale):
    """"Spanish" in English, "espagnol" in French…"""
    try:
        return Locale.parse(code).get_display_name(in_locale) or code
    except (ValueError, TypeError):
        return code


def product_content(product, locale):
    chosen = pick_translation(product.translations, locale)
    if chosen is None:
        return Content(product.slug, "", "", locale, False)
    row = chosen.value
    return Content(row.title, row.story or "", row.materials or "", chosen.locale, chosen.is_fallback)


def artisan_story(artisan, locale):
    chosen = pick_translation(artisan.translations, locale)
    if chosen is None:
        return Content(artisan.display_name, "", "", locale, False)
    return Content(artisan.display_name, chosen.value.story or "", "", chosen.locale, chosen.is_fallback)


def excerpt(text, limit=160):
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def money(amount_mxn, currency, locale):
    """A peso amount shown in the buyer's currency (MXN when there is no rate for hers)."""
    price = price_in(amount_mxn, currency)
    return formatting.money(price.amount, price.currency, locale)


@dataclass(frozen=True)
class Card:
    product: object          # the garment: an ORM row (its page, the feed) or a queries.Listed (lists)
    url: str
    content: Content
    artisan_name: str
    price: object
    price_text: str
    availability: str
    picture: Picture | None
    category: str
    technique: str


def _per_request(name, make):
    """A value built once a request (a catalog page shows 24 cards that share it)."""
    if name not in g:
        setattr(g, name, make())
    return getattr(g, name)


def product_url(slug):
    """url_for("catalog.product", slug=…), from a prefix built once a request."""
    prefix = _per_request("product_url_prefix", lambda: url_for("catalog.product", slug="x")[:-1])
    return prefix + quote(slug, safe="")


def availability_badges():
    """{availability: (css class, label)}, translated once a request (every card shows one)."""
    return _per_request("availability_badges", lambda: {
        "available": ("ok", _("Available")),
        "reserved": ("warn", _("Reserved: someone is buying it now")),
        "sold": ("sold", _("Sold")),
    })


def _label(labeller, code):
    labels = _per_request("vocabulary_labels", dict)
    if (labeller, code) not in labels:
        labels[(labeller, code)] = labeller(code)
    return labels[(labeller, code)]


def product_card(product, locale, currency, reserved_ids=frozenset()):
    """The card of a whole garment (ORM row with its artisan, texts and photos)."""
    image = product.images[0] if product.images else None
    return _card(product, product_content(product, locale), product.artisan.display_name, image, locale,
                 currency, reserved_ids)


def listed_card(item, locale, currency, reserved_ids=frozenset()):
    """The card of a garment in a list (a queries.Listed: its titles and first photo only)."""
    chosen = pick_translation(item.translations, locale)
    content = (Content(chosen.value.title, "", "", chosen.locale, chosen.is_fallback) if chosen
               else Content(item.slug, "", "", locale, False))
    return _card(item, content, item.artisan_name, item.photo, locale, currency, reserved_ids)


def _card(product, content, artisan_name, image, locale, currency, reserved_ids):
    price = price_in(product.price_amount, currency)
    return Card(
        product=product, url=product_url(product.slug), content=content, artisan_name=artisan_name,
        price=price, price_text=formatting.money(price.amount, price.currency, locale),
        availability=availability(product, reserved_ids),
        picture=picture(image, content.title) if image else None,
        category=_label(category_label, product.category),
        technique=_label(technique_label, product.technique))


def picture(image, fallback_alt=""):
    return Picture(image.content_hash, image.width, image.height, image.alt_text or fallback_alt)


def portrait(artisan):
    """Portraits are stored square-ish; derivatives exist from 320 px (see media.pipeline)."""
    if not artisan.portrait_hash:
        return None
    return Picture(artisan.portrait_hash, 600, 600, artisan.display_name)


def artisan_languages(artisan):
    return [language_label(code) for code in artisan.language_codes]


@dataclass(frozen=True)
class MoneyPart:
    label: str
    amount_text: str
    share_percent: int


def money_breakdown(split, currency, locale, labels):
    """Rows of "where the money goes", each converted like the price (parts of a peso split)."""
    rows = []
    for key, label in labels:
        amount = getattr(split, key)
        percent = round(100 * amount / split.gross) if split.gross else 0
        rows.append(MoneyPart(label, money(amount, currency, locale), percent))
    return rows
