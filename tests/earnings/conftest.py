"""Fixtures for the earnings tests: paid orders built like fulfilment builds them, logged-in staff."""
import itertools
from datetime import datetime
from decimal import Decimal

import pytest

from storefront.extensions import db
from storefront.models import Order, OrderLine, Role
from storefront.money import convert_from_mxn
from storefront.orders.lifecycle import freeze_terms
from tests.factories import PASSWORD

_tokens = itertools.count(1)


def build_paid_order(product_prices, currency="MXN", rate="1", shipping_mxn=45000, paid_at=None):
    """An order paid in `currency` at `rate`; `product_prices` is [(product, quantity)]."""
    rate = Decimal(rate)
    lines = []
    for product, quantity in product_prices:
        unit = convert_from_mxn(product.price_amount, rate, currency)
        lines.append(OrderLine(product_id=product.id, artisan_id=product.artisan_id, title="Prenda",
                               quantity=quantity, unit_price_mxn=product.price_amount, unit_amount=unit,
                               line_amount=unit * quantity))
    subtotal = sum(line.line_amount for line in lines)
    shipping = convert_from_mxn(shipping_mxn, rate, currency)
    n = next(_tokens)
    order = Order(public_token=f"test-{n}", currency=currency, subtotal_amount=subtotal,
                  shipping_amount=shipping, total_amount=subtotal + shipping, exchange_rate=rate,
                  shipping_amount_mxn=shipping_mxn, status="paid",
                  paid_at=paid_at or datetime(2026, 3, 10, 15))
    order.lines = lines
    freeze_terms(order)  # the commission and her shares as a checkout freezes them
    db.session.add(order)
    db.session.commit()
    return order


@pytest.fixture
def paid_order(app):
    return build_paid_order


@pytest.fixture
def staff(app, make):
    """An admin "boss" and a coordinator "coord" (password tests.factories.PASSWORD).

    Built in their own app context when the test has none; tests with `ctx` get live objects.
    """
    from flask import has_app_context
    if has_app_context():
        return {"admin": make.user("boss", role=Role.ADMIN.value),
                "coordinator": make.user("coord", role=Role.COORDINATOR.value)}
    with app.app_context():
        make.user("boss", role=Role.ADMIN.value)
        make.user("coord", role=Role.COORDINATOR.value)
    return {"admin": "boss", "coordinator": "coord"}


@pytest.fixture
def in_app(app):
    """Run a function in a short app context and return its (plain) result."""
    def run(function, *args, **kwargs):
        with app.app_context():
            return function(*args, **kwargs)
    return run


@pytest.fixture
def login(auth):
    def login_as(username):
        response = auth.login(username, PASSWORD)
        assert response.status_code == 302, "login failed"
        # Staff pages default to Spanish; these tests read the English source strings.
        auth._client.get("/?lang=en")
        return response
    return login_as
