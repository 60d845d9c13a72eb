"""Reads for the public pages; each page uses a fixed number of queries, whatever it shows."""
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from storefront.catalog import search
from storefront.catalog.vocabulary import CATEGORIES, TECHNIQUES
from storefront.extensions import db
from storefront.kept import CATALOG, SALES, kept_while
from storefront.models import (Artisan, HoldStatus, LedgerEntry, LedgerKind, Order, OrderLine, OrderStatus,
                               Product, ProductImage, ProductStatus, ProductTranslation, StockHold)

# Visible: one of these statuses and an active artisan. The search index on PostgreSQL keeps the same
# rule in its triggers (migration 0014_search_rank): change both together.
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
    total_is_lower_bound: bool = False


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
    """Everything a product card shows, loaded in a constant number of queries (ORM rows, for the
    feed, which needs every photo)."""
    return stmt.options(*CARD_DATA)


@dataclass(frozen=True, slots=True)
class Title:
    locale: str
    title: str


@dataclass(frozen=True, slots=True)
class Photo:
    content_hash: str
    width: int
    height: int
    alt_text: str


@dataclass(frozen=True, slots=True)
class Listed:
    """What a card in a list shows of a garment: plain values, no ORM row (a page lists 24)."""
    id: int
    slug: str
    category: str
    technique: str
    price_amount: int
    status: str
    stock: int
    artisan_name: str
    reserved: bool        # someone is paying for it right now (an active stock hold)
    translations: tuple   # Title per language
    photo: Photo | None   # the first photo


def _listed_statement():
    """Every garment of `ids` with its artisan's name, first photo and hold, one row per text language.

    Built once: a list page runs it with its ids, a single round trip for all its cards.
    """
    photo = aliased(ProductImage)
    first_photo = (select(photo.id).where(photo.product_id == Product.id)
                   .order_by(photo.position, photo.id).limit(1).correlate(Product).scalar_subquery())
    held = (select(StockHold.id).where(StockHold.product_id == Product.id,
                                       StockHold.status == HoldStatus.ACTIVE.value).exists())
    return (select(Product.id, Product.slug, Product.category, Product.technique, Product.price_amount,
                   Product.status, Product.stock, Artisan.display_name, held.label("reserved"),
                   ProductTranslation.locale, ProductTranslation.title, ProductImage.content_hash,
                   ProductImage.width, ProductImage.height, ProductImage.alt_text)
            .join(Artisan, Artisan.id == Product.artisan_id)
            .outerjoin(ProductTranslation, ProductTranslation.product_id == Product.id)
            .outerjoin(ProductImage, ProductImage.id == first_photo)
            .where(Product.id.in_(bindparam("ids", expanding=True))))


LISTED = _listed_statement()


def listed(ids) -> list[Listed]:
    """The garments `ids`, in that order, as cards show them (one query, whatever their number)."""
    if not ids:
        return []
    found = {}
    for row in db.session.connection().execute(LISTED, {"ids": list(ids)}):
        if row.id not in found:
            photo = Photo(row.content_hash, row.width, row.height, row.alt_text) if row.content_hash else None
            found[row.id] = (row, [], photo)
        if row.locale is not None:
            found[row.id][1].append(Title(row.locale, row.title))
    return [Listed(*row[:9], translations=tuple(titles), photo=photo)  # the statement's first 9 columns
            for row, titles, photo in (found[i] for i in ids if i in found)]


def listed_by(ids_stmt) -> list[Listed]:
    """The garments whose ids a select(Product.id) statement gives, in its order (two queries)."""
    return listed(db.session.connection().execute(ids_stmt).scalars().all())


# Statements built once, run with their values: building a select costs about as much as running it.
@lru_cache(maxsize=None)
def _whole_catalog_page(sort):
    return (_filtered_ids(CatalogFilters()).order_by(*ORDERINGS.get(sort, ORDERINGS["newest"]))
            .limit(bindparam("size")).offset(bindparam("skip")))


NEWEST_FOR_SALE = (
    select(Product.id).join(Product.artisan)
    .where(Product.status == ProductStatus.PUBLISHED.value, Product.stock > 0, Artisan.active.is_(True))
    .order_by(*ORDERINGS["newest"]).limit(bindparam("size")))
MORE_BY_ARTISAN = (
    select(Product.id)
    .where(Product.artisan_id == bindparam("artisan_id"), Product.id != bindparam("product_id"),
           Product.status == ProductStatus.PUBLISHED.value, Product.stock > 0)
    .order_by(*ORDERINGS["newest"]).limit(bindparam("size")))


def reserved_of(items) -> frozenset:
    """Ids of the listed garments someone is paying for now."""
    return frozenset(item.id for item in items if item.reserved)


def search_products(filters: CatalogFilters, page_size=PAGE_SIZE) -> ProductPage:
    """One page of products matching `filters`; a page past the end shows the last one.

    Browsing counts in SQL (kept until the catalog changes) and reads one page of cards. A text search
    (storefront.catalog.search) reads the ordered matching ids once (at most SEARCH_CAP of them, the
    total then shown as "more than 480"). Everything goes through the Core connection: no ORM rows.
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
    capped = False
    if filters.q:  # a query of punctuation only has no words, and finds nothing
        ids = connection.execute(ordered.limit(SEARCH_CAP + 1)).scalars().all() if query_words else []
        capped = len(ids) > SEARCH_CAP
        ids = ids[:SEARCH_CAP]
        total = len(ids)
    else:
        total = kept_while(CATALOG, ("count", replace(filters, page=1, sort="newest")),
                           lambda: connection.execute(
                               select(func.count()).select_from(_filtered_ids(filters).subquery())).scalar())
    pages = max(1, -(-total // page_size))
    page = min(max(1, filters.page), pages)
    if filters.q:
        products = listed(ids[(page - 1) * page_size:page * page_size])
    else:  # which garments a browsing page shows is kept like its total; what they show is read now
        products = listed(kept_while(CATALOG, ("page", replace(filters, page=page), page_size),
                                     lambda: _browsing_page_ids(filters, ordering, page, page_size)))
    return ProductPage(products=products, total=total, page=page, pages=pages,
                       total_is_lower_bound=capped)


def _browsing_page_ids(filters, ordering, page, page_size):
    connection, skip = db.session.connection(), (page - 1) * page_size
    if replace(filters, sort="newest", page=1) == CatalogFilters():  # the whole catalog: built once
        ids = connection.execute(_whole_catalog_page(filters.sort), {"size": page_size, "skip": skip})
    else:
        ids = connection.execute(_filtered_ids(filters).order_by(*ordering).limit(page_size).offset(skip))
    return tuple(ids.scalars())


def reserved_product_ids(product_ids) -> frozenset:
    """Products someone is paying for right now (an active stock hold), in one query."""
    if not product_ids:
        return frozenset()
    rows = db.session.execute(select(StockHold.product_id).distinct().where(
        StockHold.product_id.in_(product_ids), StockHold.status == HoldStatus.ACTIVE.value)).scalars()
    return frozenset(rows)


def reserved_ids_of(product) -> frozenset:
    """{product.id} while someone is paying for it. Asked only of a garment on sale with no stock left:
    an available or withdrawn one reads the same whatever its holds (see availability)."""
    if product.status != ProductStatus.PUBLISHED.value or product.stock > 0:
        return frozenset()
    return reserved_product_ids([product.id])


def availability(product, reserved_ids=frozenset()):
    """'available', 'reserved' (held by a checkout in progress) or 'sold'."""
    if product.status == ProductStatus.PUBLISHED.value and product.stock > 0:
        return "available"
    if product.status == ProductStatus.PUBLISHED.value and product.id in reserved_ids:
        return "reserved"
    return "sold"


def featured_products(limit=4):
    """The newest garments still for sale, for the home page (which ones kept until the catalog changes)."""
    return listed(kept_while(CATALOG, ("newest_for_sale", limit), lambda: tuple(
        db.session.connection().execute(NEWEST_FOR_SALE, {"size": limit}).scalars())))


# One query: a garment's few texts, photos and her texts joined (a dozen rows) cost less than three more
# round trips. Built once (an ORM statement with its loader options costs as much to build as to run).
PRODUCT_BY_SLUG = (
    select(Product).join(Product.artisan)
    .where(Product.slug == bindparam("slug"), Product.status.in_(VISIBLE_STATUSES), Artisan.active.is_(True))
    .options(contains_eager(Product.artisan).joinedload(Artisan.translations),
             joinedload(Product.translations), joinedload(Product.images)))


def product_by_slug(slug):
    """A visible garment with its artisan, or None (drafts and archived ones are not public)."""
    return db.session.execute(PRODUCT_BY_SLUG, {"slug": slug}).unique().scalar_one_or_none()


def more_by_artisan(product, limit=4):
    """Her other garments still for sale, newest first, for a garment's page (which ones kept until the
    catalog changes)."""
    params = {"artisan_id": product.artisan_id, "product_id": product.id, "size": limit}
    return listed(kept_while(CATALOG, ("more_by_artisan", product.id, limit), lambda: tuple(
        db.session.connection().execute(MORE_BY_ARTISAN, params).scalars())))


@dataclass(frozen=True)
class ArtisanLink:
    slug: str
    display_name: str
    community: str
    municipality: str


def artisan_links(limit):
    """The first active artisans by name, for the home page's list of links; kept in memory until an
    artisan changes (storefront.kept)."""
    return kept_while(CATALOG, ("artisan_links", limit), lambda: tuple(
        ArtisanLink(*row) for row in db.session.execute(
            select(Artisan.slug, Artisan.display_name, Artisan.community, Artisan.municipality)
            .where(Artisan.active.is_(True)).order_by(Artisan.display_name, Artisan.id).limit(limit))))


def active_artisans():
    return db.session.execute(
        select(Artisan).where(Artisan.active.is_(True)).order_by(Artisan.display_name, Artisan.id)
        .options(selectinload(Artisan.translations))).scalars().all()


def artisan_by_slug(slug):
    return db.session.execute(
        select(Artisan).where(Artisan.slug == slug, Artisan.active.is_(True))
        .options(selectinload(Artisan.translations))).scalar_one_or_none()


def artisan_products(artisan, limit=48):
    return listed_by(
        select(Product.id)
        .where(Product.artisan_id == artisan.id, Product.status.in_(VISIBLE_STATUSES))
        .order_by(Product.status.desc(), Product.published_at.desc(), Product.id.desc()).limit(limit))


def communities():
    """Communities that have active artisans, for the catalog filter."""
    return kept_while(CATALOG, "communities", lambda: tuple(db.session.execute(
        select(Artisan.community).distinct().where(Artisan.active.is_(True))
        .order_by(Artisan.community)).scalars()))


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
    """The cooperative's numbers, from orders, the ledger and the artisans; each part kept in memory
    until its tables change (storefront.kept)."""
    sold, earned = kept_while(SALES, "sold_and_earned", _sold_and_earned)
    artisans, places = kept_while(CATALOG, "artisans_and_places", _artisans_and_places)
    return Impact(garments_sold=sold, paid_to_artisans_mxn=earned, artisans=artisans, communities=places)


def _sold_and_earned():
    sold = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity - OrderLine.refunded_quantity), 0))
        .join(OrderLine.order).where(Order.status.in_(SOLD_STATUSES)))
    earned = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .where(LedgerEntry.kind.in_((LedgerKind.SALE.value, LedgerKind.REFUND.value))))
    return int(sold), int(earned)


def _artisans_and_places():
    artisans, places = db.session.execute(
        select(func.count(Artisan.id), func.count(Artisan.community.distinct()))
        .where(Artisan.active.is_(True))).one()
    return artisans, places


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
