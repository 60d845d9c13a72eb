"""Reads for the public pages; each page uses a fixed number of queries."""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storefront.extensions import db
from storefront.models import Artisan, Product, ProductStatus

VISIBLE_STATUSES = (ProductStatus.PUBLISHED.value, ProductStatus.SOLD_OUT.value)


def active_artisans():
    return db.session.execute(
        select(Artisan).where(Artisan.active.is_(True)).order_by(Artisan.display_name)
        .options(selectinload(Artisan.translations))).scalars().all()


def featured_products(limit=8):
    return db.session.execute(
        select(Product).where(Product.status == ProductStatus.PUBLISHED.value)
        .order_by(Product.published_at.desc(), Product.id.desc()).limit(limit)
        .options(selectinload(Product.translations), selectinload(Product.images),
                 selectinload(Product.artisan))).scalars().all()


def published_count():
    return db.session.scalar(select(func.count()).select_from(Product)
                             .where(Product.status.in_(VISIBLE_STATUSES)))
