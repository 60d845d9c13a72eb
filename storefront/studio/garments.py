"""Garment actions: create, edit, change status. Each commits once, with its audit entries.

Views pass plain values (already validated by the form); rules that involve the database live here.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from storefront.accounts.services import audit, diff
from storefront.catalog.queries import listed_by
from storefront.extensions import db
from storefront.models import Product, ProductImage, ProductStatus, ProductTranslation, now_utc
from storefront.money import to_minor
from storefront.slugs import slugify

MAX_PHOTOS = 8


class GarmentRejected(ValueError):
    """The garment cannot be saved or changed as asked; `field` says where to show `code`'s message."""

    def __init__(self, field, code):
        super().__init__(code)
        self.field = field
        self.code = code


@dataclass
class GarmentData:
    """What the form gives, in the units the database keeps (centavos, grams, whole hours)."""
    title: str
    story: str = ""
    materials: str = ""
    title_en: str = ""
    story_en: str = ""
    category: str = "huipil"
    technique: str = "backstrap_loom"
    hours_of_work: int = 0
    sizes: str = ""
    weight_grams: int | None = None
    materials_cost_amount: int | None = None
    price_amount: int = 0
    stock: int = 1

    @classmethod
    def from_form(cls, form):
        def pesos(value):
            return to_minor(Decimal(value), "MXN") if value is not None else None

        def text(name):  # the English fields exist on the staff's form only
            field = getattr(form, name, None)
            return (field.data or "").strip() if field is not None else ""
        return cls(title=text("title"), story=text("story"), materials=text("materials"),
                   title_en=text("title_en"), story_en=text("story_en"), category=form.category.data,
                   technique=form.technique.data, hours_of_work=form.hours_of_work.data or 0,
                   sizes=(form.sizes.data or "").strip(), weight_grams=form.weight_grams.data,
                   materials_cost_amount=pesos(form.materials_cost.data), price_amount=pesos(form.price.data),
                   stock=form.stock.data if form.stock.data is not None else 1)


@dataclass
class PhotoChoice:
    """Photos the garment will have: kept existing ones (id -> alt), removed ids, new stored ones with alt."""
    keep: dict = field(default_factory=dict)
    remove: set = field(default_factory=set)
    new: list = field(default_factory=list)  # [(StoredImage, alt)]

    @property
    def count(self):
        return len(self.keep) + len(self.new)


def garment_snapshot(product: Product) -> dict:
    """The audited fields of a garment, for `diff`."""
    es = translation(product, "es")
    en = translation(product, "en")
    return {"title": es.title if es else None, "story": es.story if es else None,
            "materials": es.materials if es else None, "title_en": en.title if en else None,
            "story_en": en.story if en else None, "category": product.category,
            "technique": product.technique, "hours_of_work": product.hours_of_work, "sizes": product.sizes,
            "weight_grams": product.weight_grams,
            "materials_cost_amount": product.materials_cost_amount, "price_amount": product.price_amount,
            "stock": product.stock, "status": product.status,
            "photos": [image.content_hash for image in product.images]}


def translation(product, locale):
    return next((t for t in product.translations if t.locale == locale), None)


def _apply(product: Product, data: GarmentData, staff: bool):
    product.category = data.category
    product.technique = data.technique
    product.hours_of_work = data.hours_of_work
    product.sizes = data.sizes
    product.weight_grams = data.weight_grams
    product.materials_cost_amount = data.materials_cost_amount
    product.price_amount = data.price_amount
    product.stock = data.stock
    es = translation(product, "es")
    if es is None:
        es = ProductTranslation(locale="es", title=data.title)
        product.translations.append(es)
    es.title, es.story, es.materials = data.title, data.story, data.materials
    if staff:
        en = translation(product, "en")
        if data.title_en:
            if en is None:
                en = ProductTranslation(locale="en", title=data.title_en)
                product.translations.append(en)
            en.title, en.story = data.title_en, data.story_en
            en.materials = en.materials or ""
        elif en is not None:
            product.translations.remove(en)


def _apply_photos(product: Product, photos: PhotoChoice, default_alt: str):
    for image in list(product.images):
        if image.id in photos.remove:
            product.images.remove(image)
        elif image.id in photos.keep:
            image.alt_text = (photos.keep[image.id] or default_alt)[:300]
    position = max((image.position for image in product.images), default=-1) + 1
    for stored, alt in photos.new:
        product.images.append(ProductImage(position=position, alt_text=(alt or default_alt)[:300],
                                           original_path=stored.original_path,
                                           content_hash=stored.content_hash,
                                           width=stored.width, height=stored.height))
        position += 1


def check_photo_count(count):
    if count < 1:
        raise GarmentRejected("photos", "photos_missing")
    if count > MAX_PHOTOS:
        raise GarmentRejected("photos", "photos_too_many")


def garment_of_draft(artisan_id: int, draft_key):
    """The garment already made from this draft key for this artisan, if any."""
    if not draft_key:
        return None
    return db.session.scalar(select(Product).where(Product.draft_key == draft_key,
                                                   Product.artisan_id == artisan_id))


def create_garment(artisan_id: int, data: GarmentData, photos: PhotoChoice, publish: bool,
                   staff: bool, draft_key=None) -> Product:
    """Add a garment for an artisan, as a draft or published; one commit with its audit entry.

    `draft_key` makes it idempotent: a submit sent again (a retry on a dropped connection) returns the
    garment the first one made; the unique column settles two submits racing each other.
    """
    existing = garment_of_draft(artisan_id, draft_key)
    if existing is not None:
        return existing
    if draft_key and db.session.scalar(select(Product.id).where(Product.draft_key == draft_key)):
        draft_key = None  # another artisan's key: not hers to reuse
    check_photo_count(photos.count)
    if publish and data.stock < 1:
        raise GarmentRejected("stock", "no_stock")
    product = Product(artisan_id=artisan_id, slug=f"tmp-{now_utc():%Y%m%d%H%M%S%f}", price_currency="MXN",
                      status=ProductStatus.DRAFT.value, draft_key=draft_key)
    _apply(product, data, staff)
    _apply_photos(product, photos, data.title)
    db.session.add(product)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = garment_of_draft(artisan_id, draft_key)
        if existing is None:
            raise
        return existing
    product.slug = f"{slugify(data.title, 60)}-{product.id}"
    if publish:
        product.status = ProductStatus.PUBLISHED.value
        product.published_at = now_utc()
    audit("product.create", "product", product.id, artisan_id=artisan_id,
          changes=diff({}, garment_snapshot(product)))
    db.session.commit()
    return product


def update_garment(product: Product, data: GarmentData, photos: PhotoChoice, staff: bool) -> dict:
    """Save an edit; audits what changed (and a separate price-change entry). Returns the changes."""
    check_photo_count(photos.count)
    before = garment_snapshot(product)
    _apply(product, data, staff)
    _apply_photos(product, photos, data.title)
    db.session.flush()
    db.session.refresh(product, ["images"])
    changes = diff(before, garment_snapshot(product))
    if changes:
        audit("product.update", "product", product.id, artisan_id=product.artisan_id, changes=changes)
    if "price_amount" in changes:
        audit("product.price_change", "product", product.id, artisan_id=product.artisan_id,
              changes={"price_amount": changes["price_amount"]})
    db.session.commit()
    return changes


STATUS_ACTIONS = {
    "publish": ProductStatus.PUBLISHED.value,
    "draft": ProductStatus.DRAFT.value,
    "sold_out": ProductStatus.SOLD_OUT.value,
    "archive": ProductStatus.ARCHIVED.value,
}


def change_status(product: Product, action: str) -> None:
    """Publish, back to draft, mark sold out or archive; audited."""
    status = STATUS_ACTIONS.get(action)
    if status is None:
        raise GarmentRejected("status", "unknown_action")
    if status == ProductStatus.PUBLISHED.value:
        if product.stock < 1:
            raise GarmentRejected("status", "no_stock")
        if not product.images:
            raise GarmentRejected("status", "photos_missing")
    before = {"status": product.status, "stock": product.stock}
    product.status = status
    if status == ProductStatus.PUBLISHED.value and product.published_at is None:
        product.published_at = now_utc()
    if status == ProductStatus.SOLD_OUT.value:
        product.stock = 0
    action_name = "product.publish" if status == ProductStatus.PUBLISHED.value else f"product.{action}"
    audit(action_name, "product", product.id, artisan_id=product.artisan_id,
          changes=diff(before, {"status": product.status, "stock": product.stock}))
    db.session.commit()


STUDIO_PAGE_SIZE = 24  # a phone on 3G shows a page of her garments, not all of them (staff see thousands)
NEWEST_FIRST = (Product.created_at.desc(), Product.id.desc())


@dataclass(frozen=True)
class GarmentPage:
    garments: list
    page: int
    pages: int


def _of_artisan(stmt, artisan_id):
    return stmt if artisan_id is None else stmt.where(Product.artisan_id == artisan_id)


def garments_page(artisan_id=None, page=1) -> GarmentPage:
    """One page of the garments listed in the studio (one artisan's, or everyone's for staff), newest
    first; a page past the end shows the last one."""
    total = db.session.scalar(_of_artisan(select(func.count()).select_from(Product), artisan_id))
    pages = max(1, -(-total // STUDIO_PAGE_SIZE))
    page = min(max(1, page), pages)
    ids = (_of_artisan(select(Product.id), artisan_id)
           .order_by(*NEWEST_FIRST).limit(STUDIO_PAGE_SIZE).offset((page - 1) * STUDIO_PAGE_SIZE))
    return GarmentPage(listed_by(ids), page, pages)


def page_of(product, artisan_id=None) -> int:
    """The studio page that lists `product` (to go back to it after an edit)."""
    newer = db.session.scalar(_of_artisan(select(func.count()).select_from(Product), artisan_id).where(
        or_(Product.created_at > product.created_at,
            and_(Product.created_at == product.created_at, Product.id > product.id))))
    return newer // STUDIO_PAGE_SIZE + 1


def count_garments(artisan_id):
    return db.session.scalar(select(func.count()).select_from(Product)
                             .where(Product.artisan_id == artisan_id))
