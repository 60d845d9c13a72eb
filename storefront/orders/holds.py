"""Stock holds: stock leaves `products.stock` when a checkout starts and comes back if it is not paid.

The decrement is ONE conditional UPDATE (`… SET stock = stock - q WHERE id = ? AND stock >= q`): two
buyers racing for the last garment cannot both succeed, on SQLite or PostgreSQL, and the CHECK
constraint stock >= 0 is the last line of defence.
"""
from datetime import timedelta

from sqlalchemy import select, update

from storefront.extensions import db
from storefront.models import HoldStatus, Product, ProductStatus, StockHold, now_utc

# Stripe Checkout Sessions live at least 30 minutes; the hold outlives the session by a little so the
# `checkout.session.expired` webhook, not the sweep, normally releases it.
SESSION_MINUTES = 31
HOLD_GRACE_MINUTES = 5


class SoldOut(Exception):
    """Someone else holds or bought the garment."""

    def __init__(self, product_id):
        super().__init__(product_id)
        self.product_id = product_id


def take_stock(product_id: int, quantity: int):
    """Atomically take `quantity` from stock, or raise SoldOut (nothing changed)."""
    result = db.session.execute(
        update(Product).where(Product.id == product_id, Product.stock >= quantity,
                              Product.status == ProductStatus.PUBLISHED.value)
        .values(stock=Product.stock - quantity).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise SoldOut(product_id)


def give_back_stock(product_id: int, quantity: int):
    db.session.execute(update(Product).where(Product.id == product_id)
                       .values(stock=Product.stock + quantity).execution_options(synchronize_session=False))


def place_holds(order, quantities: dict, now=None):
    """Take stock for each product (in id order, so two carts never deadlock) and add the holds."""
    now = now or now_utc()
    expires_at = now + timedelta(minutes=SESSION_MINUTES + HOLD_GRACE_MINUTES)
    for product_id in sorted(quantities):
        take_stock(product_id, quantities[product_id])
        db.session.add(StockHold(product_id=product_id, order=order, quantity=quantities[product_id],
                                 expires_at=expires_at, created_at=now))
    return expires_at


def active_holds(order_id: int):
    return db.session.execute(select(StockHold).where(StockHold.order_id == order_id,
                                                      StockHold.status == HoldStatus.ACTIVE.value)
                              .with_for_update()).scalars().all()


def release_holds(order_id: int) -> int:
    """Give held stock back (not committed); returns how many holds were released."""
    holds = active_holds(order_id)
    for hold in holds:
        give_back_stock(hold.product_id, hold.quantity)
        hold.status, hold.released_at = HoldStatus.RELEASED.value, now_utc()
    return len(holds)


def convert_holds(order_id: int) -> int:
    """The order was paid: held stock became a sale; a garment with no stock left is sold out."""
    holds = active_holds(order_id)
    for hold in holds:
        hold.status = HoldStatus.CONVERTED.value
    _mark_sold_out([h.product_id for h in holds])
    return len(holds)


def _mark_sold_out(product_ids):
    if product_ids:
        db.session.execute(update(Product).where(Product.id.in_(product_ids), Product.stock == 0,
                                                 Product.status == ProductStatus.PUBLISHED.value)
                           .values(status=ProductStatus.SOLD_OUT.value)
                           .execution_options(synchronize_session=False))


def retake_for_late_payment(order) -> bool:
    """A payment arrived after the holds were released: take the stock again if it is still there."""
    try:
        with db.session.begin_nested():
            for line in order.lines:
                take_stock(line.product_id, line.quantity)
    except SoldOut:
        return False
    _mark_sold_out([line.product_id for line in order.lines])
    return True


def restock(product_id: int, quantity: int):
    """Refunded garments put back on sale (a sold-out garment is published again)."""
    give_back_stock(product_id, quantity)
    db.session.execute(update(Product).where(Product.id == product_id,
                                             Product.status == ProductStatus.SOLD_OUT.value)
                       .values(status=ProductStatus.PUBLISHED.value)
                       .execution_options(synchronize_session=False))


def expired_hold_order_ids(now=None) -> list[int]:
    now = now or now_utc()
    return list(db.session.scalars(select(StockHold.order_id).distinct().where(
        StockHold.status == HoldStatus.ACTIVE.value, StockHold.expires_at < now)))
