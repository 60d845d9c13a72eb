"""Catalog fixtures: products with real stored images, orders with ledger entries, a query counter."""
import contextvars
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import event

from storefront.extensions import db
from storefront.media.pipeline import store_image
from storefront.models import LedgerEntry, Order, OrderLine, ProductImage, StockHold


def image_bytes(width=800, height=1000, colour=(155, 34, 38)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return buffer.getvalue()


class CatalogData:
    """Helpers on top of the root `make` factories for what the public pages show."""

    def __init__(self, make):
        self.make = make

    def garment(self, with_image=True, colour=(155, 34, 38), **kwargs):
        product = self.make.product(**kwargs)
        if with_image:
            stored = store_image(image_bytes(colour=colour))
            product.images.append(ProductImage(position=0, alt_text="front", original_path=stored.original_path,
                                               content_hash=stored.content_hash, width=stored.width,
                                               height=stored.height))
            db.session.commit()
        return product

    def hold(self, product):
        """An active checkout holding the garment's only piece."""
        order = Order(public_token=f"tok-{product.id}", currency="USD", subtotal_amount=100, total_amount=100,
                      exchange_rate=Decimal("0.055"), status="pending")
        db.session.add(order)
        db.session.flush()
        db.session.add(StockHold(product_id=product.id, order_id=order.id, quantity=1,
                                 expires_at=datetime(2030, 1, 1)))
        product.stock = 0
        db.session.commit()

    def sale(self, product, share_mxn, status="delivered"):
        """A paid order of one garment, credited to her ledger as fulfilment would."""
        paid_at = datetime(2026, 2, 1) + timedelta(days=product.id)
        order = Order(public_token=f"paid-{product.id}", currency="MXN", subtotal_amount=product.price_amount,
                      total_amount=product.price_amount, exchange_rate=Decimal(1), status=status, paid_at=paid_at)
        line = OrderLine(product_id=product.id, artisan_id=product.artisan_id, title="x", quantity=1,
                         unit_price_mxn=product.price_amount, unit_amount=product.price_amount,
                         line_amount=product.price_amount)
        order.lines.append(line)
        db.session.add(order)
        db.session.flush()
        db.session.add(LedgerEntry(artisan_id=product.artisan_id, kind="sale", amount=share_mxn,
                                   order_line_id=line.id, idempotency_key=f"sale:line:{line.id}"))
        product.stock = 0
        product.status = "sold_out"
        db.session.commit()
        return order


class FreshContextClient(FlaskClient):
    """Each request runs in its own context, as in production, even while a test holds an app context
    to build data: otherwise Flask would reuse the test's context and `g` (rates, locale, logged-in
    user) would leak from one request into the next."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def data(app, make):
    with app.app_context():
        yield CatalogData(make)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


@pytest.fixture
def count_queries(app):
    """Context manager factory counting SQL statements sent to the database."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)
    return counting
