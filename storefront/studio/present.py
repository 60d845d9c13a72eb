"""What the studio's list shows of each garment, computed in Python once rather than in the template
for each of the page's 24 garments (titles, thumbnails, prices, the links of its actions)."""
from dataclasses import dataclass

from flask import url_for

from storefront import formatting
from storefront.media.urls import image_src

THUMBNAIL_WIDTH = 320
SAMPLE_ID = 2_147_483_647  # an id no garment has: its URL is a pattern for every garment's


@dataclass(frozen=True)
class ListedGarment:
    id: int
    title: str
    artisan_name: str
    status: str
    price_text: str
    thumbnail: str | None
    thumbnail_alt: str
    edit_url: str
    status_url: str


def _url_pattern(endpoint):
    """url_for(endpoint, product_id=…) for many ids from one call (a route's id is one path segment)."""
    before, _sample, after = url_for(endpoint, product_id=SAMPLE_ID).partition(str(SAMPLE_ID))
    return lambda product_id: f"{before}{product_id}{after}"


def listed_garments(garments):
    """ListedGarment of each garment (catalog.queries.Listed: all its titles, its first photo)."""
    edit_url, status_url = _url_pattern("studio.edit_garment"), _url_pattern("studio.garment_status")
    rows = []
    for garment in garments:
        title = next((t.title for t in garment.translations if t.locale == "es"), garment.slug)
        photo = garment.photo
        rows.append(ListedGarment(
            id=garment.id, title=title, artisan_name=garment.artisan_name, status=garment.status,
            price_text=formatting.money(garment.price_amount, "MXN"),
            thumbnail=image_src(photo.content_hash, min(THUMBNAIL_WIDTH, photo.width)) if photo else None,
            thumbnail_alt=photo.alt_text if photo else "",
            edit_url=edit_url(garment.id), status_url=status_url(garment.id)))
    return rows
