"""Reads for the public pages; each page uses a fixed number of queries, whatever it shows."""
import time
from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from storefront.catalog import search
from storefront.catalog.vocabulary import CATEGORIES, TECHNIQUES
from storefront import writes
from storefront.extensions import db
from storefront.models import (Artisan, HoldStatus, LedgerEntry, LedgerKind, Order, OrderLine, OrderStatus,
                               Product, ProductStatus, StockHold)

# Visible: one of these statuses and an active artisan. The search index on PostgreSQL keeps the same
# rule in its triggers (migration 0013_search_rank): change both together.
VISIBLE_STATUSES = (ProductStatus.PUBLISHED.value, ProductStatus.SOLD_OUT.value)
SOLD_STATUSES = (OrderStatus.PAID.value, OrderStatus.PACKED.value, OrderStatus.SHIPPED.value,
                 OrderStatus.DELIVERED.value)
PAGE_SIZE = 24  # a buyer browses 150+ garments; images past the first rows load lazily (bench.page_weight)
SORTS = ("relevance", "newest", "price_asc", "price_desc")
SEARCH_CAP = 20 * PAGE_SIZE  # 480 ranked ids at most: "More than 480 garments", 20 pages


@dataclass(frozen=True)
class CatalogFilters:
    """A validated catalog request; prices already converted to MXN centavos."""
    q: str = ""
    category: str = ""
    technique: str = ""
    community: str = ""
    artisan: str = ""            # artisan slug
    min_price_mxn: int | None = None
    max_price_mxn: int | None = None
    available: bool = False
    sort: str = "newest"
    page: int = 1


@dataclass(frozen=True)
class ProductPage:
    products: list
    total: int
    page: int
    pages: int
    reserved_ids: frozenset
    total_is_lower_bound: bool = False


_remembered_values = {}
MAX_REMEMBERED = 2000


def remembered(key, compute):
    """compute(), kept PAGE_CACHE_SECONDS in this process and forgotten when it commits a write.

    For figures that a public page may show a few seconds late anyway (storefront.pagecache promises
    freshness within 2 x PAGE_CACHE_SECONDS): the catalog's total, the list of communities.
    """
    seconds = current_app.config["PAGE_CACHE_SECONDS"]
    if not seconds:
        return compute()
    key = (str(db.engine.url), key)
    now, generation = time.monotonic(), writes.generation()
    kept = _remembered_values.get(key)
    if kept and kept[1] > now and kept[2] == generation:
        return kept[0]
    value = compute()
    if len(_remembered_values) >= MAX_REMEMBERED:
        _remembered_values.clear()
    _remembered_values[key] = (value, now + seconds, generation)
    return value


def _active_artisans(*conditions):
    return Product.artisan_id.in_(select(Artisan.id).where(Artisan.active.is_(True), *conditions))


def _filtered_ids(filters: CatalogFilters, *columns, visibility=True):
    """Ids of the visible garments that `filters` keep; `visibility=False` leaves out what makes a
    garment visible (status, active artisan) for a search whose index already knows it."""
    artisan_conditions = []
    if filters.community:
        artisan_conditions.append(Artisan.community == filters.community)
    if filters.artisan:
        artisan_conditions.append(Artisan.slug == filters.artisan)
    stmt = select(Product.id, *columns)
    if visibility:
        stmt = stmt.where(Product.status.in_(VISIBLE_STATUSES), _active_artisans(*artisan_conditions))
    elif artisan_conditions:
        stmt = stmt.where(Product.artisan_id.in_(select(Artisan.id).where(*artisan_conditions)))
    if filters.category:
        stmt = stmt.where(Product.category == filters.category)
    if filters.technique:
        stmt = stmt.where(Product.technique == filters.technique)
    if filters.min_price_mxn is not None:
        stmt = stmt.where(Product.price_amount >= filters.min_price_mxn)
    if filters.max_price_mxn is not None:
        stmt = stmt.where(Product.price_amount <= filters.max_price_mxn)
    if filters.available:
        stmt = stmt.where(Product.status == ProductStatus.PUBLISHED.value, Product.stock > 0)
    return stmt


def _narrowed(filters: CatalogFilters):
    """Whether anything besides the words narrows the catalog or orders it (by price): a search
    then joins the products; otherwise the search index alone answers (search.visible_matching)."""
    return bool(filters.category or filters.technique or filters.community or filters.artisan
                or filters.min_price_mxn is not None or filters.max_price_mxn is not None
                or filters.available or filters.sort not in ("relevance", "newest"))


ORDERINGS = {
    "newest": (Product.published_at.desc(), Product.id.desc()),
    "price_asc": (Product.price_amount.asc(), Product.id.asc()),
    "price_desc": (Product.price_amount.desc(), Product.id.desc()),
}
CARD_DATA = (selectinload(Product.artisan), selectinload(Product.translations), selectinload(Product.images))


def _with_card_data(stmt):
    """Everything a product card shows, loaded in a constant number of queries."""
    return stmt.options(*CARD_DATA)


def search_products(filters: CatalogFilters, page_size=PAGE_SIZE) -> ProductPage:
    """One page of products matching `filters`; a page past the end shows the last one.

    Browsing counts in SQL and reads one page of ids. A text search (storefront.catalog.search)
    reads the ordered matching ids once (at most SEARCH_CAP of them, the total then shown as "more than 480").
    Ids go through the Core connection: no ORM bookkeeping for rows that are only numbers.
    """
    connection = db.session.connection()
    query_words = [(word, search.vocabulary_phrases(word, TECHNIQUES, CATEGORIES))
                   for word in search.words(filters.q)]
    ordering = ORDERINGS.get(filters.sort, ORDERINGS["newest"])
    if query_words:
        alone = None if _narrowed(filters) else search.visible_matching(query_words)
        if alone:  # PostgreSQL, words only: ranked from the index's own columns
            matched, relevance, newest = alone
        else:
            candidates = _filtered_ids(filters, visibility=not search.keeps_visibility())
            matched, relevance = search.matching(candidates, Product.id, query_words)
            newest = ORDERINGS["newest"]
        if filters.sort == "relevance":
            ordering = (relevance.desc(), *newest)
        elif alone:
            ordering = newest
        ordered = matched.order_by(*ordering)
    else:
        ordered = _filtered_ids(filters).order_by(*ordering)
    capped = False
    if filters.q:  # a query of punctuation only has no words, and finds nothing
        ids = connection.execute(ordered.limit(SEARCH_CAP + 1)).scalars().all() if query_words else []
        capped = len(ids) > SEARCH_CAP
        ids = ids[:SEARCH_CAP]
        total = len(ids)
    else:
        total = remembered(("count", replace(filters, page=1, sort="newest")), lambda: connection.execute(
            select(func.count()).select_from(_filtered_ids(filters).subquery())).scalar())
    pages = max(1, -(-total // page_size))
    page = min(max(1, filters.page), pages)
    if filters.q:
        page_ids = ids[(page - 1) * page_size:page * page_size]
    else:
        page_ids = connection.execute(ordered.limit(page_size).offset((page - 1) * page_size)).scalars().all()
    products = []
    if page_ids:
        loaded = {p.id: p for p in db.session.execute(
            _with_card_data(select(Product).where(Product.id.in_(page_ids)))).scalars()}
        products = [loaded[i] for i in page_ids if i in loaded]
    return ProductPage(products=products, total=total, page=page, pages=pages,
                       reserved_ids=reserved_product_ids(page_ids), total_is_lower_bound=capped)


def reserved_product_ids(product_ids) -> frozenset:
    """Products someone is paying for right now (an active stock hold), in one query."""
    if not product_ids:
        return frozenset()
    rows = db.session.execute(select(StockHold.product_id).distinct().where(
        StockHold.product_id.in_(product_ids), StockHold.status == HoldStatus.ACTIVE.value)).scalars()
    return frozenset(rows)


def availability(product, reserved_ids=frozenset()):
    """'available', 'reserved' (held by a checkout in progress) or 'sold'."""
    if product.status == ProductStatus.PUBLISHED.value and product.stock > 0:
        return "available"
    if product.status == ProductStatus.PUBLISHED.value and product.id in reserved_ids:
        return "reserved"
    return "sold"


def featured_products(limit=4):
    """The newest garments still for sale, for the home page."""
    stmt = (select(Product).join(Product.artisan)
            .where(Product.status == ProductStatus.PUBLISHED.value, Product.stock > 0,
                   Artisan.active.is_(True))
            .order_by(Product.published_at.desc(), Product.id.desc()).limit(limit))
    return db.session.execute(_with_card_data(stmt)).unique().scalars().all()


def product_by_slug(slug):
    """A visible garment with its artisan, or None (drafts and archived ones are not public)."""
    stmt = (select(Product).join(Product.artisan)
            .where(Product.slug == slug, Product.status.in_(VISIBLE_STATUSES), Artisan.active.is_(True))
            .options(contains_eager(Product.artisan).selectinload(Artisan.translations),
                     selectinload(Product.translations), selectinload(Product.images)))
    return db.session.execute(stmt).unique().scalar_one_or_none()


def more_by_artisan(product, limit=4):
    stmt = (select(Product).join(Product.artisan)
            .where(Product.artisan_id == product.artisan_id, Product.id != product.id,
                   Product.status == ProductStatus.PUBLISHED.value, Product.stock > 0)
            .order_by(Product.published_at.desc(), Product.id.desc()).limit(limit))
    return db.session.execute(_with_card_data(stmt)).unique().scalars().all()


def active_artisans(limit=None):
    stmt = (select(Artisan).where(Artisan.active.is_(True)).order_by(Artisan.display_name, Artisan.id)
            .options(selectinload(Artisan.translations)))
    if limit:
        stmt = stmt.limit(limit)
    return db.session.execute(stmt).scalars().all()


def artisan_by_slug(slug):
    return db.session.execute(
        select(Artisan).where(Artisan.slug == slug, Artisan.active.is_(True))
        .options(selectinload(Artisan.translations))).scalar_one_or_none()


def artisan_products(artisan, limit=48):
    stmt = (select(Product).join(Product.artisan)
            .where(Product.artisan_id == artisan.id, Product.status.in_(VISIBLE_STATUSES))
            .order_by(Product.status.desc(), Product.published_at.desc(), Product.id.desc()).limit(limit))
    return db.session.execute(_with_card_data(stmt)).unique().scalars().all()


def communities():
    """Communities that have active artisans, for the catalog filter."""
    return remembered("communities", lambda: db.session.execute(
        select(Artisan.community).distinct().where(Artisan.active.is_(True))
        .order_by(Artisan.community)).scalars().all())


def artisan_name(slug):
    """Her display name, to show which artisan the catalog is filtered by."""
    return db.session.scalar(select(Artisan.display_name)
                             .where(Artisan.slug == slug, Artisan.active.is_(True)))


@dataclass(frozen=True)
class Impact:
    garments_sold: int
    paid_to_artisans_mxn: int     # net of refunds, from the ledger
    artisans: int
    communities: int


def impact() -> Impact:
    """The cooperative's numbers, computed from orders and the ledger (three queries)."""
    sold = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity - OrderLine.refunded_quantity), 0))
        .join(OrderLine.order).where(Order.status.in_(SOLD_STATUSES)))
    earned = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .where(LedgerEntry.kind.in_((LedgerKind.SALE.value, LedgerKind.REFUND.value))))
    artisans, places = db.session.execute(
        select(func.count(Artisan.id), func.count(Artisan.community.distinct()))
        .where(Artisan.active.is_(True))).one()
    return Impact(garments_sold=int(sold), paid_to_artisans_mxn=int(earned), artisans=artisans,
                  communities=places)


def sitemap_entries():
    """(kind, slug, updated) of every public product and artisan, without loading whole rows."""
    products = db.session.execute(
        select(Product.slug, Product.updated_at).join(Product.artisan)
        .where(Product.status.in_(VISIBLE_STATUSES), Artisan.active.is_(True)).order_by(Product.id)).all()
    artisans = db.session.execute(select(Artisan.slug, Artisan.created_at)
                                  .where(Artisan.active.is_(True)).order_by(Artisan.id)).all()
    return products, artisans


def feed_products():
    """Every public product for the catalogue feed, streamed in batches with its data."""
    stmt = (select(Product).join(Product.artisan)
            .where(Product.status.in_(VISIBLE_STATUSES), Artisan.active.is_(True)).order_by(Product.id))
    return db.session.execute(_with_card_data(stmt).execution_options(yield_per=500)).scalars()
