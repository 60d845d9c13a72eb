"""Artisans and their garments, with per-language content and images."""
import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, now_utc

CONTENT_LOCALES = ("es", "en", "fr", "de")


class ProductStatus(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SOLD_OUT = "sold_out"
    ARCHIVED = "archived"


class Artisan(Base):
    __tablename__ = "artisans"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    community: Mapped[str] = mapped_column(String(120))
    municipality: Mapped[str] = mapped_column(String(120))
    # Comma-separated ISO 639 codes, e.g. "tzo,es" (Tsotsil, Spanish).
    languages: Mapped[str] = mapped_column(String(64), default="es")
    portrait_hash: Mapped[Optional[str]] = mapped_column(String(64))
    joined_on: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True)
    # Made to order: whether she takes commissions, and how many open ones at once.
    accepts_commissions: Mapped[bool] = mapped_column(default=False, server_default="0")
    commission_cap: Mapped[int] = mapped_column(default=2, server_default="2")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    user: Mapped[Optional["User"]] = relationship(back_populates="artisan")  # noqa: F821
    translations: Mapped[list["ArtisanTranslation"]] = relationship(
        back_populates="artisan", cascade="all, delete-orphan")
    products: Mapped[list["Product"]] = relationship(back_populates="artisan")

    @property
    def language_codes(self):
        return [code for code in self.languages.split(",") if code]


class ArtisanTranslation(Base):
    """Her story in one language (she writes in Spanish; staff may add the others)."""
    __tablename__ = "artisan_translations"
    __table_args__ = (UniqueConstraint("artisan_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    story: Mapped[str] = mapped_column(Text)
    # When this language's text was last written: older than the Spanish source means "to review".
    updated_at: Mapped[Optional[datetime]] = mapped_column(default=now_utc, onupdate=now_utc)

    artisan: Mapped[Artisan] = relationship(back_populates="translations")


class Product(Base):
    """A garment; usually one of a kind (stock 1). Price is set in MXN minor units (centavos)."""
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_amount >= 0", name="price_not_negative"),
        CheckConstraint("price_currency = 'MXN'", name="price_in_mxn"),
        CheckConstraint("hours_of_work >= 0", name="hours_not_negative"),
        CheckConstraint("weight_grams IS NULL OR weight_grams >= 0", name="weight_not_negative"),
        CheckConstraint("materials_cost_amount IS NULL OR materials_cost_amount >= 0",
                        name="materials_cost_not_negative"),
        CheckConstraint("status IN ('draft', 'published', 'sold_out', 'archived')", name="status_known"),
        Index("ix_products_status_published_at", "status", "published_at"),
        Index("ix_products_status_price", "status", "price_amount"),
        # The catalog sorts all visible garments (two statuses) by date or price: these let the
        # database walk the order and stop after one page (migration 0003_catalog).
        Index("ix_products_published_at_id", "published_at", "id"),
        Index("ix_products_price_amount_id", "price_amount", "id"),
        # The studio lists garments newest first, a page at a time: hers, or everyone's for staff
        # (migration 0013).
        Index("ix_products_artisan_id_created_at_id", "artisan_id", "created_at", "id"),
        Index("ix_products_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"), index=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    # Codes, translated through the interface catalogue (see storefront.catalog.vocabulary).
    category: Mapped[str] = mapped_column(String(32), index=True)
    technique: Mapped[str] = mapped_column(String(32), index=True)
    sizes: Mapped[str] = mapped_column(String(120), default="")
    hours_of_work: Mapped[int] = mapped_column(default=0)
    weight_grams: Mapped[Optional[int]]
    materials_cost_amount: Mapped[Optional[int]]
    price_amount: Mapped[int]
    price_currency: Mapped[str] = mapped_column(String(3), default="MXN")
    stock: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default=ProductStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)
    published_at: Mapped[Optional[datetime]]
    # The form's (or the phone's offline draft's) idempotency key: a submit sent twice makes one garment.
    draft_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)

    artisan: Mapped[Artisan] = relationship(back_populates="products")
    translations: Mapped[list["ProductTranslation"]] = relationship(
        back_populates="product", cascade="all, delete-orphan")
    images: Mapped[list["ProductImage"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position")


class ProductTranslation(Base):
    """Title, story and materials in one language; the artisan's own language is `es`."""
    __tablename__ = "product_translations"
    __table_args__ = (UniqueConstraint("product_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    story: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[Optional[datetime]] = mapped_column(default=now_utc, onupdate=now_utc)

    product: Mapped[Product] = relationship(back_populates="translations")


class ProductImage(Base):
    """One photo: the private original on disk and public derivatives named by content hash."""
    __tablename__ = "product_images"
    __table_args__ = (CheckConstraint("position >= 0", name="position_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    alt_text: Mapped[str] = mapped_column(String(300))
    # Relative to MEDIA_ROOT/private; never served.
    original_path: Mapped[str] = mapped_column(String(255))
    # Derivatives live at MEDIA_ROOT/public/<hash>-<width>.<webp|jpg>.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    product: Mapped[Product] = relationship(back_populates="images")
