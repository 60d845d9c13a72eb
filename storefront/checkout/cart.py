"""The buyer's cart, kept in her session as {product id: quantity}; prices are always read fresh."""
from dataclasses import dataclass

from flask import session
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storefront.extensions import db
from storefront.models import Product, ProductStatus
from storefront.pricing import Price, price_in

MAX_QUANTITY = 20
MAX_LINES = 30


@dataclass
class CartLine:
    product: Product
    quantity: int
    unit: Price
    title: str

    @property
    def line_amount(self):
        return self.unit.amount * self.quantity


def _raw() -> dict:
    cart = session.get("cart")
    return dict(cart) if isinstance(cart, dict) else {}


def _save(cart: dict):
    session["cart"] = cart
    session.modified = True


def parse_quantity(value, default=1):
    """A whole number between 0 and MAX_QUANTITY, or None."""
    try:
        number = int(str(value if value is not None else default).strip())
    except ValueError:
        return None
    return number if 0 <= number <= MAX_QUANTITY else None


def title_of(product, locale):
    by_locale = {t.locale: t.title for t in product.translations}
    return by_locale.get(locale) or by_locale.get("en") or by_locale.get("es") or product.slug


def buyable(product) -> bool:
    return product is not None and product.status == ProductStatus.PUBLISHED.value and product.artisan.active


def add(product: Product, quantity: int) -> int:
    """Add within stock; returns the quantity now in the cart (0 when none is left to add)."""
    cart = _raw()
    key = str(product.id)
    wanted = min(cart.get(key, 0) + quantity, product.stock, MAX_QUANTITY)
    if wanted <= 0 or (key not in cart and len(cart) >= MAX_LINES):
        return 0
    cart[key] = wanted
    _save(cart)
    return wanted


def set_quantity(product_id: int, quantity: int, stock: int) -> int:
    cart = _raw()
    key = str(product_id)
    if key not in cart:
        return 0
    quantity = min(quantity, stock)
    if quantity <= 0:
        cart.pop(key)
    else:
        cart[key] = quantity
    _save(cart)
    return quantity


def remove(product_id: int):
    cart = _raw()
    cart.pop(str(product_id), None)
    _save(cart)


def clear():
    session.pop("cart", None)


def count() -> int:
    return sum(v for v in _raw().values() if isinstance(v, int))


def lines(currency: str, locale: str) -> list[CartLine]:
    """The cart with fresh products and prices in `currency`, dropping what is no longer for sale."""
    cart = _raw()
    ids = [int(k) for k in cart if str(k).isdigit()]
    if not ids:
        return []
    products = {p.id: p for p in db.session.execute(
        select(Product).where(Product.id.in_(ids))
        .options(selectinload(Product.translations), selectinload(Product.artisan))).scalars()}
    result = []
    for key, quantity in cart.items():
        product = products.get(int(key)) if str(key).isdigit() else None
        if not buyable(product) or not isinstance(quantity, int) or quantity <= 0:
            continue
        price = price_in(product.price_amount, currency)
        result.append(CartLine(product=product, quantity=quantity, unit=price,
                               title=title_of(product, locale)))
    return result
