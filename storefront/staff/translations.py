"""Content in every shop language: what is missing where, and staff filling it in.

Garment titles, stories and materials, and artisans' stories, live in translation rows keyed by
language. Spanish is the source (the artisan writes it); the other shop languages are translated by
staff, by hand: never machine-invented.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from storefront.accounts.services import audit
from storefront.extensions import db
from storefront.i18n import LOCALES
from storefront.kept import CATALOG, kept_while
from storefront.models import Artisan, ArtisanTranslation, Order, OrderLine, Product, ProductTranslation
from storefront.models.catalog import ProductStatus

SOURCE_LOCALE = "es"
PAID_STATUSES = ("paid", "packed", "shipped", "delivered")
VISIBLE = (ProductStatus.PUBLISHED.value, ProductStatus.SOLD_OUT.value)


@dataclass
class QueueItem:
    kind: str                          # "garment" or "artisan"
    id: int
    name: str
    missing: list = field(default_factory=list)     # languages with no text
    outdated: list = field(default_factory=list)    # languages written before the source last changed
    last_sale: Optional[datetime] = None

    @property
    def to_do(self):
        return self.missing + self.outdated


def _check(rows, languages=LOCALES):
    by_locale = {row.locale: row for row in rows if _has_text(row)}
    source = by_locale.get(SOURCE_LOCALE)
    missing = [code for code in languages if code not in by_locale]
    outdated = [code for code, row in by_locale.items() if code != SOURCE_LOCALE and source is not None
                and source.updated_at and row.updated_at and row.updated_at < source.updated_at]
    return missing, sorted(outdated, key=languages.index)


def _has_text(row):
    return bool((getattr(row, "title", None) or "").strip() or (row.story or "").strip())


def queue() -> list[QueueItem]:
    """Every garment on sale (or sold) and every artisan lacking a shop language; newest sales first."""
    last_sale = dict(db.session.execute(
        select(OrderLine.product_id, func.max(Order.created_at)).join(Order, Order.id == OrderLine.order_id)
        .where(Order.status.in_(PAID_STATUSES)).group_by(OrderLine.product_id)).all())
    products = db.session.execute(
        select(Product).where(Product.status.in_(VISIBLE))
        .options(selectinload(Product.translations))).scalars().all()
    artisans = db.session.execute(select(Artisan).options(selectinload(Artisan.translations))).scalars().all()
    sold_by_artisan = {}
    items = []
    for product in products:
        missing, outdated = _check(product.translations)
        sold = last_sale.get(product.id)
        if sold and (product.artisan_id not in sold_by_artisan or sold > sold_by_artisan[product.artisan_id]):
            sold_by_artisan[product.artisan_id] = sold
        if missing or outdated:
            source = next((t for t in product.translations if t.locale == SOURCE_LOCALE), None)
            items.append(QueueItem("garment", product.id, source.title if source else product.slug,
                                   missing, outdated, sold))
    for artisan in artisans:
        missing, outdated = _check(artisan.translations)
        if missing or outdated:
            items.append(QueueItem("artisan", artisan.id, artisan.display_name, missing, outdated,
                                   sold_by_artisan.get(artisan.id)))
    # Newest sales first (their buyers are reading now), then the rest, newest first.
    items.sort(key=lambda item: (item.last_sale is None,
                                 -(item.last_sale.timestamp() if item.last_sale else 0), item.kind, -item.id))
    return items


def _text_in(model):
    """SQL: this translation row has some text (as _has_text, for the count)."""
    columns = ([model.title] if hasattr(model, "title") else []) + [model.story]  # the short one first
    return or_(*(func.trim(func.coalesce(column, "")) != "" for column in columns))


def _to_do_of(model, owner_key, owners):
    """Languages missing plus languages outdated, over the owners selected by `owners` (ids)."""
    owner_count = db.session.scalar(select(func.count()).select_from(owners.subquery()))
    present = db.session.scalar(select(func.count()).select_from(model).where(
        owner_key.in_(owners), model.locale.in_(LOCALES), _text_in(model)))
    source = aliased(model)
    source_key = getattr(source, owner_key.key)
    outdated = db.session.scalar(
        select(func.count()).select_from(model)
        .join(source, and_(source_key == owner_key, source.locale == SOURCE_LOCALE))
        .where(owner_key.in_(owners), model.locale.in_(LOCALES), model.locale != SOURCE_LOCALE,
               _text_in(model), _text_in(source), model.updated_at < source.updated_at))
    return owner_count * len(LOCALES) - present + outdated


def count_to_do() -> int:
    """What queue() lists, counted in SQL (six queries, whatever the number of garments): the staff
    home shows this number on every visit."""
    garments = select(Product.id).where(Product.status.in_(VISIBLE))
    return (_to_do_of(ProductTranslation, ProductTranslation.product_id, garments)
            + _to_do_of(ArtisanTranslation, ArtisanTranslation.artisan_id, select(Artisan.id)))


def count_to_do_kept() -> int:
    """count_to_do(), kept in memory until a garment, an artisan or a text changes (storefront.kept)."""
    return kept_while(CATALOG, "translations_to_do", count_to_do)


class TranslationRefused(ValueError):
    """A translation that cannot be saved; `code` names why."""
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _clean(text, limit):
    text = (text or "").strip()
    if len(text) > limit:
        raise TranslationRefused("too_long")
    return text


def save_garment_text(product, locale, title, story, materials, actor) -> ProductTranslation:
    """Write a garment's title, story and materials in one shop language; audited; one commit."""
    if locale not in LOCALES:
        raise TranslationRefused("unknown_language")
    title, story, materials = _clean(title, 200), _clean(story, 20_000), _clean(materials, 500)
    if not title:
        raise TranslationRefused("title_required")
    row = next((t for t in product.translations if t.locale == locale), None)
    before = {"title": row.title, "story": row.story} if row else {"title": None, "story": None}
    if row is None:
        row = ProductTranslation(locale=locale, title=title, story=story, materials=materials)
        product.translations.append(row)
    else:
        row.title, row.story, row.materials = title, story, materials
    db.session.flush()
    audit("translation.saved", "product", product.id, artisan_id=product.artisan_id, actor=actor,
          changes={"language": [None, locale], "title": [before["title"], title]})
    db.session.commit()
    return row


def save_artisan_story(artisan, locale, story, actor) -> ArtisanTranslation:
    """Write an artisan's story in one shop language; audited; one commit."""
    if locale not in LOCALES:
        raise TranslationRefused("unknown_language")
    story = _clean(story, 20_000)
    if not story:
        raise TranslationRefused("story_required")
    row = next((t for t in artisan.translations if t.locale == locale), None)
    if row is None:
        row = ArtisanTranslation(locale=locale, story=story)
        artisan.translations.append(row)
    else:
        row.story = story
    db.session.flush()
    audit("translation.saved", "artisan", artisan.id, artisan_id=artisan.id, actor=actor,
          changes={"language": [None, locale]})
    db.session.commit()
    return row
